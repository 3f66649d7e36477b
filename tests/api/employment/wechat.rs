//! Persons get WeChat subscription messages besides their inbox: the configured template,
//! their openid, data within WeChat's limits; a refusal (43101) is final; an expired access
//! token is fetched again once. Texts name things, never an id.

use serde_json::{json, Value};
use zhujian::notify::outbox::deliver_due;

use crate::both_engines;
use crate::harness::Engine;
use crate::harness::TestApp;

use super::{send_request, world_with};

both_engines!(subscription_messages_reach_the_person);

const ENTERPRISE: &str = "企业91350100M000100Y43";

/// Every string in `params` under a key ending in `id`.
fn ids_in(params: &str) -> Vec<String> {
    let params: Value = serde_json::from_str(params).unwrap();
    params
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| k.ends_with("id") && v.is_string())
        .map(|(_, v)| v.as_str().unwrap().to_owned())
        .collect()
}

/// (state, attempts, last_error) of the person's WeChat messages, oldest first.
async fn wechat_rows(app: &TestApp) -> Vec<(String, i64, Option<String>)> {
    sqlx::query_as(
        "SELECT state, attempts, last_error FROM notifications WHERE channel = 'wechat' ORDER BY created_at, id",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap()
}

async fn subscription_messages_reach_the_person(engine: Engine) {
    let w = world_with(engine, |s| {
        s.wechat.subscribe_templates = vec![
            "employment.requested TPL-REQ thing1=enterprise thing2=position time3=time thing4=body".into(),
            "employment.withdrawn TPL-WD thing1=enterprise phrase2=title".into(),
        ];
        s.wechat.miniprogram_state = "developer".into();
    })
    .await;
    let app = &w.app;
    let fake = &app.wechat.subscribe;
    fake.add_template("TPL-REQ", &["thing1", "thing2", "time3", "thing4"]);
    fake.add_template("TPL-WD", &["thing1", "phrase2"]);
    fake.subscribe("openid-p", "TPL-REQ", 1);
    fake.subscribe("openid-p", "TPL-WD", 1);

    let request = send_request(app, &w.a).await;
    let inbox = app.get("/api/v1/notifications", Some(&w.p)).await;
    assert_eq!(
        inbox.body.as_array().unwrap().len(),
        1,
        "the WeChat copy is not listed: {}",
        inbox.text
    );
    let notice = &inbox.body[0];
    assert_eq!(notice["title"], "聘用确认请求");
    assert_eq!(notice["body"], format!("{ENTERPRISE}请您确认聘用为项目负责人"));
    let report = deliver(app).await;
    assert_eq!(report.delivered, 1, "{report:?}");
    let sent = fake.sent_to("openid-p");
    assert_eq!(sent.len(), 1);
    let message = &sent[0];
    assert_eq!(message.template_id, "TPL-REQ");
    assert_eq!(message.miniprogram_state, "developer");
    assert_eq!(
        message.page,
        format!("pages/notifications/index?id={}", notice["id"].as_str().unwrap())
    );
    assert_eq!(message.data["thing1"], ENTERPRISE, "20 characters fit");
    assert_eq!(message.data["thing2"], "项目负责人");
    assert_eq!(
        message.data["thing4"], "企业91350100M000100Y4…",
        "the body cut to 20 characters"
    );
    assert_eq!(message.touser, "openid-p");
    assert!(message.data["time3"].contains('年'), "{:?}", message.data);
    let tokens_before = app.wechat.face.token_calls();

    // The token expires: fetched again once, and the message goes.
    app.wechat.face.drop_token(true);
    app.post(
        &format!("/api/v1/employment/requests/{request}/withdraw"),
        json!({}),
        Some(&w.a),
    )
    .await
    .expect(200);
    let calls = fake.calls();
    assert_eq!(deliver(app).await.delivered, 1);
    assert_eq!(app.wechat.face.token_calls(), tokens_before + 1);
    assert_eq!(fake.calls(), calls + 2, "refused for the token, then sent");
    let withdrawn = fake.sent_to("openid-p").pop().unwrap();
    assert_eq!(
        (withdrawn.template_id.as_str(), withdrawn.data["phrase2"].as_str()),
        ("TPL-WD", "聘用请求已")
    );

    // No subscription left: 43101 is final, recorded, never retried.
    send_request(app, &w.a).await;
    let calls = fake.calls();
    let report = deliver(app).await;
    assert_eq!((report.delivered, report.failed, report.retried), (0, 1, 0));
    // No text anywhere names a raw id.
    for token in [&w.p, &w.a] {
        let list = app.get("/api/v1/notifications", Some(token)).await;
        for n in list.body.as_array().unwrap() {
            let text = format!("{} {}", n["title"], n["body"]);
            assert!(!n["title"].as_str().unwrap().is_empty());
            for id in ids_in(n["params"].as_str().unwrap()) {
                assert!(!text.contains(&id), "{text} shows {id}");
            }
        }
    }
    for m in fake.sent_to("openid-p") {
        for value in m.data.values() {
            assert!(!value.contains(&request), "{value}");
        }
    }

    // Much later: still not retried (tokens have expired by then, so this comes last).
    app.clock.advance_secs(2 * 3600);
    deliver(app).await;
    assert_eq!(fake.calls(), calls + 1, "43101 is not retried");
    let rows = wechat_rows(app).await;
    assert_eq!(rows.len(), 3);
    let (state, attempts, error) = &rows[2];
    assert_eq!((state.as_str(), *attempts), ("failed", 1));
    assert!(error.as_deref().unwrap().contains("43101"), "{error:?}");
}

async fn deliver(app: &TestApp) -> zhujian::notify::outbox::DeliveryReport {
    deliver_due(&app.state).await.unwrap()
}
