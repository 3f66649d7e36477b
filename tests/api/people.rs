//! Real-name registration with face matching, portrait replacement and the staff look-up.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    registration_succeeds_and_shows_masked_data,
    one_identity_one_account,
    registration_refusals,
    portrait_replacement,
    staff_look_up
);

pub(crate) const ID: &str = "11010519491231002X";

/// A new photo of the fixture's face, different from every photo used before (see
/// `faces::fresh`): each flow needs its own, since the server refuses a reused photo.
pub(crate) fn photo(name: &str) -> Vec<u8> {
    crate::faces::fresh(name)
}

use crate::faces::{jpeg, original};

/// Two people side by side.
fn two_faces() -> Vec<u8> {
    let a = crate::faces::decode(&original("person-a-portrait.jpg"));
    let b = crate::faces::decode(&original("person-b.jpg"));
    let mut pair = image::RgbImage::from_pixel(
        a.width() + b.width(),
        a.height().max(b.height()),
        image::Rgb([255, 255, 255]),
    );
    image::imageops::overlay(&mut pair, &a, 0, 0);
    image::imageops::overlay(&mut pair, &b, i64::from(a.width()), 0);
    jpeg(&pair)
}

/// A wall: texture but no face.
fn no_face() -> Vec<u8> {
    jpeg(&image::RgbImage::from_fn(480, 360, |x, y| {
        image::Rgb([((x * 7 + y * 3) % 200) as u8, ((x + y) % 120 + 60) as u8, 150])
    }))
}

