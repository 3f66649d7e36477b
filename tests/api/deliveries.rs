//! No duplicate sends: two instances delivering the notification outbox against one database,
//! with a slow SMS provider and the first instance's lease running out mid-batch, send each
//! notice exactly once.

use std::time::Duration;

use serde_json::json;
use zhujian::notify::outbox::{deliver_due, enqueue, Recipient};
use zhujian::platform::clock::Clock;
use zhujian::platform::ids::EnterpriseId;

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(two_instances_send_each_notice_once);

const NOTICES: usize = 6;
const PHONE: &str = "13912345678";

async fn two_instances_send_each_notice_once(engine: Engine) {
    let first = TestApp::start(engine).await;
    let (url, dir, sms) = (
        first.database_url.clone(),
        first.settings.storage.dir.clone(),
        first.settings.sms.endpoint.clone(),
    );
    // The second instance shares the database and the (fake) SMS provider.
    let second = TestApp::start_with(engine, move |s| {
        s.database.url = url;
        s.storage.dir = dir;
        s.sms.endpoint = sms;
    })
    .await;
    let city = first.staff_token("city1", "city", None).await;
    let (enterprise, _) = first
        .enterprise_account(&city, "91350100M000100Y43", "370102", PHONE)
        .await;
    let enterprise = EnterpriseId::from(enterprise);
    let now = first.clock.now_ms();
    let mut conn = first.state.db.acquire().await.unwrap();
    for i in 0..NOTICES {
        let params = json!({"enterprise": "闽建", "qualification": format!("task-{i}")});
        enqueue(
            &mut conn,
            Recipient::EnterpriseContact(&enterprise),
            "verification.passed",
            params,
            now,
        )
        .await
        .unwrap();
    }

    drop(conn);
    assert_eq!(first.metric("zhujian_outbox_pending").await, NOTICES as f64);
    first.sms.set_delay(Duration::from_millis(400));
    let first_batch = tokio::spawn({
        let state = first.state.clone();
        async move { deliver_due(&state).await.unwrap() }
    });
    // While the first is in its first slow send, the second's clock is past the first's lease.
    tokio::time::sleep(Duration::from_millis(150)).await;
    second.clock.advance_secs(31);
    let second_report = deliver_due(&second.state).await.unwrap();
    let first_report = first_batch.await.unwrap();
    assert!(
        !second_report.skipped,
        "the lease had run out, so the second instance works"
    );
    assert_eq!(
        first_report.delivered + second_report.delivered,
        NOTICES,
        "{first_report:?} {second_report:?}"
    );

    let mut sent: Vec<String> = first
        .sms
        .sent_to(PHONE)
        .into_iter()
        .map(|m| m.params[1].clone())
        .collect();
    sent.retain(|p| p.starts_with("闽建task-"));
    sent.sort();
    let expected: Vec<String> = (0..NOTICES).map(|i| format!("闽建task-{i}")).collect();
    assert_eq!(sent, expected, "each notice sent exactly once");
    let states: Vec<String> = sqlx::query_scalar("SELECT state FROM notifications WHERE channel = 'sms'")
        .fetch_all(&first.state.db)
        .await
        .unwrap();
    assert_eq!(states.len(), NOTICES);
    assert!(states.iter().all(|s| s == "delivered"), "{states:?}");

    // The instances' metrics, summed, count each notice once: how operators check it.
    let items = r#"zhujian_job_items_total{job="notifications.deliver"}"#;
    assert_eq!(first.metric(items).await + second.metric(items).await, NOTICES as f64);
    assert_eq!(first.metric("zhujian_outbox_pending").await, 0.0);
}
