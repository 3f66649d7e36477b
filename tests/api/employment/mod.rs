//! Employment: requests, face-checked acceptance in the mini-program, one employer at a time.

use serde_json::{json, Value};

use crate::harness::{Answer, Engine, TestApp};
use crate::people::{person, photo, register, upload, ID};

mod acceptance;
mod certificates;
mod liveness;
mod notices;
mod requests;
mod scope;
mod wechat;

struct World {
    app: TestApp,
    a: String,
    b: String,
    a_id: String,
    p: String,
    city: String,
    shizhong: String,
}

async fn world(engine: Engine) -> World {
    world_with(engine, |_| {}).await
}

async fn world_with(engine: Engine, configure: impl FnOnce(&mut zhujian::platform::config::Settings)) -> World {
    let app = TestApp::start_with(engine, configure).await;
    let city = app.staff_token("city1", "city", None).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let (a_id, pa) = app
        .enterprise_account(&city, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let (_, pb) = app
        .enterprise_account(&city, "91110000802100433B", "370103", "13912345679")
        .await;
    let token = |a: Answer| a.body["access_token"].as_str().unwrap().to_owned();
    let a = token(app.enterprise_token("91350100M000100Y43", &pa).await);
    let b = token(app.enterprise_token("91110000802100433B", &pb).await);
    let p = person(&app, "openid-p").await;
    register(&app, &p, photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg"))
        .await
        .expect(200);
    World {
        app,
        a,
        b,
        a_id,
        p,
        city,
        shizhong,
    }
}

pub(crate) fn offer() -> Value {
    json!({"id_number": ID, "position": "项目负责人", "contract_start": "2026-12-01", "contract_end": "2029-11-30"})
}

async fn send_request(app: &TestApp, enterprise: &str) -> String {
    let answer = app.post("/api/v1/employment/requests", offer(), Some(enterprise)).await;
    answer.expect(201);
    answer.body["id"].as_str().unwrap().to_owned()
}

/// Asks for a challenge, takes a selfie, accepts.
pub(crate) async fn accept(app: &TestApp, person: &str, request: &str, selfie: Vec<u8>) -> Answer {
    let challenge = app
        .post(
            &format!("/api/v1/employment/requests/{request}/challenge"),
            json!({}),
            Some(person),
        )
        .await;
    challenge.expect(201);
    let selfie = upload(app, person, "selfie", selfie).await;
    let body = json!({"challenge_id": challenge.body["challenge_id"], "selfie_document_id": selfie});
    app.post(
        &format!("/api/v1/employment/requests/{request}/accept"),
        body,
        Some(person),
    )
    .await
}