pub(crate) async fn person(app: &TestApp, openid: &str) -> String {
    app.person_login(openid).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn upload(app: &TestApp, token: &str, purpose: &str, bytes: Vec<u8>) -> String {
    let answer = app.upload(token, purpose, "photo.jpg", bytes).await;
    answer.expect(201);
    answer.body["id"].as_str().unwrap().to_owned()
}

fn registration(portrait: &str, selfie: &str) -> Value {
    json!({"id_number": ID, "name": "张三", "phone": "13812345678", "portrait_document_id": portrait, "selfie_document_id": selfie})
}

pub(crate) async fn register(app: &TestApp, token: &str, portrait: Vec<u8>, selfie: Vec<u8>) -> crate::harness::Answer {
    register_as(app, token, ID, portrait, selfie).await
}

/// Registers under a given ID number.
pub(crate) async fn register_as(
    app: &TestApp,
    token: &str,
    id_number: &str,
    portrait: Vec<u8>,
    selfie: Vec<u8>,
) -> crate::harness::Answer {
    let p = upload(app, token, "id_portrait", portrait).await;
    let s = upload(app, token, "selfie", selfie).await;
    let mut body = registration(&p, &s);
    body["id_number"] = json!(id_number);
    app.post("/api/v1/people/me/registration", body, Some(token)).await
}

async fn registration_succeeds_and_shows_masked_data(engine: Engine) {
    let app = TestApp::start(engine).await;
    let token = person(&app, "openid-a").await;
    let answer = register(
        &app,
        &token,
        photo("person-a-portrait.jpg"),
        photo("person-a-selfie.jpg"),
    )
    .await;
    answer.expect(200);
    assert_eq!(answer.body["status"], "registered");
    let identity = &answer.body["identity"];
    assert_eq!(identity["id_number"], "110105********002X");
    assert_eq!(identity["phone"], "138****5678");
    assert_eq!(identity["name"], "张三");
    let profile = app.get("/api/v1/people/me", Some(&token)).await;
    assert_eq!(profile.body["identity"], answer.body["identity"]);
    assert!(!profile.text.contains(ID) && !profile.text.contains("13812345678"));

    // Nothing readable at rest.
    let row: (String, String, String) =
        sqlx::query_as("SELECT id_number_sealed, name_sealed, phone_sealed FROM person_identities")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    for sealed in [&row.0, &row.1, &row.2] {
        assert!(sealed.starts_with("v1:") && !sealed.contains("110105") && !sealed.contains("1381234"));
    }
    // The registration's photos can no longer be deleted.
    let portrait = identity["portrait_document_id"].as_str().unwrap();
    let delete = app
        .client
        .delete(app.url(&format!("/api/v1/documents/{portrait}")))
        .bearer_auth(&token);
    app.send(delete).await.expect_problem(409, "document.locked");
}

async fn one_identity_one_account(engine: Engine) {
    let app = TestApp::start(engine).await;
    let first = person(&app, "openid-a").await;
    register(
        &app,
        &first,
        photo("person-a-portrait.jpg"),
        photo("person-a-selfie.jpg"),
    )
    .await
    .expect(200);
    register(
        &app,
        &first,
        photo("person-a-portrait.jpg"),
        photo("person-a-selfie.jpg"),
    )
    .await
    .expect_problem(409, "person.already_registered");
    let second = person(&app, "openid-a-second-phone").await;
    let answer = register(
        &app,
        &second,
        photo("person-a-portrait.jpg"),
        photo("person-a-selfie.jpg"),
    )
    .await;
    answer.expect_problem(409, "person.identity_taken");
    assert_eq!(
        app.get("/api/v1/people/me", Some(&second)).await.body["status"],
        "unregistered"
    );
}

async fn registration_refusals(engine: Engine) {
    let app = TestApp::start(engine).await;
    let token = person(&app, "openid-a").await;
    let mismatch = register(&app, &token, photo("person-b.jpg"), photo("person-a-selfie.jpg")).await;
    mismatch.expect_problem(422, "face.mismatch");

    let several = register(&app, &token, photo("person-a-portrait.jpg"), two_faces()).await;
    several.expect_problem(422, "face.several_faces");
    assert_eq!(several.body["errors"][0]["field"], "selfie_document_id");
    let none = register(&app, &token, no_face(), photo("person-a-selfie.jpg")).await;
    none.expect_problem(422, "face.no_face");
    assert_eq!(none.body["errors"][0]["field"], "portrait_document_id");

    let p = upload(&app, &token, "id_portrait", photo("person-a-portrait.jpg")).await;
    let s = upload(&app, &token, "selfie", photo("person-a-selfie.jpg")).await;
    let mut bad_id = registration(&p, &s);
    bad_id["id_number"] = json!("110105194912310021");
    let answer = app.post("/api/v1/people/me/registration", bad_id, Some(&token)).await;
    answer.expect_problem(422, "request.invalid_fields");
    assert_eq!(answer.body["errors"][0]["code"], "id_number.check_character");
    let swapped = app
        .post("/api/v1/people/me/registration", registration(&s, &p), Some(&token))
        .await;
    swapped.expect_problem(422, "request.invalid_fields");
    assert_eq!(swapped.body["errors"][0]["code"], "person.photo_purpose");
    let pdf = app
        .upload(&token, "selfie", "selfie.pdf", b"%PDF-1.4\n%%EOF\n".to_vec())
        .await;
    pdf.expect_problem(415, "document.type_not_allowed");

    // Another person's photo cannot be used, and an enterprise cannot register.
    let other = person(&app, "openid-b").await;
    let theirs = upload(&app, &other, "id_portrait", photo("person-b.jpg")).await;
    let foreign = app
        .post(
            "/api/v1/people/me/registration",
            registration(&theirs, &s),
            Some(&token),
        )
        .await;
    assert_eq!(foreign.body["errors"][0]["code"], "person.photo_not_found");
    let city = app.staff_token("city1", "city", None).await;
    app.post("/api/v1/people/me/registration", registration(&p, &s), Some(&city))
        .await
        .expect_problem(403, "auth.forbidden_role");
    assert_eq!(
        app.get("/api/v1/people/me", Some(&token)).await.body["status"],
        "unregistered"
    );
}

async fn portrait_replacement(engine: Engine) {
    let app = TestApp::start(engine).await;
    let token = person(&app, "openid-a").await;
    let first = register(
        &app,
        &token,
        photo("person-a-portrait.jpg"),
        photo("person-a-selfie.jpg"),
    )
    .await;
    first.expect(200);
    let old_portrait = first.body["identity"]["portrait_document_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Someone else cannot take over the account's face.
    let p = upload(&app, &token, "id_portrait", photo("person-b.jpg")).await;
    let s = upload(&app, &token, "selfie", photo("person-b.jpg")).await;
    let body = json!({"portrait_document_id": p, "selfie_document_id": s});
    app.send(
        app.client
            .put(app.url("/api/v1/people/me/portrait"))
            .bearer_auth(&token)
            .json(&body),
    )
    .await
    .expect_problem(422, "face.mismatch");

    let p = upload(&app, &token, "id_portrait", photo("person-a-selfie.jpg")).await;
    let s = upload(&app, &token, "selfie", photo("person-a-portrait.jpg")).await;
    let body = json!({"portrait_document_id": p, "selfie_document_id": s});
    let replaced = app
        .send(
            app.client
                .put(app.url("/api/v1/people/me/portrait"))
                .bearer_auth(&token)
                .json(&body),
        )
        .await;
    replaced.expect(200);
    assert_eq!(replaced.body["identity"]["portrait_document_id"], p.as_str());
    // The old portrait is free to delete; the new one is locked.
    let delete = |id: String| {
        app.send(
            app.client
                .delete(app.url(&format!("/api/v1/documents/{id}")))
                .bearer_auth(&token),
        )
    };
    delete(old_portrait).await.expect(204);
    delete(p).await.expect_problem(409, "document.locked");

    let unregistered = person(&app, "openid-new").await;
    let put = app
        .client
        .put(app.url("/api/v1/people/me/portrait"))
        .bearer_auth(&unregistered)
        .json(&body);
    app.send(put).await.expect_problem(409, "person.not_registered");
}

async fn staff_look_up(engine: Engine) {
    let app = TestApp::start(engine).await;
    let token = person(&app, "openid-a").await;
    register(
        &app,
        &token,
        photo("person-a-portrait.jpg"),
        photo("person-a-selfie.jpg"),
    )
    .await
    .expect(200);
    let city = app.staff_token("city1", "city", None).await;
    let found = app
        .post("/api/v1/people/lookup", json!({"id_number": ID}), Some(&city))
        .await;
    found.expect(200);
    assert_eq!(found.body["status"], "registered");
    assert_eq!(found.body["identity"]["name"], "张三");
    assert_eq!(found.body["identity"]["id_number"], "110105********002X");
    assert!(!found.text.contains(ID));

    let district = app.staff_token("lixia", "district", Some("370102")).await;
    app.post("/api/v1/people/lookup", json!({"id_number": ID}), Some(&district))
        .await
        .expect_problem(403, "auth.forbidden_role");
    app.post("/api/v1/people/lookup", json!({"id_number": ID}), Some(&token))
        .await
        .expect_problem(403, "auth.forbidden_role");
    let unknown = app
        .post(
            "/api/v1/people/lookup",
            json!({"id_number": "440524188001010014"}),
            Some(&city),
        )
        .await;
    unknown.expect_problem(422, "request.invalid_fields");
    let nobody = app
        .post(
            "/api/v1/people/lookup",
            json!({"id_number": "110105198001010016"}),
            Some(&city),
        )
        .await;
    nobody.expect_problem(404, "person.not_registered");

    // The audit log names the person, never the ID number.
    let targets: Vec<String> = sqlx::query_scalar("SELECT target FROM audit_events")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert!(targets.iter().all(|t| !t.contains("110105")));
}
