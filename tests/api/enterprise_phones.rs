//! Contact phones, current and in the enterprise history: sealed at rest, masked when shown,
//! opened only to send an SMS.

use serde_json::json;

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    history_phones_are_sealed_and_masked,
    contact_phones_are_sealed_at_rest,
    plain_contact_phones_from_before_are_sealed
);

const CODE: &str = "91350100M000100Y43";

/// The stored contact phone and its mask.
async fn stored(app: &TestApp, id: &str) -> (String, String) {
    sqlx::query_as("SELECT contact_phone, contact_phone_masked FROM enterprises WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

/// Asks for a reset code and waits for it at `phone`.
async fn reset_code_goes_to(app: &TestApp, phone: &str) {
    let before = app.sms.sent_to(phone).len();
    app.post(
        "/api/v1/auth/enterprise/password-reset",
        json!({"credit_code": CODE}),
        None,
    )
    .await
    .expect(202);
    app.sms.next_to(phone, before).await; // panics unless one went there
}

async fn contact_phones_are_sealed_at_rest(engine: Engine) {
    let app = TestApp::start(engine).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let (id, _) = app.enterprise_account(&lixia, CODE, "370102", "13912345678").await;
    let (sealed, masked) = stored(&app, &id).await;
    assert!(sealed.starts_with("v1:") && !sealed.contains("1391234"), "{sealed}");
    assert_eq!(masked, "139****5678");
    let view = app.get(&format!("/api/v1/enterprises/{id}"), Some(&lixia)).await;
    assert_eq!(view.body["contact_phone"], "139****5678");
    reset_code_goes_to(&app, "13912345678").await;

    let edit = app.client.patch(app.url(&format!("/api/v1/enterprises/{id}")));
    let changed = app
        .send(edit.bearer_auth(&lixia).json(&json!({"contact_phone": "13700001111"})))
        .await;
    changed.expect(200);
    assert_eq!(changed.body["contact_phone"], "137****1111");
    let (sealed, masked) = stored(&app, &id).await;
    assert!(sealed.starts_with("v1:") && !sealed.contains("1370000"), "{sealed}");
    assert_eq!(masked, "137****1111");
    // The notice of the change goes to the new number, opened for sending.
    let report = zhujian::notify::outbox::deliver_due(&app.state).await.unwrap();
    assert_eq!(report.delivered, 1);
    assert!(
        app.sms.last_to("13700001111").is_some(),
        "the notice reached the new phone"
    );
    // The same number again is no change.
    let edit = app.client.patch(app.url(&format!("/api/v1/enterprises/{id}")));
    app.send(edit.bearer_auth(&lixia).json(&json!({"contact_phone": "13700001111"})))
        .await
        .expect(200);
    let changes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enterprise_changes WHERE field = 'contact_phone'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(changes, 1);
}

async fn plain_contact_phones_from_before_are_sealed(engine: Engine) {
    let app = TestApp::start(engine).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let (id, _) = app.enterprise_account(&lixia, CODE, "370102", "13912345678").await;
    // As a row written before migration 25 holds it (the migration made its mask).
    sqlx::query(
        "UPDATE enterprises SET contact_phone = '13800001234', contact_phone_masked = '138****1234' WHERE id = $1",
    )
    .bind(&id)
    .execute(&app.state.db)
    .await
    .unwrap();
    reset_code_goes_to(&app, "13800001234").await;
    let keys = &app.state.keys;
    let sealed = zhujian::enterprises::seal_plain_contact_phones(&app.state.db, keys).await;
    assert_eq!(sealed.unwrap(), 1);
    let (stored_phone, masked) = stored(&app, &id).await;
    assert!(
        stored_phone.starts_with("v1:") && !stored_phone.contains("1380000"),
        "{stored_phone}"
    );
    assert_eq!(masked, "138****1234");
    app.clock.advance_secs(61); // past the resend interval
    reset_code_goes_to(&app, "13800001234").await;
    let again = zhujian::enterprises::seal_plain_contact_phones(&app.state.db, keys).await;
    assert_eq!(again.unwrap(), 0, "sealed rows stay as they are");
}

async fn history_phones_are_sealed_and_masked(engine: Engine) {
    let app = TestApp::start(engine).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let (id, _) = app
        .enterprise_account(&lixia, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let edit = app.client.patch(app.url(&format!("/api/v1/enterprises/{id}")));
    app.send(edit.bearer_auth(&lixia).json(&json!({"contact_phone": "13700001111"})))
        .await
        .expect(200);

    let history = app
        .get(&format!("/api/v1/enterprises/{id}/history"), Some(&lixia))
        .await;
    history.expect(200);
    let phone = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "contact_phone")
        .expect("the phone change is in the history");
    assert_eq!(
        (phone["old_value"].as_str(), phone["new_value"].as_str()),
        (Some("139****5678"), Some("137****1111"))
    );
    assert!(!history.text.contains("13700001111") && !history.text.contains("13912345678"));

    let stored: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT old_value, new_value FROM enterprise_changes WHERE field = 'contact_phone'")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(stored.len(), 1);
    for value in [&stored[0].0, &stored[0].1] {
        let value = value.as_deref().unwrap();
        assert!(
            value.starts_with("v1:") && !value.contains("1370000") && !value.contains("1391234"),
            "{value}"
        );
    }
}
