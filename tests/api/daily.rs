//! Daily assessment: bonus reports, deductions, reviews and the point table.

use serde_json::{json, Value};

use crate::both_engines;
use crate::files::pdf;
use crate::harness::{Engine, TestApp};
use crate::projects::{project, setup};

both_engines!(daily_events_are_reported_reviewed_and_valued);

async fn scan(app: &TestApp, token: &str) -> String {
    app.upload(token, "material_scan", "获奖证书.pdf", pdf(2000)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn review(app: &TestApp, id: &str, token: &str, decision: &str) -> crate::harness::Answer {
    let body = json!({"decision": decision, "opinion": "已核实"});
    app.post(&format!("/api/v1/daily-events/{id}/review"), body, Some(token))
        .await
}

async fn daily_events_are_reported_reviewed_and_valued(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    let a_project = id_of(
        &app.post(
            "/api/v1/projects",
            project("P-1", "370102", "91350100M000100Y43"),
            Some(&s.city),
        )
        .await
        .body,
    );
    let b_project = id_of(
        &app.post(
            "/api/v1/projects",
            project("P-2", "370103", "91110000802100433B"),
            Some(&s.city),
        )
        .await
        .body,
    );
    let a_id = app.get(&format!("/api/v1/projects/{a_project}"), Some(&s.a)).await.body["enterprise_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The point table: city staff set values, with the sign of their category.
    let types = app.get("/api/v1/daily-event-types", Some(&s.a)).await;
    assert_eq!(types.body.as_array().unwrap().len(), 5);
    let set = |token: &str, code: &str, points: f64| {
        app.send(
            app.client
                .put(app.url(&format!("/api/v1/daily-event-types/{code}")))
                .bearer_auth(token)
                .json(&json!({"points": points})),
        )
    };
    set(&s.lixia, "award_provincial", 4.0)
        .await
        .expect_problem(403, "auth.forbidden_role");
    let wrong_sign = set(&s.city, "award_provincial", -4.0).await;
    assert_eq!(wrong_sign.body["errors"][0]["code"], "daily.points_invalid");
    set(&s.city, "award_provincial", 4.0).await.expect(200);

    // Enterprises report bonuses with evidence about their own projects.
    let bonus = |document: Value, project: &str| {
        json!({"type_code": "award_provincial", "project_id": project, "occurred_on": "2026-10-15",
               "description": "获评省级安全文明标准化工地", "document_ids": document})
    };
    let evidence = scan(app, &s.a).await;
    let reported = app
        .post("/api/v1/daily-events", bonus(json!([evidence]), &a_project), Some(&s.a))
        .await;
    reported.expect(201);
    assert_eq!(
        (
            reported.body["state"].as_str(),
            reported.body["current_points"].as_f64()
        ),
        (Some("submitted"), Some(4.0))
    );
    assert_eq!(reported.body["points"], Value::Null);
    let event = id_of(&reported.body);
    app.delete(&format!("/api/v1/documents/{evidence}"), Some(&s.a))
        .await
        .expect_problem(409, "document.locked");
    for (body, code) in [
        (bonus(json!([]), &a_project), "daily.evidence_required"),
        (
            bonus(json!([scan(app, &s.a).await]), &b_project),
            "daily.project_unknown",
        ),
        (
            bonus(json!([scan(app, &s.b).await]), &a_project),
            "assessment.document_unusable",
        ),
        (
            json!({"type_code": "authority_penalty", "occurred_on": "2026-10-15", "description": "处罚"}),
            "daily.deduction_by_staff",
        ),
        (
            json!({"type_code": "award_galactic", "occurred_on": "2026-10-15", "description": "x"}),
            "daily.type_unknown",
        ),
    ] {
        let refused = app.post("/api/v1/daily-events", body, Some(&s.a)).await;
        refused.expect_problem(422, "request.invalid_fields");
        assert_eq!(refused.body["errors"][0]["code"], code, "{}", refused.text);
    }

    // Staff record deductions for enterprises in their jurisdiction.
    let deduction = json!({"type_code": "poor_site_management", "enterprise_id": a_id, "project_id": a_project,
                           "occurred_on": "2026-11-02", "description": "临边防护缺失"});
    let other_district = app
        .post("/api/v1/daily-events", deduction.clone(), Some(&s.shizhong))
        .await;
    assert_eq!(other_district.body["errors"][0]["code"], "daily.enterprise_unknown");
    let mut staff_bonus = deduction.clone();
    staff_bonus["type_code"] = json!("award_national");
    let refused = app.post("/api/v1/daily-events", staff_bonus, Some(&s.lixia)).await;
    assert_eq!(refused.body["errors"][0]["code"], "daily.bonus_by_enterprise");
    let recorded = app.post("/api/v1/daily-events", deduction, Some(&s.lixia)).await;
    recorded.expect(201);
    let deducted = id_of(&recorded.body);
    review(app, &deducted, &s.lixia, "pass")
        .await
        .expect_problem(409, "daily.own_record");
    let passed = review(app, &deducted, &s.city, "pass").await;
    assert_eq!(
        (passed.body["state"].as_str(), passed.body["points"].as_f64()),
        (Some("approved"), Some(-2.0))
    );

    // A returned bonus is corrected by its reporter and reported again.
    for token in [&s.b, &s.shizhong] {
        app.get(&format!("/api/v1/daily-events/{event}"), Some(token))
            .await
            .expect_problem(404, "resource.not_found");
        app.get(&format!("/api/v1/daily-events/{event}/history"), Some(token))
            .await
            .expect_problem(404, "resource.not_found");
        app.delete(&format!("/api/v1/daily-events/{event}"), Some(token))
            .await
            .expect_problem(404, "resource.not_found");
    }
    let foreign = bonus(json!([scan(app, &s.b).await]), &b_project);
    let put = app
        .client
        .put(app.url(&format!("/api/v1/daily-events/{event}")))
        .bearer_auth(&s.b)
        .json(&foreign);
    app.send(put).await.expect_problem(404, "resource.not_found");
    review(app, &event, &s.shizhong, "pass")
        .await
        .expect_problem(404, "resource.not_found");
    review(app, &event, &s.a, "pass")
        .await
        .expect_problem(403, "auth.forbidden_role");
    assert_eq!(review(app, &event, &s.lixia, "return").await.body["state"], "returned");
    // The correction may send the evidence it already holds, and add more.
    let correction = bonus(json!([evidence, scan(app, &s.a).await]), &a_project);
    let not_reporter = app
        .send(
            app.client
                .put(app.url(&format!("/api/v1/daily-events/{event}")))
                .bearer_auth(&s.lixia)
                .json(&correction),
        )
        .await;
    not_reporter.expect_problem(403, "daily.not_reporter");
    let corrected = app
        .send(
            app.client
                .put(app.url(&format!("/api/v1/daily-events/{event}")))
                .bearer_auth(&s.a)
                .json(&correction),
        )
        .await;
    corrected.expect(200);
    assert_eq!(corrected.body["document_ids"].as_array().unwrap().len(), 2);
    app.delete(&format!("/api/v1/daily-events/{event}"), Some(&s.a))
        .await
        .expect_problem(409, "assessment.state_forbids");

    // Passing fixes the points; later changes to the table leave them alone.
    assert_eq!(review(app, &event, &s.lixia, "pass").await.body["points"], 4.0);
    set(&s.city, "award_provincial", 6.0).await.expect(200);
    let kept = app.get(&format!("/api/v1/daily-events/{event}"), Some(&s.a)).await;
    assert_eq!(
        (kept.body["points"].as_f64(), kept.body["current_points"].as_f64()),
        (Some(4.0), Some(6.0))
    );
    review(app, &event, &s.lixia, "return")
        .await
        .expect_problem(409, "assessment.state_forbids");

    // A returned report may instead be deleted.
    let third = id_of(
        &app.post(
            "/api/v1/daily-events",
            bonus(json!([scan(app, &s.a).await]), &a_project),
            Some(&s.a),
        )
        .await
        .body,
    );
    review(app, &third, &s.city, "return").await.expect(200);
    app.delete(&format!("/api/v1/daily-events/{third}"), Some(&s.a))
        .await
        .expect(204);

    let bonuses = app
        .get("/api/v1/daily-events?category=bonus&year=2026", Some(&s.a))
        .await;
    let listed: Vec<&str> = bonuses
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [event.as_str()]);
    assert!(app
        .get("/api/v1/daily-events", Some(&s.b))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    let history = app
        .get(&format!("/api/v1/daily-events/{event}/history"), Some(&s.a))
        .await;
    let moves: Vec<&str> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to_state"].as_str().unwrap())
        .collect();
    assert_eq!(moves, ["submitted", "returned", "submitted", "approved"]);
    assert_eq!(history.body[1]["opinion"], "已核实");
}
