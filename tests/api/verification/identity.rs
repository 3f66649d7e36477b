//! Check-in and identity assurance: the minimum level (`identity.min_level_check_in`), and a
//! WeChat face verification (人脸核身) in place of the selfie.

use serde_json::{json, Value};
use zhujian::platform::config::{AssuranceLevel, FaceMethods};

use crate::both_engines;
use crate::harness::{Answer, Engine};
use crate::people::{person, ID};

use super::{approved_with, check_in, Setup, Try, SITE};

both_engines!(check_in_needs_the_minimum_level, check_in_with_wechat_face);

fn at<'a>(token: &'a str, photo: &'a str) -> Try<'a> {
    Try {
        token,
        photo,
        lat: SITE.0,
        lon: SITE.1,
        system: "wgs84",
        accuracy: 20.0,
        mock: false,
    }
}

async fn attempts(s: &Setup, token: &str) -> Vec<Value> {
    let answer = s
        .app
        .get(&format!("/api/v1/verification/tasks/{}/check-ins", s.task), Some(token))
        .await;
    answer.expect(200);
    answer.body.as_array().unwrap().clone()
}

async fn check_in_needs_the_minimum_level(engine: Engine) {
    let s = approved_with(engine, |c| {
        c.identity.min_level_check_in = AssuranceLevel::StaffVerified
    })
    .await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    let challenge_url = format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task);
    let refused = app.post(&challenge_url, json!({}), Some(&p)).await;
    refused.expect_problem(403, "identity.assurance_too_low");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.contains("窗口") && !detail.contains("微信"), "{detail}");

    // The check-in itself is refused too, and the refusal is kept as an attempt.
    let body = json!({"challenge_id": "none", "selfie_document_id": "none", "latitude": SITE.0, "longitude": SITE.1,
                      "system": "wgs84", "accuracy_m": 20.0});
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in", s.task),
        body,
        Some(&p),
    )
    .await
    .expect_problem(403, "identity.assurance_too_low");
    let kept = attempts(&s, &p).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["reason"], "identity.assurance_too_low");

    // Verified at the desk, P checks in.
    let code = app.post("/api/v1/people/me/desk-code", json!({}), Some(&p)).await;
    code.expect(201);
    let desk = json!({"desk_code": code.body["challenge_id"], "id_number": ID, "name": "张三"});
    app.post("/api/v1/people/desk-verifications", desk, Some(&s.lixia))
        .await
        .expect(201);
    let accepted = check_in(&s, at(&p, "person-a-selfie.jpg")).await;
    accepted.expect(201);
    assert_eq!(accepted.body["attempt"]["outcome"], "accepted");
}

/// Starts a WeChat face verification for this task.
async fn session(s: &Setup, token: &str, purpose: &str) -> String {
    let target = if purpose == "identity" {
        Value::Null
    } else {
        json!(s.task)
    };
    let answer = s
        .app
        .post(
            "/api/v1/people/me/wechat-face",
            json!({"purpose": purpose, "target_id": target}),
            Some(token),
        )
        .await;
    answer.expect(201);
    assert!(answer.body["expires_at"].as_i64().unwrap() > s.app.state.clock.now_ms());
    answer.body["verify_id"].as_str().unwrap().to_owned()
}

/// Asks for a challenge and checks in at the site with a WeChat verify_id (and `extra` fields).
async fn check_in_wechat(s: &Setup, token: &str, verify_id: &str, extra: Value) -> Answer {
    let app = &s.app;
    let challenge = app
        .post(
            &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
            json!({}),
            Some(token),
        )
        .await;
    challenge.expect(201);
    let mut body = json!({"challenge_id": challenge.body["challenge_id"], "verify_id": verify_id,
                          "latitude": SITE.0, "longitude": SITE.1, "system": "wgs84", "accuracy_m": 20.0});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in", s.task),
        body,
        Some(token),
    )
    .await
}

async fn check_in_with_wechat_face(engine: Engine) {
    let s = approved_with(engine, |c| c.identity.face_methods = FaceMethods::Both).await;
    let app = &s.app;
    let face = &app.wechat.face;
    let p = person(app, "openid-p").await;
    let q = person(app, "openid-q").await;

    // WeChat is asked with P's registered name and full ID number.
    let p_vid = session(&s, &p, "check_in").await;
    assert_eq!(face.cert_of(&p_vid), (ID.to_owned(), "张三".to_owned()));
    face.finish(&p_vid, 10_000);
    // Someone else's verification is no evidence for Q.
    check_in_wechat(&s, &q, &p_vid, json!({}))
        .await
        .expect_problem(422, "wechat_face.invalid");
    // Not a selfie and a verify_id together.
    check_in_wechat(&s, &p, &p_vid, json!({"selfie_document_id": "x"}))
        .await
        .expect_problem(422, "request.invalid_fields");
    let accepted = check_in_wechat(&s, &p, &p_vid, json!({})).await;
    accepted.expect(201);
    assert_eq!(accepted.body["attempt"]["outcome"], "accepted");
    assert!(accepted.body["attempt"]["face_distance"].is_null(), "{}", accepted.text);

    // Q's verification fails: refused, kept, and the verify_id is spent.
    let q_vid = session(&s, &q, "check_in").await;
    face.finish(&q_vid, 10_003);
    let failed = check_in_wechat(&s, &q, &q_vid, json!({})).await;
    failed.expect_problem(422, "wechat_face.failed");
    assert!(
        failed.body["detail"].as_str().unwrap().contains("10003"),
        "{}",
        failed.text
    );
    assert_eq!(attempts(&s, &q).await.last().unwrap()["reason"], "wechat_face.failed");
    face.finish(&q_vid, 10_000);
    check_in_wechat(&s, &q, &q_vid, json!({}))
        .await
        .expect_problem(422, "wechat_face.used");
    // A verification for establishing the identity is not one for this check-in.
    let identity_vid = session(&s, &q, "identity").await;
    face.finish(&identity_vid, 10_000);
    check_in_wechat(&s, &q, &identity_vid, json!({}))
        .await
        .expect_problem(422, "wechat_face.invalid");

    // An expired one.
    let late = session(&s, &q, "check_in").await;
    face.finish(&late, 10_000);
    app.clock.advance_secs(3601);
    let q = person(app, "openid-q").await;
    check_in_wechat(&s, &q, &late, json!({}))
        .await
        .expect_problem(422, "wechat_face.expired");

    let q_vid = session(&s, &q, "check_in").await;
    face.finish(&q_vid, 10_000);
    // Elsewhere on the site than P (the same coordinates would be flagged for review).
    let passed = check_in_wechat(&s, &q, &q_vid, json!({"latitude": SITE.0 + 0.0002})).await;
    passed.expect(201);
    assert_eq!(passed.body["attempt"]["outcome"], "accepted");
    assert_eq!(passed.body["task_state"], "passed");
}
