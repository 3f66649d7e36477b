//! Every assessment endpoint keeps to the caller's jurisdiction.

use serde_json::json;

use crate::both_engines;
use crate::harness::Engine;

use super::{create, fill_scored, finish, id_of, item, review_all, scan, submit, world_with, LIXIA, SHIZHONG};

both_engines!(every_endpoint_keeps_to_its_jurisdiction);

async fn every_endpoint_keeps_to_its_jurisdiction(engine: Engine) {
    // The city station reviews 市中 only; 历下 reviews its own.
    let w = world_with(engine, |s| s.assessments.city_review_districts = vec![SHIZHONG.into()]).await;
    let app = &w.app;
    let draft = create(app, &w.a, "general_conditions", "2026").await;
    let id = id_of(&draft);
    fill_scored(app, &w.a, &draft, |max| max).await;
    let evidence = item(
        &app.get(&format!("/api/v1/assessments/{id}"), Some(&w.a)).await.body,
        "1",
    )["documents"][0]["document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = create(app, &w.b, "general_conditions", "2026").await;

    // Enterprise B and 市中's staff cannot see or touch A's record: 404 everywhere.
    let base = format!("/api/v1/assessments/{id}");
    for token in [&w.b, &w.shizhong] {
        for answer in [
            app.get(&base, Some(token)).await,
            app.get(&format!("{base}/history"), Some(token)).await,
            app.get(&format!("{base}/items/1/history"), Some(token)).await,
        ] {
            answer.expect_problem(404, "resource.not_found");
        }
        let listed = app.get("/api/v1/assessments", Some(token)).await;
        assert!(listed.body.as_array().unwrap().iter().all(|a| a["id"] != id.as_str()));
    }
    let person = json!({"role": "enterprise_principal", "name": "张三", "id_number": "11010519491231002X",
        "position": "总经理", "certificate_name": "A证", "certificate_number": "A-1", "scan_document_id": scan(app, &w.b).await});
    for answer in [
        app.put(&format!("{base}/items"), json!({"items": []}), Some(&w.b))
            .await,
        app.delete(&base, Some(&w.b)).await,
        app.post(&format!("{base}/submit"), json!({"opinion": "提交"}), Some(&w.b))
            .await,
        app.post(
            &format!("{base}/items/1/documents"),
            json!({"document_id": scan(app, &w.b).await}),
            Some(&w.b),
        )
        .await,
        app.delete(&format!("{base}/items/1/documents/{evidence}"), Some(&w.b))
            .await,
        app.post(&format!("{base}/items/09/people"), person, Some(&w.b)).await,
        app.delete(&format!("{base}/items/09/people/{evidence}"), Some(&w.b))
            .await,
    ] {
        answer.expect_problem(404, "resource.not_found");
    }
    // B cannot use A's document as its own evidence.
    let stolen = app
        .post(
            &format!("/api/v1/assessments/{}/items/1/documents", id_of(&other)),
            json!({"document_id": evidence}),
            Some(&w.b),
        )
        .await;
    assert_eq!(stolen.body["errors"][0]["code"], "assessment.document_unusable");

    submit(app, &w.a, &id).await;
    for answer in [
        app.post(
            &format!("{base}/items/1/score"),
            json!({"action": "accept"}),
            Some(&w.shizhong),
        )
        .await,
        app.post(
            &format!("{base}/items/1/decision"),
            json!({"decision": "pass"}),
            Some(&w.shizhong),
        )
        .await,
        app.post(&format!("{base}/finish"), json!({"opinion": "通过"}), Some(&w.shizhong))
            .await,
    ] {
        answer.expect_problem(404, "resource.not_found");
    }
    // The city station reads 历下's record but does not review it.
    app.get(&base, Some(&w.city)).await.expect(200);
    for answer in [
        app.post(
            &format!("{base}/items/1/score"),
            json!({"action": "accept"}),
            Some(&w.city),
        )
        .await,
        app.post(
            &format!("{base}/items/1/decision"),
            json!({"decision": "pass"}),
            Some(&w.city),
        )
        .await,
        app.post(&format!("{base}/finish"), json!({"opinion": "通过"}), Some(&w.city))
            .await,
    ] {
        answer.expect_problem(403, "assessment.outside_review_scope");
    }
    // Enterprises do not review; supervisors and persons do not read self-assessments.
    app.post(
        &format!("{base}/items/1/score"),
        json!({"action": "accept"}),
        Some(&w.a),
    )
    .await
    .expect_problem(403, "auth.forbidden_role");
    let supervisor = app.staff_token("sup1", "supervisor", Some(LIXIA)).await;
    app.get("/api/v1/assessments", Some(&supervisor))
        .await
        .expect_problem(403, "auth.forbidden_role");
    app.get(&base, Some(&supervisor))
        .await
        .expect_problem(403, "auth.forbidden_role");
    // Staff do not edit an enterprise's self-assessment.
    app.put(&format!("{base}/items"), json!({"items": []}), Some(&w.lixia))
        .await
        .expect_problem(403, "auth.forbidden_role");

    // 历下's own staff review it; the city station reviews 市中's.
    let view = app.get(&base, Some(&w.lixia)).await.body;
    review_all(app, &w.lixia, &view, |_| None).await;
    assert_eq!(finish(app, &w.lixia, &id).await["state"], "approved");
    fill_scored(app, &w.b, &other, |max| max).await;
    let submitted = submit(app, &w.b, &id_of(&other)).await;
    review_all(app, &w.city, &submitted, |_| None).await;
    assert_eq!(finish(app, &w.city, &id_of(&other)).await["state"], "approved");
    // The same review scope holds for daily events and result adjustments.
    let a_id = view["enterprise_id"].as_str().unwrap();
    let deduction = json!({"type_code": "authority_penalty", "enterprise_id": a_id, "occurred_on": "2026-03-01", "description": "行政处罚"});
    let event = id_of(&app.post("/api/v1/daily-events", deduction, Some(&w.lixia)).await.body);
    app.post(
        &format!("/api/v1/daily-events/{event}/review"),
        json!({"decision": "pass", "opinion": "属实"}),
        Some(&w.city),
    )
    .await
    .expect_problem(403, "assessment.outside_review_scope");
    let adjustment =
        json!({"period": "2026", "action": "unqualified", "reason_code": "false_material", "opinion": "材料造假"});
    app.post(
        &format!("/api/v1/results/licence/{a_id}/adjustments"),
        adjustment.clone(),
        Some(&w.city),
    )
    .await
    .expect_problem(403, "assessment.outside_review_scope");
    app.post(
        &format!("/api/v1/results/licence/{a_id}/adjustments"),
        adjustment,
        Some(&w.lixia),
    )
    .await
    .expect(201);

    let in_lixia = app
        .get(&format!("/api/v1/assessments?district={LIXIA}"), Some(&w.city))
        .await;
    let ids: Vec<&str> = in_lixia
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()]);
}
