//! Review: item by item, rectification rounds, every round kept.

use serde_json::json;

use crate::both_engines;
use crate::harness::Engine;

use super::{create, fill_scored, finish, id_of, item, review_all, scan, submit, world};

both_engines!(review_goes_item_by_item_and_keeps_every_round);

async fn review_goes_item_by_item_and_keeps_every_round(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let draft = create(app, &w.a, "general_conditions", "2026").await;
    let id = id_of(&draft);
    fill_scored(app, &w.a, &draft, |max| max).await;
    // Drafts are not reviewed.
    app.post(
        &format!("/api/v1/assessments/{id}/items/1/score"),
        json!({"action": "accept"}),
        Some(&w.lixia),
    )
    .await
    .expect_problem(409, "assessment.state_forbids");
    app.post(
        &format!("/api/v1/assessments/{id}/finish"),
        json!({"opinion": "通过"}),
        Some(&w.lixia),
    )
    .await
    .expect_problem(409, "assessment.state_forbids");
    let submitted = submit(app, &w.a, &id).await;
    let score = |number: &str| format!("/api/v1/assessments/{id}/items/{number}/score");
    let decide = |number: &str| format!("/api/v1/assessments/{id}/items/{number}/decision");

    // ✗ needs a score within range and an opinion; passing needs an assessed score.
    for (body, code) in [
        (json!({"action": "override", "score": 5}), "assessment.opinion_required"),
        (
            json!({"action": "override", "score": 10.5, "opinion": "扣分"}),
            "assessment.score_out_of_range",
        ),
        (
            json!({"action": "override", "opinion": "扣分"}),
            "assessment.score_required",
        ),
    ] {
        let refused = app.post(&score("2"), body, Some(&w.lixia)).await;
        refused.expect_problem(422, "request.invalid_fields");
        assert_eq!(refused.body["errors"][0]["code"], code);
    }
    app.post(&decide("2"), json!({"decision": "pass"}), Some(&w.lixia))
        .await
        .expect_problem(409, "assessment.item_not_assessed");
    let rejected = app
        .post(&decide("2"), json!({"decision": "reject"}), Some(&w.lixia))
        .await;
    assert_eq!(rejected.body["errors"][0]["code"], "assessment.opinion_required");

    let accepted = app.post(&score("1"), json!({"action": "accept"}), Some(&w.lixia)).await;
    accepted.expect(200);
    assert_eq!(accepted.body["state"], "under_review");
    assert_eq!(item(&accepted.body, "1")["assessed_score"], 10.0);
    let overridden = app
        .post(
            &score("2"),
            json!({"action": "override", "score": 6.5, "opinion": "责任制未覆盖全员"}),
            Some(&w.lixia),
        )
        .await;
    assert_eq!(item(&overridden.body, "2")["assessed_score"], 6.5);
    app.post(&score("2"), json!({"action": "accept"}), Some(&w.lixia))
        .await
        .expect(200);
    app.post(&finish_path(&id), json!({"opinion": "审核完毕"}), Some(&w.lixia))
        .await
        .expect_problem(409, "assessment.items_undecided");

    // One rejected item returns the record with that item.
    review_all(app, &w.lixia, &submitted, |_| None).await;
    app.post(
        &decide("3"),
        json!({"decision": "reject", "opinion": "缺少机构设置文件"}),
        Some(&w.lixia),
    )
    .await
    .expect(200);
    let returned = finish(app, &w.lixia, &id).await;
    assert_eq!(returned["state"], "returned");
    assert_eq!(returned["return_reason"], "rejected");
    assert_eq!(returned["shown_round"], 1);
    assert_eq!(item(&returned, "3")["review_state"], "rejected");
    assert_eq!(item(&returned, "3")["review_opinion"], "缺少机构设置文件");
    assert_eq!(returned["rounds"][0]["outcome"], "returned");
    app.post(&score("1"), json!({"action": "accept"}), Some(&w.lixia))
        .await
        .expect_problem(409, "assessment.state_forbids");
    // The enterprise's contact is told by SMS which items came back.
    zhujian::notify::outbox::deliver_due(&app.state).await.unwrap();
    let sms = app
        .sms
        .last_to("13912345678")
        .expect("a notice to the enterprise contact");
    assert_eq!(sms.params[0], "考核自评被退回，请修改后重新提交");
    assert_eq!(sms.params[1], "企业一般安全生产条件动态考核（2026）第 3 项：审核完毕");

    // The enterprise edits the next round; the first stays as it was.
    let round2 = app.get(&format!("/api/v1/assessments/{id}"), Some(&w.a)).await.body;
    assert_eq!(
        (round2["round"].as_i64(), round2["shown_round"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(item(&round2, "3")["review_state"], "pending");
    assert_eq!(item(&round2, "3")["self_score"], 10.0);
    assert_eq!(item(&round2, "3")["documents"].as_array().unwrap().len(), 1);
    app.put(
        &format!("/api/v1/assessments/{id}/items"),
        json!({"items": [{"number": "3", "self_score": 9}]}),
        Some(&w.a),
    )
    .await
    .expect(200);
    let round1 = app
        .get(&format!("/api/v1/assessments/{id}?round=1"), Some(&w.a))
        .await
        .body;
    assert_eq!(item(&round1, "3")["self_score"], 10.0);
    assert_eq!(item(&round1, "3")["review_state"], "rejected");
    app.get(&format!("/api/v1/assessments/{id}?round=3"), Some(&w.a))
        .await
        .expect_problem(404, "resource.not_found");
    submit(app, &w.a, &id).await;

    // Exactly 60 % is basically qualified: back for rectification.
    let deductions = |number: &str| match number {
        "1" | "2" | "3" | "4" => Some(0.0),
        _ => None,
    };
    review_all(app, &w.city, &round2, deductions).await;
    let rectify = finish(app, &w.city, &id).await;
    assert_eq!(rectify["assessed_total"], 60.0);
    assert_eq!(rectify["result"], "basically_qualified");
    assert_eq!(rectify["return_reason"], "rectification");
    assert_eq!(rectify["rounds"][1]["result"], "basically_qualified");

    // Rectification material is new material: last round's evidence does not count.
    let old_evidence = item(&rectify, "1")["documents"][0]["document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reused = app
        .post(
            &format!("/api/v1/assessments/{id}/items/1/documents"),
            json!({"document_id": old_evidence, "role": "rectification"}),
            Some(&w.a),
        )
        .await;
    assert_eq!(reused.body["errors"][0]["code"], "assessment.document_unusable");
    app.post(
        &format!("/api/v1/assessments/{id}/items/1/documents"),
        json!({"document_id": old_evidence}),
        Some(&w.a),
    )
    .await
    .expect_problem(409, "assessment.document_already_attached");

    // Rectification material is needed on every item that lost points.
    let refused = app
        .post(
            &format!("/api/v1/assessments/{id}/submit"),
            json!({"opinion": "已整改"}),
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
    assert_eq!(fields, ["items.1", "items.2", "items.3", "items.4"]);
    for number in ["1", "2", "3", "4"] {
        app.post(
            &format!("/api/v1/assessments/{id}/items/{number}/documents"),
            json!({"document_id": scan(app, &w.a).await, "role": "rectification"}),
            Some(&w.a),
        )
        .await
        .expect(201);
    }
    app.put(
        &format!("/api/v1/assessments/{id}/items"),
        json!({"items": [{"number": "1", "rectification_note": "制度已重新发布"}]}),
        Some(&w.a),
    )
    .await
    .expect(200);
    let round3 = submit(app, &w.a, &id).await;
    assert_eq!(round3["round"], 3);
    assert_eq!(item(&round3, "1")["rectification_note"], "制度已重新发布");

    // Exactly 80 % is qualified: approved, and read-only from then on.
    // Item 3's self-score is 9 since round 2; the reviewer finds it worth 10.
    let round3_scores = |number: &str| match number {
        "1" | "2" => Some(0.0),
        "3" => Some(10.0),
        _ => None,
    };
    review_all(app, &w.lixia, &round3, round3_scores).await;
    let approved = finish(app, &w.lixia, &id).await;
    assert_eq!(approved["state"], "approved");
    assert_eq!(approved["assessed_total"], 80.0);
    assert_eq!(approved["result"], "qualified");
    assert_eq!(approved["rounds"].as_array().unwrap().len(), 3);
    app.delete(&format!("/api/v1/assessments/{id}"), Some(&w.a))
        .await
        .expect_problem(409, "assessment.state_forbids");

    // A returned record may also be deleted instead of resubmitted.
    let other = create(app, &w.a, "safety_director", "2026").await;
    fill_scored(app, &w.a, &other, |max| max).await;
    let other_submitted = submit(app, &w.a, &id_of(&other)).await;
    review_all(app, &w.lixia, &other_submitted, |_| None).await;
    app.post(
        &format!("/api/v1/assessments/{}/items/1/decision", id_of(&other)),
        json!({"decision": "reject", "opinion": "材料不清晰"}),
        Some(&w.lixia),
    )
    .await
    .expect(200);
    assert_eq!(finish(app, &w.lixia, &id_of(&other)).await["state"], "returned");
    app.delete(&format!("/api/v1/assessments/{}", id_of(&other)), Some(&w.a))
        .await
        .expect(204);

    // The item's review records across all rounds, oldest first.
    let records = app
        .get(&format!("/api/v1/assessments/{id}/items/2/history"), Some(&w.a))
        .await;
    let acts: Vec<(i64, &str)> = records
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["round"].as_i64().unwrap(), r["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        acts,
        [
            (1, "override"),
            (1, "accept"),
            (1, "accept"),
            (1, "pass"),
            (2, "override"),
            (2, "pass"),
            (3, "override"),
            (3, "pass")
        ]
    );
    assert_eq!(records.body[0]["opinion"], "责任制未覆盖全员");
    assert_eq!(records.body[0]["score"], 6.5);
    assert_eq!(records.body[0]["reviewer_name"], "lixia");
}

fn finish_path(id: &str) -> String {
    format!("/api/v1/assessments/{id}/finish")
}
