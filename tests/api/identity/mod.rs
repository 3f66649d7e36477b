//! Identity assurance: verification at the authority's desk, WeChat face verification
//! (人脸核身) against the fake WeChat server, and the minimum level of employment acceptance.

use serde_json::json;

use crate::harness::{Answer, TestApp};

mod desk;
mod wechat;

/// The person's profile.
async fn profile(app: &TestApp, token: &str) -> Answer {
    let answer = app.get("/api/v1/people/me", Some(token)).await;
    answer.expect(200);
    answer
}

async fn level(app: &TestApp, token: &str) -> String {
    profile(app, token).await.body["assurance"]["level"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A desk code opened by the person.
async fn desk_code(app: &TestApp, token: &str) -> String {
    let answer = app.post("/api/v1/people/me/desk-code", json!({}), Some(token)).await;
    answer.expect(201);
    answer.body["challenge_id"].as_str().unwrap().to_owned()
}

/// Staff send the card's ID number and name with the person's desk code.
async fn verify_at_desk(app: &TestApp, staff: &str, code: &str, id_number: &str, name: &str) -> Answer {
    let body = json!({"desk_code": code, "id_number": id_number, "name": name});
    app.post("/api/v1/people/desk-verifications", body, Some(staff)).await
}
