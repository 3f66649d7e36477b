//! Verification tasks: selection rules, review, scope, and freezing after approval.

use serde_json::json;

use crate::both_engines;
use crate::harness::Engine;
use crate::people::person;

use super::{review, select, set_site, setup};

both_engines!(selection_rules_and_review, tasks_are_scoped_and_frozen_after_approval);

async fn selection_rules_and_review(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    let candidates = app
        .get(&format!("/api/v1/verification/tasks/{}/candidates", s.task), Some(&s.a))
        .await;
    assert_eq!(candidates.body.as_array().unwrap().len(), 2);

    // With a safety licence: at least 2 of the 3 required in total, 1 registered, 1 titled.
    select(&s, &[&s.lead])
        .await
        .expect_problem(422, "verification.too_few_in_total");
    select(&s, &[&s.titled])
        .await
        .expect_problem(422, "verification.technical_lead_missing");
    select(&s, &[&s.lead, "not-staff"])
        .await
        .expect_problem(422, "verification.person_not_qualified");
    select(&s, &[&s.lead, &s.lead])
        .await
        .expect_problem(422, "verification.duplicate");
    // Without one, everyone required: 2 registered are needed.
    let no_licence = json!({"safety_licence": null});
    app.send(
        app.client
            .patch(app.url(&format!("/api/v1/enterprises/{}", s.a_id)))
            .bearer_auth(&s.a)
            .json(&no_licence),
    )
    .await
    .expect(200);
    select(&s, &[&s.lead, &s.titled])
        .await
        .expect_problem(422, "verification.too_few_registered");
    let licence = json!({"safety_licence": {"number": "(鲁)JZ安许证字[2024]010001"}});
    app.send(
        app.client
            .patch(app.url(&format!("/api/v1/enterprises/{}", s.a_id)))
            .bearer_auth(&s.a)
            .json(&licence),
    )
    .await
    .expect(200);

    let submitted = select(&s, &[&s.lead, &s.titled]).await;
    submitted.expect(200);
    assert_eq!(submitted.body["state"], "selection_submitted");
    assert_eq!(submitted.body["selection"].as_array().unwrap().len(), 2);

    review(&s, &s.shizhong, "approve")
        .await
        .expect_problem(404, "resource.not_found");
    review(&s, &s.a, "approve")
        .await
        .expect_problem(403, "auth.forbidden_role");
    let rejected = review(&s, &s.lixia, "reject").await;
    assert_eq!(rejected.body["state"], "open");
    assert_eq!(rejected.body["reviews"][0]["opinion"], "人员证件不清晰");
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    // Nobody could check in at a site without coordinates: approval waits for them.
    review(&s, &s.lixia, "approve")
        .await
        .expect_problem(409, "verification.site_missing");
    set_site(&s).await;
    let approved = review(&s, &s.lixia, "approve").await;
    approved.expect(200);
    assert_eq!(approved.body["state"], "checking_in");
    let today = zhujian::platform::types::Date::today_in_china(zhujian::platform::clock::Clock::now_ms(&*app.clock));
    assert_eq!(approved.body["window_end"], today.add_months(1).to_string());

    // Each selected person is told in their inbox; the contact gets SMS notices.
    let inbox: Vec<String> =
        sqlx::query_scalar("SELECT recipient_id FROM notifications WHERE kind = 'verification.check_in_open'")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(inbox.len(), 2);
    for kind in [
        "verification.task_opened",
        "verification.rejected",
        "verification.approved",
    ] {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE kind = $1 AND channel = 'sms'")
            .bind(kind)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        assert_eq!(n, 1, "{kind}");
    }
}

async fn tasks_are_scoped_and_frozen_after_approval(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    let path = format!("/api/v1/verification/tasks/{}", s.task);
    app.get(&path, Some(&s.b))
        .await
        .expect_problem(404, "resource.not_found");
    app.get(&path, Some(&s.shizhong))
        .await
        .expect_problem(404, "resource.not_found");
    app.get(&path, Some(&s.a)).await.expect(200);
    assert!(app
        .get("/api/v1/verification/tasks", Some(&s.b))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        app.get("/api/v1/verification/tasks", Some(&s.lixia))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A person sees only tasks that take their check-in: none before approval.
    let p = person(app, "openid-p").await;
    let mine = app.get("/api/v1/verification/tasks", Some(&p)).await;
    mine.expect(200);
    assert_eq!(mine.body, json!([]));
    let other = app
        .post(
            "/api/v1/verification/tasks",
            json!({"enterprise_id": s.a_id, "qualification_id": "x", "kind": "routine"}),
            Some(&s.shizhong),
        )
        .await;
    other.expect_problem(404, "resource.not_found");

    set_site(&s).await;
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    select(&s, &[&s.lead, &s.titled])
        .await
        .expect_problem(409, "verification.state");
    let body = json!({"decision": "approve", "opinion": "同意"});
    app.post(&format!("{path}/review"), body.clone(), Some(&s.lixia))
        .await
        .expect(200);
    // Frozen: no new selection, no second review.
    select(&s, &[&s.lead, &s.titled])
        .await
        .expect_problem(409, "verification.state");
    app.post(&format!("{path}/review"), body, Some(&s.lixia))
        .await
        .expect_problem(409, "verification.state");
    let requirement = json!({"category": "x", "grade": "y", "registered": 1, "titled": 1});
    app.send(
        app.client
            .put(app.url("/api/v1/verification/requirements"))
            .bearer_auth(&s.lixia)
            .json(&requirement),
    )
    .await
    .expect_problem(403, "auth.forbidden_role");
}
