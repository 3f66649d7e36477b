//! Task deadlines: first-time tasks lapse, routine tasks go to rectification, then are withdrawn.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::{Engine, TestApp};
use crate::people::person;

use super::{approved, check_in, review, select, Setup, Try, SITE};

both_engines!(
    first_time_tasks_lapse_and_progress_is_reported,
    routine_tasks_rectify_then_withdraw
);

/// A token for the enterprise as signing in would give (the clock jumps past every token).
pub(crate) fn enterprise_token_now(app: &TestApp, enterprise_id: &str) -> String {
    let subject = zhujian::auth::tokens::Subject {
        account_id: enterprise_id.to_owned(),
        role: zhujian::auth::Role::Enterprise,
        scope: zhujian::auth::Scope::Enterprise(enterprise_id.into()),
        channel: zhujian::auth::Channel::Web,
    };
    app.state.tokens.issue(
        &subject,
        "test-session",
        zhujian::platform::clock::Clock::now_ms(&*app.clock),
    )
}

async fn task_state(s: &Setup) -> Value {
    let lixia = s.app.login_staff("lixia", "Passw0rd-staff").await;
    s.app
        .get(&format!("/api/v1/verification/tasks/{}", s.task), Some(&lixia))
        .await
        .body
}

async fn first_time_tasks_lapse_and_progress_is_reported(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    check_in(
        &s,
        Try {
            token: &p,
            photo: "person-a-selfie.jpg",
            lat: SITE.0,
            lon: SITE.1,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await
    .expect(201);
    let progress = app
        .get(
            &format!("/api/v1/verification/tasks/{}/progress", s.task),
            Some(&s.lixia),
        )
        .await;
    let done: Vec<bool> = progress
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["checked_in"].as_bool().unwrap())
        .collect();
    assert_eq!(done.iter().filter(|d| **d).count(), 1);
    assert_eq!(done.len(), 2);
    let csv = app
        .get(
            &format!("/api/v1/verification/tasks/{}/progress.csv", s.task),
            Some(&s.lixia),
        )
        .await;
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.text.contains("张三") && csv.text.contains("110105********002X") && csv.text.contains("否"),
        "{}",
        csv.text
    );
    app.get(
        &format!("/api/v1/verification/tasks/{}/progress.csv", s.task),
        Some(&s.shizhong),
    )
    .await
    .expect_problem(404, "resource.not_found");
    app.get(&format!("/api/v1/verification/tasks/{}/progress", s.task), Some(&p))
        .await
        .expect_problem(403, "auth.forbidden_role");

    // Not yet overdue: nothing closes. A month and a bit later: the first-time task lapses.
    assert_eq!(
        zhujian::verification::outcomes::close_overdue(&app.state)
            .await
            .unwrap(),
        0
    );
    app.clock.advance_secs(33 * 24 * 3600);
    assert_eq!(
        zhujian::verification::outcomes::close_overdue(&app.state)
            .await
            .unwrap(),
        1
    );
    let task = task_state(&s).await;
    assert_eq!(task["state"], "lapsed");
    let notices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'verification.lapsed'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(notices, 1);
    // The job's change committed with its audit event, the job named as the actor.
    let closed: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor_kind, actor_id, target FROM audit_events WHERE action = 'close overdue verification task'",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        closed,
        vec![(
            "system".into(),
            "verification.close".into(),
            format!("verification_task:{}", s.task)
        )]
    );
}

async fn routine_tasks_rectify_then_withdraw(engine: Engine) {
    let mut s = approved(engine).await;
    let app = &s.app;
    // A second certificate: the first one's task is still in progress.
    let q = json!({"category": "测试资质", "grade": "一级", "issued_on": "2026-04-01"});
    let qualification = app
        .post(&format!("/api/v1/enterprises/{}/qualifications", s.a_id), q, Some(&s.a))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let routine = app
        .post(
            "/api/v1/verification/tasks",
            json!({"enterprise_id": s.a_id, "qualification_id": qualification, "kind": "routine"}),
            Some(&s.lixia),
        )
        .await;
    routine.expect(201);
    s.task = routine.body["id"].as_str().unwrap().to_owned();
    let today = zhujian::platform::types::Date::today_in_china(zhujian::platform::clock::Clock::now_ms(&*app.clock));
    assert_eq!(
        routine.body["start_deadline"],
        today.add_months(1).to_string(),
        "one month from the notice"
    );
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    review(&s, &s.lixia, "approve").await.expect(200);

    app.clock.advance_secs(33 * 24 * 3600);
    assert!(
        zhujian::verification::outcomes::close_overdue(&app.state)
            .await
            .unwrap()
            >= 1
    );
    assert_eq!(task_state(&s).await["state"], "rectification");
    let (deadline, reasons): (String, String) =
        sqlx::query_as("SELECT rectification_deadline, rectification_reasons FROM verification_tasks WHERE id = $1")
            .bind(&s.task)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert!(reasons.contains("2 名"), "{reasons}");
    assert!(!deadline.is_empty());

    // The enterprise answers with its report; round 2 begins.
    let a = enterprise_token_now(app, &s.a_id);
    let url = format!("/api/v1/verification/tasks/{}/rectification", s.task);
    let missing = app
        .post(&url, json!({"report": "已整改", "document_id": "none"}), Some(&a))
        .await;
    assert_eq!(missing.body["errors"][0]["code"], "verification.report_missing");
    let pdf = app
        .upload(&a, "material_scan", "整改报告.pdf", crate::files::pdf(6000))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let answered = app
        .post(
            &url,
            json!({"report": "已组织人员按期打卡", "document_id": pdf}),
            Some(&a),
        )
        .await;
    answered.expect(200);
    assert_eq!(
        (answered.body["state"].as_str(), answered.body["round"].as_i64()),
        (Some("open"), Some(2))
    );
    app.post(&url, json!({"report": "x", "document_id": pdf}), Some(&a))
        .await
        .expect_problem(409, "verification.state");

    s.a = a;
    s.lixia = app.login_staff("lixia", "Passw0rd-staff").await;
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    review(&s, &s.lixia, "approve").await.expect(200);
    app.clock.advance_secs(33 * 24 * 3600);
    zhujian::verification::outcomes::close_overdue(&app.state)
        .await
        .unwrap();
    assert_eq!(
        task_state(&s).await["state"],
        "withdrawn",
        "failing again: the qualification is to be withdrawn"
    );
}
