//! WeChat face verification (人脸核身) against the fake: establishing an identity, its failures
//! and WeChat's errors, the access token's cache and refresh, and employment acceptance with a
//! minimum level.

use serde_json::{json, Value};
use zhujian::platform::config::{AssuranceLevel, FaceMethods};

use crate::both_engines;
use crate::employment::offer;
use crate::harness::{Answer, Engine, TestApp};
use crate::people::{person, photo, register, register_as, upload, ID};

use super::{desk_code, level, verify_at_desk};

both_engines!(
    identity_by_wechat_face,
    wechat_errors_and_the_access_token,
    acceptance_needs_the_minimum_level,
);

async fn start(app: &TestApp, token: &str, purpose: &str, target: Option<&str>) -> Answer {
    app.post(
        "/api/v1/people/me/wechat-face",
        json!({"purpose": purpose, "target_id": target}),
        Some(token),
    )
    .await
}

async fn started(app: &TestApp, token: &str, purpose: &str, target: Option<&str>) -> String {
    let answer = start(app, token, purpose, target).await;
    answer.expect(201);
    answer.body["verify_id"].as_str().unwrap().to_owned()
}

async fn complete(app: &TestApp, token: &str, verify_id: &str) -> Answer {
    app.post(
        "/api/v1/people/me/wechat-face/complete",
        json!({"verify_id": verify_id}),
        Some(token),
    )
    .await
}

