//! Every error answers as a problem document with a stable code, in the asked language.

use std::time::Duration;

use axum::{routing::get, Router};
use serde_json::json;

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    unknown_route_and_wrong_method,
    language_follows_accept_language,
    malformed_and_mistyped_bodies,
    oversized_body,
    panic_and_timeout_leak_nothing,
    request_ids,
    cors_and_compression,
);

async fn unknown_route_and_wrong_method(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.get("/api/v1/no-such-thing", None)
        .await
        .expect_problem(404, "route.not_found");
    let answer = app.send(app.client.delete(app.url("/api/v1/auth/staff/login"))).await;
    answer.expect_problem(405, "route.method_not_allowed");
    assert_eq!(answer.header("allow"), Some("POST"));
}

async fn language_follows_accept_language(engine: Engine) {
    let app = TestApp::start(engine).await;
    let zh = app.get("/api/v1/auth/me", None).await;
    zh.expect_problem(401, "auth.missing_token");
    assert_eq!(zh.header("content-language"), Some("zh-CN"));
    assert!(zh.body["detail"].as_str().unwrap().contains("登录"));
    let en = app
        .send(
            app.client
                .get(app.url("/api/v1/auth/me"))
                .header("accept-language", "en-US,en;q=0.9"),
        )
        .await;
    en.expect_problem(401, "auth.missing_token");
    assert_eq!(en.header("content-language"), Some("en"));
    assert!(en.body["detail"].as_str().unwrap().contains("Sign in"));
}

async fn malformed_and_mistyped_bodies(engine: Engine) {
    let app = TestApp::start(engine).await;
    let login = app.url("/api/v1/auth/enterprise/login");
    let raw = |body: &'static str, content_type: &'static str| {
        app.client.post(&login).header("content-type", content_type).body(body)
    };
    app.send(raw("{\"credit_code\": ", "application/json"))
        .await
        .expect_problem(400, "request.malformed_json");
    app.send(raw("credit_code=1", "application/x-www-form-urlencoded"))
        .await
        .expect_problem(415, "request.not_json");

    let bad_code = app
        .post(
            "/api/v1/auth/enterprise/login",
            json!({"credit_code": "91350100M000100Y44", "password": "x"}),
            None,
        )
        .await;
    bad_code.expect_problem(422, "request.invalid_fields");
    assert_eq!(bad_code.body["errors"][0]["field"], "credit_code");
    assert_eq!(bad_code.body["errors"][0]["code"], "credit_code.check_character");

    let missing = app
        .post(
            "/api/v1/auth/enterprise/login",
            json!({"credit_code": "91350100M000100Y43"}),
            None,
        )
        .await;
    missing.expect_problem(422, "request.invalid_fields");
    assert_eq!(
        (
            missing.body["errors"][0]["field"].as_str(),
            missing.body["errors"][0]["code"].as_str()
        ),
        (Some("password"), Some("field.missing"))
    );

    let wrong_type = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": 5, "password": "x"}),
            None,
        )
        .await;
    wrong_type.expect_problem(422, "request.invalid_fields");
    assert_eq!(wrong_type.body["errors"][0]["field"], "username");
}

async fn oversized_body(engine: Engine) {
    let app = TestApp::start_with(engine, |s| s.server.body_limit_bytes = 1024).await;
    let big = "x".repeat(4096);
    app.post(
        "/api/v1/auth/staff/login",
        json!({"username": big, "password": "x"}),
        None,
    )
    .await
    .expect_problem(413, "request.too_large");
}

async fn panic_and_timeout_leak_nothing(engine: Engine) {
    let routes = Router::new()
        .route("/ok", get(|| async { "fine" }))
        .route(
            "/boom",
            get(|| async {
                if true {
                    panic!("secret internal detail");
                }
                "unreachable"
            }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        );
    let app = TestApp::start_with_routes(engine, |s| s.server.request_timeout_secs = 1, routes).await;
    let boom = app.get("/boom", None).await;
    boom.expect_problem(500, "internal");
    assert!(!boom.text.contains("secret internal detail"));
    app.get("/slow", None).await.expect_problem(408, "request.timeout");
    // The server is still serving after both.
    app.get("/ok", None).await.expect(200);
}

async fn request_ids(engine: Engine) {
    let app = TestApp::start(engine).await;
    let own = app
        .send(
            app.client
                .get(app.url("/healthz"))
                .header("x-request-id", "client-id-42"),
        )
        .await;
    assert_eq!(own.header("x-request-id"), Some("client-id-42"));
    let hostile = app
        .send(
            app.client
                .get(app.url("/healthz"))
                .header("x-request-id", "bad id\twith spaces"),
        )
        .await;
    let replaced = hostile.header("x-request-id").unwrap();
    assert_ne!(replaced, "bad id\twith spaces");
    assert_eq!(replaced.len(), 32);
    let a = app.get("/healthz", None).await;
    let b = app.get("/healthz", None).await;
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));
}

async fn cors_and_compression(engine: Engine) {
    let app = TestApp::start_with(engine, |s| {
        s.server.cors_origins = vec!["https://console.example".into()]
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/staff/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
    };
    let allowed = app.send(preflight("https://console.example")).await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://console.example")
    );
    let foreign = app.send(preflight("https://evil.example")).await;
    assert_eq!(foreign.header("access-control-allow-origin"), None);

    let zipped = app
        .send(
            app.client
                .get(app.url("/openapi.json"))
                .header("accept-encoding", "gzip"),
        )
        .await;
    zipped.expect(200);
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
}
