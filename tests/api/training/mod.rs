//! Training institutions (培训机构) and continuing education (继续教育): accounts opened by the
//! city and sysadmins, the training account reaching nothing else, records entered one by one
//! and by CSV, who sees which records, and the hours a renewal counts.

use serde_json::{json, Value};

use crate::harness::{Answer, TestApp};

mod accounts;
mod hours;
mod records;

pub(crate) const PASSWORD: &str = "Training-2026";

/// Opens a training institution as `opener` and signs in; returns (id, access token).
pub(crate) async fn institution(app: &TestApp, opener: &str, username: &str) -> (String, String) {
    let created = app
        .post(
            "/api/v1/training-institutions",
            json!({"name": format!("{username}培训中心"), "username": username, "password": PASSWORD}),
            Some(opener),
        )
        .await;
    created.expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let login = login(app, username, PASSWORD).await;
    login.expect(200);
    (id, login.body["access_token"].as_str().unwrap().to_owned())
}

pub(crate) async fn login(app: &TestApp, username: &str, password: &str) -> Answer {
    app.post(
        "/api/v1/auth/training/login",
        json!({"username": username, "password": password}),
        None,
    )
    .await
}

/// A good record for `id_number`: special operations, 建筑电工, 24 hours, passed.
pub(crate) fn record(id_number: &str) -> Value {
    json!({"id_number": id_number, "name": "张三", "certificate_kind": "special", "category": "建筑电工",
           "course": "建筑电工安全继续教育", "hours": 24, "completed_on": "2025-03-01", "passed": true})
}

pub(crate) async fn enter(app: &TestApp, token: &str, body: Value) -> Answer {
    app.post("/api/v1/continuing-education", body, Some(token)).await
}

pub(crate) async fn import(app: &TestApp, token: &str, csv: &str) -> Answer {
    app.send(
        app.client
            .post(app.url("/api/v1/continuing-education/import"))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(csv.to_owned()),
    )
    .await
}

/// The courses of a list answer, sorted.
pub(crate) fn courses(list: &Answer) -> Vec<String> {
    let items = list
        .body
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {}", list.text));
    let mut courses: Vec<String> = items.iter().map(|r| r["course"].as_str().unwrap().to_owned()).collect();
    courses.sort();
    courses
}
