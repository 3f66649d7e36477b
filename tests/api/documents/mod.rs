//! Documents: streaming uploads, content checks, signed links, scope, deletion, presigned
//! uploads, the sweeper, and store outages, on local files (SQLite run) and on Garage
//! (PostgreSQL run).

use crate::harness::{Answer, Engine, TestApp};

mod access;
mod limits;
mod outage;
mod presigned;
mod uploads;

/// An app with two enterprises (districts 370102 and 370103), a person, and staff.
struct World {
    app: TestApp,
    a: String,
    a_id: String,
    b: String,
    person: String,
    person_id: String,
    city: String,
    lixia: String,
    shizhong: String,
}

async fn world_with(engine: Engine, configure: impl FnOnce(&mut zhujian::platform::config::Settings)) -> World {
    let app = TestApp::start_with(engine, configure).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let (a_id, pa) = app
        .enterprise_account(&city, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let (_, pb) = app
        .enterprise_account(&city, "91110000802100433B", "370103", "13912345679")
        .await;
    let token = |answer: Answer| answer.body["access_token"].as_str().unwrap().to_owned();
    let a = token(app.enterprise_token("91350100M000100Y43", &pa).await);
    let b = token(app.enterprise_token("91110000802100433B", &pb).await);
    let login = app.person_login("openid-worker").await;
    let person_id = login.body["account_id"].as_str().unwrap().to_owned();
    let person = token(login);
    World {
        app,
        a,
        a_id,
        b,
        person,
        person_id,
        city,
        lixia,
        shizhong,
    }
}

async fn world(engine: Engine) -> World {
    world_with(engine, |_| {}).await
}

async fn upload(app: &TestApp, token: &str, purpose: &str, name: &str, bytes: Vec<u8>) -> Answer {
    app.upload(token, purpose, name, bytes).await
}

/// Objects stored for one owner.
async fn objects_of(app: &TestApp, owner: &str, id: &str) -> usize {
    app.state
        .objects
        .list(&format!("documents/{owner}/{id}/"))
        .await
        .unwrap()
        .len()
}

async fn rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM documents")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

async fn download(app: &TestApp, token: &str, id: &str) -> (u16, Vec<u8>, Option<String>) {
    let link = app.get(&format!("/api/v1/documents/{id}/link"), Some(token)).await;
    link.expect(200);
    let response = app.client.get(link.body["url"].as_str().unwrap()).send().await.unwrap();
    let status = response.status().as_u16();
    let disposition = response
        .headers()
        .get("content-disposition")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, response.bytes().await.unwrap().to_vec(), disposition)
}
