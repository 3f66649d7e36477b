//! Check-ins in the console's inbox: an appealed refusal opens at its attempt on the task's
//! progress page, where district staff dismiss the appeal through the API's decision; deciding
//! it again, or from another district, is refused as the API refuses it.

use serde_json::json;

use super::projects::{notice_code, page, post};
use super::{client, console_session, PASSWORD};
use crate::both_engines;
use crate::harness::Engine;
use crate::people::person;
use crate::verification::review::at;
use crate::verification::{approved, check_in};

both_engines!(an_appealed_refusal_is_decided_at_its_attempt);

async fn an_appealed_refusal_is_decided_at_its_attempt(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    let refused = check_in(&s, at(&p, "person-a-selfie.jpg", 1000.0)).await;
    refused.expect_problem(422, "check_in.outside");
    let attempts = app
        .get(&format!("/api/v1/verification/tasks/{}/check-ins", s.task), Some(&s.a))
        .await;
    let attempt = attempts.body[0]["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/verification/check-ins/{attempt}/appeal"),
        json!({"note": "高层建筑遮挡 GPS，人员确在现场"}),
        Some(&s.a),
    )
    .await
    .expect(200);
    let lixia = console_session(app, "lixia", PASSWORD).await;
    let shizhong = console_session(app, "shizhong", PASSWORD).await;

    // From the inbox's queue to the attempt on its task's progress page.
    let opens = format!("/console/verification/check-ins/{attempt}");
    let (status, queue) = page(app, &lixia, "/console/queues/verification.check_in").await;
    assert_eq!(status, 200);
    assert!(queue.contains(&format!(r#"href="{opens}""#)), "{queue}");
    let to = client()
        .get(app.url(&opens))
        .header("cookie", format!("zj_console={lixia}"))
        .send()
        .await
        .unwrap();
    assert_eq!(to.status(), 303);
    let progress = format!("/console/verification/tasks/{}/progress", s.task);
    assert_eq!(
        to.headers()["location"],
        format!("{progress}#attempt-{attempt}").as_str()
    );
    let (status, html) = page(app, &lixia, &progress).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!(r#"id="attempt-{attempt}""#)));
    assert!(html.contains(&format!(r#"data-appeal="{attempt}""#)) && html.contains("高层建筑遮挡 GPS"));

    // Another district reaches neither the attempt nor its appeal.
    let (status, html) = page(app, &shizhong, &opens).await;
    assert_eq!((status, notice_code(&html)), (404, "resource.not_found"));
    let decision = format!("{opens}/appeal");
    let task = s.task.as_str();
    let fields = [
        ("task", task),
        ("decision", "dismiss"),
        ("opinion", "定位偏差过大，维持原判"),
    ];
    let (status, html) = post(app, &shizhong, &decision, &fields).await;
    assert_eq!((status, notice_code(&html)), (404, "resource.not_found"));

    // Dismissed here, as the API records it; deciding it again is the API's refusal.
    let (status, html) = post(app, &lixia, &decision, &fields).await;
    assert_eq!((status, notice_code(&html)), (200, ""), "{html}");
    assert!(html.contains("已处理申诉。") && !html.contains(&format!(r#"data-appeal="{attempt}""#)));
    let decided = app
        .get(
            &format!("/api/v1/verification/tasks/{}/check-ins", s.task),
            Some(&s.lixia),
        )
        .await;
    let decisions = &decided.body[0]["decisions"];
    assert_eq!(decisions[1]["kind"], "appeal_decision");
    assert_eq!(decisions[1]["decision"], "dismiss");
    assert_eq!(decisions[1]["text"], "定位偏差过大，维持原判");
    let again = app
        .post(
            &format!("/api/v1/verification/check-ins/{attempt}/appeal/decision"),
            json!({"decision": "grant", "opinion": "再议"}),
            Some(&s.lixia),
        )
        .await;
    again.expect_problem(409, "check_in.appeal_decided");
    let (status, html) = post(
        app,
        &lixia,
        &decision,
        &[("task", task), ("decision", "grant"), ("opinion", "再议")],
    )
    .await;
    assert_eq!((status, notice_code(&html)), (409, "check_in.appeal_decided"));
}
