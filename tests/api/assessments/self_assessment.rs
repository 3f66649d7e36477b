//! Self-assessments: edited only while a draft or returned for rectification.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::Engine;

use super::{create, fill_scored, id_of, item, scan, submit, world};

both_engines!(self_assessments_are_edited_only_while_draft_or_returned);

async fn self_assessments_are_edited_only_while_draft_or_returned(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    for (body, field) in [
        (json!({"kind": "project", "period": "2026"}), "kind"),
        (json!({"kind": "safety_director", "period": "2026-H3"}), "period"),
        (json!({"kind": "safety_director", "period": "26"}), "period"),
    ] {
        let refused = app.post("/api/v1/assessments", body, Some(&w.a)).await;
        refused.expect_problem(422, "request.invalid_fields");
        assert_eq!(refused.body["errors"][0]["field"], field);
    }
    let draft = create(app, &w.a, "safety_director", "2026-H2").await;
    let id = id_of(&draft);
    assert_eq!(draft["state"], "draft");
    app.post(
        "/api/v1/assessments",
        json!({"kind": "safety_director", "period": "2026-H2"}),
        Some(&w.a),
    )
    .await
    .expect_problem(409, "assessment.period_taken");

    // Scores stay within each item's range, in tenths.
    let items = |fills: Value| json!({ "items": fills });
    for (fill, code) in [
        (
            json!({"number": "1", "self_score": 15.1}),
            "assessment.score_out_of_range",
        ),
        (
            json!({"number": "1", "self_score": -1}),
            "assessment.score_out_of_range",
        ),
        (json!({"number": "1", "self_score": 7.25}), "assessment.score_precision"),
        (json!({"number": "99", "self_score": 1}), "assessment.no_such_item"),
    ] {
        let refused = app
            .put(
                &format!("/api/v1/assessments/{id}/items"),
                items(json!([fill])),
                Some(&w.a),
            )
            .await;
        refused.expect_problem(422, "request.invalid_fields");
        assert_eq!(refused.body["errors"][0]["code"], code);
    }
    // A draft is saved as often as needed; null clears a score.
    let path = format!("/api/v1/assessments/{id}/items");
    app.put(
        &path,
        items(json!([{"number": "1", "self_score": 15}, {"number": "2", "self_score": 9.5}])),
        Some(&w.a),
    )
    .await
    .expect(200);
    let saved = app
        .put(
            &path,
            items(json!([{"number": "2", "self_score": null, "self_note": "待补充"}])),
            Some(&w.a),
        )
        .await;
    saved.expect(200);
    assert_eq!(item(&saved.body, "1")["self_score"], 15.0);
    assert_eq!(item(&saved.body, "2")["self_score"], Value::Null);
    assert_eq!(item(&saved.body, "2")["self_note"], "待补充");

    // Missing self-scores and evidence block submission and name the items.
    let refused = app
        .post(
            &format!("/api/v1/assessments/{id}/submit"),
            json!({"opinion": "提交"}),
            Some(&w.a),
        )
        .await;
    refused.expect_problem(422, "assessment.incomplete");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"items.1") && fields.contains(&"items.7"), "{fields:?}");

    // Evidence must be the enterprise's own PDF material scan.
    let photo = app
        .upload(&w.a, "certificate_scan", "证书.png", crate::files::png(200, 200))
        .await;
    let wrong = app
        .post(
            &format!("/api/v1/assessments/{id}/items/1/documents"),
            json!({"document_id": id_of(&photo.body)}),
            Some(&w.a),
        )
        .await;
    wrong.expect_problem(422, "request.invalid_fields");
    assert_eq!(wrong.body["errors"][0]["code"], "assessment.document_unusable");
    let rectification = app
        .post(
            &format!("/api/v1/assessments/{id}/items/1/documents"),
            json!({"document_id": scan(app, &w.a).await, "role": "rectification"}),
            Some(&w.a),
        )
        .await;
    assert_eq!(rectification.body["errors"][0]["code"], "assessment.not_rectifying");

    // Removing evidence before submission frees the document again.
    let spare = scan(app, &w.a).await;
    app.post(
        &format!("/api/v1/assessments/{id}/items/2/documents"),
        json!({"document_id": spare}),
        Some(&w.a),
    )
    .await
    .expect(201);
    app.delete(
        &format!("/api/v1/assessments/{id}/items/2/documents/{spare}"),
        Some(&w.a),
    )
    .await
    .expect(204);
    app.delete(&format!("/api/v1/documents/{spare}"), Some(&w.a))
        .await
        .expect(204);

    let filled = fill_scored(app, &w.a, &draft, |max| max - 1.0).await;
    let evidence = item(&filled, "1")["documents"][0]["document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let submitted = submit(app, &w.a, &id).await;
    assert_eq!(submitted["state"], "submitted");
    assert_eq!(submitted["rounds"][0]["submit_opinion"], "已自评，请审核");

    // Submitted: read-only to the enterprise, and its evidence is locked.
    app.delete(&format!("/api/v1/documents/{evidence}"), Some(&w.a))
        .await
        .expect_problem(409, "document.locked");
    for answer in [
        app.put(&path, items(json!([{"number": "1", "self_score": 1}])), Some(&w.a))
            .await,
        app.delete(&format!("/api/v1/assessments/{id}"), Some(&w.a)).await,
        app.post(
            &format!("/api/v1/assessments/{id}/submit"),
            json!({"opinion": "再次提交"}),
            Some(&w.a),
        )
        .await,
        app.post(
            &format!("/api/v1/assessments/{id}/items/1/documents"),
            json!({"document_id": scan(app, &w.a).await}),
            Some(&w.a),
        )
        .await,
        app.delete(
            &format!("/api/v1/assessments/{id}/items/1/documents/{evidence}"),
            Some(&w.a),
        )
        .await,
    ] {
        answer.expect_problem(409, "assessment.state_forbids");
        assert!(
            answer.body["detail"]
                .as_str()
                .unwrap()
                .contains("只有草稿和被退回的考核"),
            "{}",
            answer.text
        );
    }

    // A draft can be deleted; it disappears from lists, and the period is free again.
    let other = create(app, &w.a, "general_conditions", "2026").await;
    app.delete(&format!("/api/v1/assessments/{}", id_of(&other)), Some(&w.a))
        .await
        .expect(204);
    app.get(&format!("/api/v1/assessments/{}", id_of(&other)), Some(&w.a))
        .await
        .expect_problem(404, "resource.not_found");
    let listed = app.get("/api/v1/assessments", Some(&w.a)).await;
    let ids: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()]);
    create(app, &w.a, "general_conditions", "2026").await;

    let history = app.get(&format!("/api/v1/assessments/{id}/history"), Some(&w.a)).await;
    let moves: Vec<(&str, &str)> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from_state"].as_str().unwrap(), h["to_state"].as_str().unwrap()))
        .collect();
    assert_eq!(moves, [("new", "draft"), ("draft", "submitted")]);
}
