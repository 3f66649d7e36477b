//! Acceptance: face check and challenge, expiry, and only the mini-program may answer.

use serde_json::json;

use crate::both_engines;
use crate::harness::Engine;
use crate::people::{person, photo, upload};

use super::{send_request, world};

both_engines!(
    face_and_challenge_refusals,
    requests_and_challenges_expire,
    only_the_mini_program_can_answer,
);

async fn face_and_challenge_refusals(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let id = send_request(app, &w.a).await;
    let challenge_url = format!("/api/v1/employment/requests/{id}/challenge");
    let accept_url = format!("/api/v1/employment/requests/{id}/accept");

    // Someone else's face: refused, and the challenge is spent.
    let challenge = app.post(&challenge_url, json!({}), Some(&w.p)).await.body["challenge_id"].clone();
    let stranger = upload(app, &w.p, "selfie", photo("person-b.jpg")).await;
    let answer = app
        .post(
            &accept_url,
            json!({"challenge_id": challenge, "selfie_document_id": stranger}),
            Some(&w.p),
        )
        .await;
    answer.expect_problem(422, "face.mismatch");
    let own = upload(app, &w.p, "selfie", photo("person-a-selfie.jpg")).await;
    let reused = app
        .post(
            &accept_url,
            json!({"challenge_id": challenge, "selfie_document_id": own}),
            Some(&w.p),
        )
        .await;
    reused.expect_problem(422, "challenge.used");

    // A selfie taken before the challenge was issued.
    app.clock.advance_secs(1);
    let challenge = app.post(&challenge_url, json!({}), Some(&w.p)).await.body["challenge_id"].clone();
    let stale = app
        .post(
            &accept_url,
            json!({"challenge_id": challenge, "selfie_document_id": own}),
            Some(&w.p),
        )
        .await;
    stale.expect_problem(422, "request.invalid_fields");
    assert_eq!(stale.body["errors"][0]["code"], "face.selfie_not_fresh");

    // A made-up challenge, and one issued for another request.
    let fake = app
        .post(
            &accept_url,
            json!({"challenge_id": "made-up", "selfie_document_id": own}),
            Some(&w.p),
        )
        .await;
    fake.expect_problem(422, "challenge.invalid");
    let other = send_request(app, &w.b).await;
    let foreign = app
        .post(
            &format!("/api/v1/employment/requests/{other}/challenge"),
            json!({}),
            Some(&w.p),
        )
        .await
        .body["challenge_id"]
        .clone();
    let fresh = upload(app, &w.p, "selfie", photo("person-a-selfie.jpg")).await;
    app.post(
        &accept_url,
        json!({"challenge_id": foreign, "selfie_document_id": fresh}),
        Some(&w.p),
    )
    .await
    .expect_problem(422, "challenge.invalid");
    assert!(app
        .get("/api/v1/employment/relations", Some(&w.p))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
}

async fn requests_and_challenges_expire(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let id = send_request(app, &w.a).await;
    let challenge = app
        .post(
            &format!("/api/v1/employment/requests/{id}/challenge"),
            json!({}),
            Some(&w.p),
        )
        .await
        .body["challenge_id"]
        .clone();
    app.clock.advance_secs(181);
    let selfie = upload(app, &w.p, "selfie", photo("person-a-selfie.jpg")).await;
    let body = json!({"challenge_id": challenge, "selfie_document_id": selfie});
    app.post(&format!("/api/v1/employment/requests/{id}/accept"), body, Some(&w.p))
        .await
        .expect_problem(422, "challenge.expired");

    app.clock.advance_secs(7 * 24 * 3600);
    // Tokens expired with the clock; sign in again.
    let p = person(app, "openid-p").await;
    let a = app.get(&format!("/api/v1/employment/requests/{id}"), Some(&p)).await;
    assert_eq!(a.body["state"], "expired");
    app.post(
        &format!("/api/v1/employment/requests/{id}/challenge"),
        json!({}),
        Some(&p),
    )
    .await
    .expect_problem(409, "employment.request_not_pending");
}

async fn only_the_mini_program_can_answer(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let id = send_request(app, &w.a).await;
    let me = app.get("/api/v1/auth/me", Some(&w.p)).await;
    let subject = zhujian::auth::tokens::Subject {
        account_id: me.body["account_id"].as_str().unwrap().to_owned(),
        role: zhujian::auth::Role::Person,
        scope: zhujian::auth::Scope::Person(me.body["account_id"].as_str().unwrap().into()),
        channel: zhujian::auth::Channel::Web,
    };
    let web = app.state.tokens.issue(
        &subject,
        "test-session",
        zhujian::platform::clock::Clock::now_ms(&*app.clock),
    );
    app.get(&format!("/api/v1/employment/requests/{id}"), Some(&web))
        .await
        .expect(200);
    for action in ["challenge", "accept", "refuse"] {
        let body = if action == "accept" {
            json!({"challenge_id": "x", "selfie_document_id": "y"})
        } else {
            json!({})
        };
        app.post(&format!("/api/v1/employment/requests/{id}/{action}"), body, Some(&web))
            .await
            .expect_problem(403, "employment.mini_program_only");
    }
    app.post(
        &format!("/api/v1/employment/requests/{id}/refuse"),
        json!({}),
        Some(&w.a),
    )
    .await
    .expect_problem(403, "auth.forbidden_role");
}
