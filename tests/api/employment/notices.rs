//! Employment notices reach the person's inbox and the contact's phone, with retries.

use serde_json::json;

use crate::both_engines;
use crate::harness::{Engine, TestApp};
use crate::people::photo;

use super::{accept, send_request, world};

both_engines!(notices_reach_the_inbox_and_the_contact_with_retries);

async fn notices_reach_the_inbox_and_the_contact_with_retries(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let id = send_request(app, &w.a).await;
    let inbox = app.get("/api/v1/notifications", Some(&w.p)).await;
    inbox.expect(200);
    assert_eq!(inbox.body[0]["kind"], "employment.requested");
    assert_eq!(inbox.body[0]["state"], "delivered");
    let notice = inbox.body[0]["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/notifications/{notice}/read"), json!({}), Some(&w.p))
        .await
        .expect(204);
    app.post(&format!("/api/v1/notifications/{notice}/read"), json!({}), Some(&w.a))
        .await
        .expect_problem(404, "resource.not_found");
    assert!(app.get("/api/v1/notifications", Some(&w.p)).await.body[0]["read_at"].is_i64());

    // The acceptance notice goes to the enterprise contact by SMS; a failing gateway is retried.
    accept(app, &w.p, &id, photo("person-a-selfie.jpg")).await.expect(201);
    app.sms.set_failing(Some("LimitExceeded.PhoneNumberDailyLimit"));
    let report = zhujian::notify::outbox::deliver_due(&app.state).await.unwrap();
    assert_eq!((report.delivered, report.retried), (0, 1));
    let pending = app.get("/api/v1/notifications", Some(&w.a)).await;
    assert_eq!(
        (pending.body[0]["state"].as_str(), pending.body[0]["attempts"].as_i64()),
        (Some("pending"), Some(1))
    );
    assert!(pending.body[0]["last_error"]
        .as_str()
        .unwrap()
        .contains("LimitExceeded"));
    // Not due again until its delay has passed.
    app.sms.set_failing(None);
    assert_eq!(
        zhujian::notify::outbox::deliver_due(&app.state)
            .await
            .unwrap()
            .delivered,
        0
    );
    app.clock.advance_secs(31);
    assert_eq!(
        zhujian::notify::outbox::deliver_due(&app.state)
            .await
            .unwrap()
            .delivered,
        1
    );
    let sms = app.sms.last_to("13912345678").unwrap();
    assert_eq!(
        (sms.template_id.as_str(), sms.params[0].as_str()),
        ("100003", "聘用请求已确认")
    );
    // Tokens expired with the clock.
    let a = app
        .enterprise_token("91350100M000100Y43", &password_of(app, "13912345678"))
        .await;
    let delivered = app
        .get("/api/v1/notifications", Some(a.body["access_token"].as_str().unwrap()))
        .await;
    assert_eq!(
        (
            delivered.body[0]["state"].as_str(),
            delivered.body[0]["attempts"].as_i64()
        ),
        (Some("delivered"), Some(2))
    );
}

/// The initial password sent to a contact phone.
fn password_of(app: &TestApp, phone: &str) -> String {
    let sms = app
        .sms
        .sent_to(phone)
        .into_iter()
        .find(|m| m.template_id == "100002")
        .unwrap();
    sms.params[1].clone()
}