async fn registered(app: &TestApp) -> (String, String) {
    let p = person(app, "openid-p").await;
    register(app, &p, photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg"))
        .await
        .expect(200);
    let q = person(app, "openid-q").await;
    register_as(
        app,
        &q,
        "110105198001010016",
        photo("person-b.jpg"),
        photo("person-b.jpg"),
    )
    .await
    .expect(200);
    (p, q)
}

fn wechat(c: &mut zhujian::platform::config::Settings) {
    c.identity.face_methods = FaceMethods::Wechat;
}

async fn identity_by_wechat_face(engine: Engine) {
    let app = TestApp::start_with(engine, wechat).await;
    let face = &app.wechat.face;
    let (p, q) = registered(&app).await;

    // A failed verification: refused with the result code, spent, the level unchanged.
    let failed = started(&app, &p, "identity", None).await;
    face.finish(&failed, 10_004);
    let answer = complete(&app, &p, &failed).await;
    answer.expect_problem(422, "wechat_face.failed");
    assert!(
        answer.body["detail"].as_str().unwrap().contains("10004"),
        "{}",
        answer.text
    );
    face.finish(&failed, 10_000);
    complete(&app, &p, &failed)
        .await
        .expect_problem(422, "wechat_face.used");
    // Never finished in the mini-program (WeChat reports a cancellation).
    let cancelled = started(&app, &p, "identity", None).await;
    let answer = complete(&app, &p, &cancelled).await;
    answer.expect_problem(422, "wechat_face.failed");
    assert!(
        answer.body["detail"].as_str().unwrap().contains("重新发起"),
        "{}",
        answer.text
    );
    assert_eq!(level(&app, &p).await, "self_declared");

    // Another person's verification, and one for another act, establish nothing.
    let passed = started(&app, &p, "identity", None).await;
    face.finish(&passed, 10_000);
    complete(&app, &q, &passed)
        .await
        .expect_problem(422, "wechat_face.invalid");
    let for_check_in = started(&app, &p, "check_in", Some("some-task")).await;
    face.finish(&for_check_in, 10_000);
    complete(&app, &p, &for_check_in)
        .await
        .expect_problem(422, "wechat_face.invalid");
    complete(&app, &p, "made-up")
        .await
        .expect_problem(422, "wechat_face.invalid");

    let answer = complete(&app, &p, &passed).await;
    answer.expect(200);
    assert_eq!(answer.body["assurance"]["level"], "wechat_verified");
    assert_eq!(level(&app, &p).await, "wechat_verified");
    complete(&app, &p, &passed)
        .await
        .expect_problem(422, "wechat_face.used");
    let verify_id: String =
        sqlx::query_scalar("SELECT verify_id FROM identity_assurances WHERE level = 'wechat_verified'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(verify_id, passed);

    // A desk verification afterwards is recorded, and the level does not go down.
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let desk = verify_at_desk(&app, &lixia, &desk_code(&app, &p).await, ID, "张三").await;
    desk.expect(201);
    assert_eq!(desk.body["level"], "wechat_verified");
    assert_eq!(level(&app, &q).await, "self_declared");
}

async fn wechat_errors_and_the_access_token(engine: Engine) {
    let app = TestApp::start_with(engine, wechat).await;
    let face = &app.wechat.face;
    let (p, _) = registered(&app).await;

    // The token is fetched once and kept.
    started(&app, &p, "identity", None).await;
    started(&app, &p, "identity", None).await;
    assert_eq!(face.token_calls(), 1);
    // Expired (42001) or invalidated (40001) at WeChat: fetched again, the call retried once.
    for expired in [true, false] {
        face.drop_token(expired);
        let calls = face.api_calls();
        started(&app, &p, "identity", None).await;
        assert_eq!(face.api_calls(), calls + 2);
    }
    assert_eq!(face.token_calls(), 3);
    // Expired by our own clock: fetched again before calling.
    app.clock.advance_secs(7200);
    let p = person(&app, "openid-p").await;
    started(&app, &p, "identity", None).await;
    assert_eq!(face.token_calls(), 4);

    // Any other errcode is WeChat refusing: named, never a 500, and no session is kept.
    face.fail_next(45009);
    let refused = start(&app, &p, "identity", None).await;
    refused.expect_problem(502, "wechat_face.refused");
    assert!(
        refused.body["detail"].as_str().unwrap().contains("45009"),
        "{}",
        refused.text
    );
    // When queryverifyinfo is refused, the session is given back for another try.
    let vid = started(&app, &p, "identity", None).await;
    face.finish(&vid, 10_000);
    face.fail_next(40097);
    complete(&app, &p, &vid)
        .await
        .expect_problem(502, "wechat_face.refused");
    complete(&app, &p, &vid).await.expect(200);

    // A target is required where the act has one, and none for the identity.
    start(&app, &p, "check_in", None)
        .await
        .expect_problem(422, "request.invalid_fields");
    start(&app, &p, "identity", Some("x"))
        .await
        .expect_problem(422, "request.invalid_fields");
    // Unregistered people have no name and ID number to verify.
    let r = person(&app, "openid-r").await;
    start(&app, &r, "identity", None)
        .await
        .expect_problem(409, "person.not_registered");

    // A deployment without WeChat face verification.
    let local = TestApp::start(engine).await;
    let (p, _) = registered(&local).await;
    start(&local, &p, "identity", None)
        .await
        .expect_problem(409, "wechat_face.not_enabled");
    assert_eq!(local.wechat.face.api_calls(), 0);
}

async fn request(app: &TestApp, enterprise: &str) -> String {
    let answer = app.post("/api/v1/employment/requests", offer(), Some(enterprise)).await;
    answer.expect(201);
    answer.body["id"].as_str().unwrap().to_owned()
}

async fn acceptance_needs_the_minimum_level(engine: Engine) {
    let app = TestApp::start_with(engine, |c| {
        c.identity.face_methods = FaceMethods::Both;
        c.identity.min_level_acceptance = AssuranceLevel::WechatVerified;
    })
    .await;
    let face = &app.wechat.face;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let (_, password) = app
        .enterprise_account(&lixia, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let a = app.enterprise_token("91350100M000100Y43", &password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (p, _) = registered(&app).await;
    let id = request(&app, &a).await;
    let challenge_url = format!("/api/v1/employment/requests/{id}/challenge");

    let refused = app.post(&challenge_url, json!({}), Some(&p)).await;
    refused.expect_problem(403, "identity.assurance_too_low");
    assert!(
        refused.body["detail"].as_str().unwrap().contains("微信人脸核身"),
        "{}",
        refused.text
    );
    // The desk is not enough where WeChat's verification is required.
    verify_at_desk(&app, &lixia, &desk_code(&app, &p).await, ID, "张三")
        .await
        .expect(201);
    app.post(&challenge_url, json!({}), Some(&p))
        .await
        .expect_problem(403, "identity.assurance_too_low");

    let vid = started(&app, &p, "identity", None).await;
    face.finish(&vid, 10_000);
    complete(&app, &p, &vid).await.expect(200);

    // Accepted with a WeChat verification for this request (a selfie would do as well).
    let challenge = app.post(&challenge_url, json!({}), Some(&p)).await;
    challenge.expect(201);
    let accept_url = format!("/api/v1/employment/requests/{id}/accept");
    let other = started(&app, &p, "employment_accept", Some("another-request")).await;
    face.finish(&other, 10_000);
    let body = |vid: &str| -> Value { json!({"challenge_id": challenge.body["challenge_id"], "verify_id": vid}) };
    app.post(&accept_url, body(&other), Some(&p))
        .await
        .expect_problem(422, "wechat_face.invalid");
    let challenge = app.post(&challenge_url, json!({}), Some(&p)).await;
    let vid = started(&app, &p, "employment_accept", Some(&id)).await;
    face.finish(&vid, 10_000);
    let selfie = upload(&app, &p, "selfie", photo("person-a-selfie.jpg")).await;
    let both = json!({"challenge_id": challenge.body["challenge_id"], "verify_id": vid, "selfie_document_id": selfie});
    app.post(&accept_url, both, Some(&p))
        .await
        .expect_problem(422, "request.invalid_fields");
    let accepted = app
        .post(
            &accept_url,
            json!({"challenge_id": challenge.body["challenge_id"], "verify_id": vid}),
            Some(&p),
        )
        .await;
    accepted.expect(201);
    assert_eq!(accepted.body["state"], "active");
}
