//! Contact phones in the enterprise history: sealed at rest, masked when shown.

use serde_json::json;

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(history_phones_are_sealed_and_masked);

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
