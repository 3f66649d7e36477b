//! Training-institution accounts: opened by the city station and sysadmins only, signing in
//! with username and password, and reaching nothing but continuing education.

use serde_json::{json, Value};

use super::{institution, login, PASSWORD};
use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    training_institutions_are_opened_by_the_city_and_sysadmins,
    training_accounts_sign_in_refresh_and_change_their_password,
    training_account_reaches_nothing_else
);

async fn training_institutions_are_opened_by_the_city_and_sysadmins(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    let district = app.staff_token("lixia", "district", Some("370102")).await;
    let supervisor = app.staff_token("sup", "supervisor", Some("370102")).await;
    let body = |username: &str| {
        json!({"name": "青岛建设培训中心", "username": username, "password": PASSWORD,
                                        "credit_code": "91350100M000100Y43"})
    };

    let created = app
        .post("/api/v1/training-institutions", body("Train-A"), Some(&city))
        .await;
    created.expect(201);
    assert_eq!(created.body["username"], "train-a");
    assert_eq!(created.body["status"], "active");
    assert_eq!(created.body["credit_code"], "91350100M000100Y43");
    assert!(created.body.get("password_hash").is_none());
    app.post("/api/v1/training-institutions", body("train-b"), Some(&admin))
        .await
        .expect(201);
    for token in [&district, &supervisor] {
        app.post("/api/v1/training-institutions", body("train-c"), Some(token))
            .await
            .expect_problem(403, "auth.forbidden_role");
        app.get("/api/v1/training-institutions", Some(token))
            .await
            .expect_problem(403, "auth.forbidden_role");
    }
    app.post("/api/v1/training-institutions", body("TRAIN-A"), Some(&city))
        .await
        .expect_problem(409, "training.username_taken");
    let bad = app
        .post("/api/v1/training-institutions", body("培训"), Some(&city))
        .await;
    bad.expect_problem(422, "request.invalid_fields");
    assert_eq!(bad.body["errors"][0]["code"], "training.username_format");
    let mut weak = body("train-d");
    weak["password"] = json!("short");
    app.post("/api/v1/training-institutions", weak, Some(&city))
        .await
        .expect(422);

    let list = app.get("/api/v1/training-institutions", Some(&admin)).await;
    list.expect(200);
    let names: Vec<&str> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["train-a", "train-b"]);
    let page = app
        .get("/api/v1/training-institutions?page=2&per_page=1", Some(&city))
        .await;
    assert_eq!(page.body[0]["username"], "train-b");
}

async fn training_accounts_sign_in_refresh_and_change_their_password(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let (id, token) = institution(&app, &city, "train-a").await;
    let me = app.get("/api/v1/auth/me", Some(&token)).await;
    me.expect(200);
    assert_eq!(me.body["role"], "training");
    assert_eq!(me.body["scope"], format!("training:{id}"));
    login(&app, "train-a", "Wrong-password1")
        .await
        .expect_problem(401, "auth.invalid_credentials");
    // A staff account of the same name is another account: the staff sign-in does not find it.
    app.post(
        "/api/v1/auth/staff/login",
        json!({"username": "train-a", "password": PASSWORD}),
        None,
    )
    .await
    .expect_problem(401, "auth.invalid_credentials");

    let pair = login(&app, "train-a", PASSWORD).await;
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": pair.body["refresh_token"]}),
            None,
        )
        .await;
    refreshed.expect(200);
    let fresh = refreshed.body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/auth/me", Some(fresh)).await.body["role"], "training");

    app.post(
        "/api/v1/auth/password",
        json!({"current_password": PASSWORD, "new_password": "Training-2027"}),
        Some(fresh),
    )
    .await
    .expect(204);
    login(&app, "train-a", PASSWORD)
        .await
        .expect_problem(401, "auth.invalid_credentials");
    login(&app, "train-a", "Training-2027").await.expect(200);
}

/// Every secured operation of the API but sign-in and continuing education answers a training
/// institution 403, whatever its path and body.
async fn training_account_reaches_nothing_else(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let (_, token) = institution(&app, &city, "train-a").await;
    let document: Value = app.get("/openapi.json", None).await.body;
    let allowed = |path: &str| path.starts_with("/api/v1/auth/") || path.starts_with("/api/v1/continuing-education");
    let mut checked = 0;
    let mut reached = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.as_object().is_some_and(|r| !r.is_empty())));
            if !secured || allowed(path) {
                continue;
            }
            let url = app.url(&path.replace(['{', '}'], ""));
            let request = match method.as_str() {
                "get" => app.client.get(url),
                "post" => app.client.post(url),
                "put" => app.client.put(url),
                "patch" => app.client.patch(url),
                "delete" => app.client.delete(url),
                _ => continue,
            };
            let answer = app.send(request.bearer_auth(&token).json(&json!({}))).await;
            checked += 1;
            if (answer.status, answer.body["code"].as_str()) != (403, Some("auth.forbidden_role")) {
                reached.push(format!(
                    "{} {path}: {} {}",
                    method.to_uppercase(),
                    answer.status,
                    answer.text
                ));
            }
        }
    }
    assert!(checked > 100, "only {checked} operations checked");
    assert!(
        reached.is_empty(),
        "a training account reached:\n{}",
        reached.join("\n")
    );
    // The lists of the domains, named, as a reader of this test would look for them.
    for path in [
        "/api/v1/staff",
        "/api/v1/certificates",
        "/api/v1/people/me/certificates",
        "/api/v1/enterprises",
        "/api/v1/exam-batches",
        "/api/v1/assessments",
        "/api/v1/documents",
        "/api/v1/training-institutions",
        "/api/v1/people/me/continuing-education",
    ] {
        app.get(path, Some(&token))
            .await
            .expect_problem(403, "auth.forbidden_role");
    }
}
