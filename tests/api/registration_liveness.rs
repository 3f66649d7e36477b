//! Liveness at registration (`liveness.registration`): a challenge first, then one photo per
//! pose, the selfie being the first; refused without the challenge or with one photo.

use serde_json::json;

use crate::both_engines;
use crate::faces::{posed, poses};
use crate::harness::{Engine, TestApp};
use crate::people::{person, photo, upload, ID};

both_engines!(registration_asks_for_the_poses_where_configured);

async fn registration_asks_for_the_poses_where_configured(engine: Engine) {
    let app = TestApp::start_with(engine, |s| s.liveness.registration = true).await;
    let token = person(&app, "openid-a").await;
    let body = |portrait: &str, selfie: &str, challenge: &serde_json::Value, others: &[String]| {
        json!({"id_number": ID, "name": "张三", "phone": "13812345678", "portrait_document_id": portrait,
               "selfie_document_id": selfie, "challenge_id": challenge, "liveness_document_ids": others})
    };
    let url = "/api/v1/people/me/registration";

    // Without a challenge: refused, saying to ask for one.
    let portrait = upload(&app, &token, "id_portrait", photo("person-a-portrait.jpg")).await;
    let selfie = upload(&app, &token, "selfie", photo("person-a-selfie.jpg")).await;
    let without = app
        .post(url, body(&portrait, &selfie, &json!(null), &[]), Some(&token))
        .await;
    without.expect_problem(422, "request.invalid_fields");
    assert_eq!(without.body["errors"][0]["code"], "liveness.challenge_required");

    // A challenge and one photo: refused.
    let challenge = app.post(&format!("{url}/challenge"), json!({}), Some(&token)).await;
    challenge.expect(201);
    let selfie = upload(&app, &token, "selfie", photo("person-a-selfie.jpg")).await;
    let single = app
        .post(
            url,
            body(&portrait, &selfie, &challenge.body["challenge_id"], &[]),
            Some(&token),
        )
        .await;
    single.expect_problem(422, "liveness.frame_count");

    // A new challenge, the photos it asks for: registered.
    let challenge = app.post(&format!("{url}/challenge"), json!({}), Some(&token)).await;
    let mut ids = Vec::new();
    for pose in poses(&challenge.body) {
        ids.push(upload(&app, &token, "selfie", posed("person-a-selfie.jpg", &pose, false)).await);
    }
    let registered = app
        .post(
            url,
            body(&portrait, &ids[0], &challenge.body["challenge_id"], &ids[1..]),
            Some(&token),
        )
        .await;
    registered.expect(200);
    assert_eq!(registered.body["status"], "registered");
    // Registered, no more challenges.
    app.post(&format!("{url}/challenge"), json!({}), Some(&token))
        .await
        .expect_problem(409, "person.already_registered");
}
