//! A duplicate face is held, told, kept as evidence, and decided by city staff.

use serde_json::json;

use super::{decide, id_number, is_held, masked, matched, registers, reviews};
use crate::both_engines;
use crate::harness::{Answer, Engine, TestApp};
use crate::people::{photo, upload};

both_engines!(a_duplicate_face_is_held_then_approved, a_refused_registration_is_closed);

/// An enterprise in district 370102 and its token.
async fn enterprise(app: &TestApp, city: &str) -> String {
    let (_, password) = app
        .enterprise_account(city, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let answer = app.enterprise_token("91350100M000100Y43", &password).await;
    answer.body["access_token"].as_str().unwrap().to_owned()
}

async fn challenge(app: &TestApp, person: &str, request: &str) -> Answer {
    let path = format!("/api/v1/employment/requests/{request}/challenge");
    app.post(&path, json!({}), Some(person)).await
}

async fn a_duplicate_face_is_held_then_approved(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let (x, first) = registers(&app, "openid-x", 1, "a").await;
    first.expect(200);
    assert_eq!(first.body["status"], "registered");
    assert!(first.body["notice"].is_null());
    // Someone else registers with nobody's face but their own: no hold.
    registers(&app, "openid-b", 3, "person-b.jpg").await.1.expect(200);

    // Another ID number, the same face: held, and told so.
    let (y, held) = registers(&app, "openid-y", 2, "a").await;
    is_held(&held);
    let me = app.get("/api/v1/people/me", Some(&y)).await;
    assert_eq!(me.body["status"], "held_for_review");
    assert_eq!(me.body["notice"]["code"], "person.registration_held");
    assert!(
        !held.text.contains(&masked(1)),
        "the person is never told whose face it is"
    );

    // The evidence, for city staff only.
    let list = reviews(&app, &city, "held").await;
    assert_eq!(list.len(), 1);
    let review = &list[0];
    assert_eq!(review["id_number"], masked(2));
    assert_eq!(matched(review), [masked(1)]);
    let distance = review["matches"][0]["distance"].as_f64().unwrap();
    // The test photos of one face are one face to the engine (faces::fresh): distance 0.
    assert!((0.0..0.5).contains(&distance), "{distance}");
    assert!(review["matches"][0]["found_at"].as_i64().unwrap() > 0);
    let id = review["id"].as_str().unwrap().to_owned();
    let admin = app.staff_token("root", "sysadmin", None).await;
    let district = app.staff_token("lixia", "district", Some("370102")).await;
    for token in [&admin, &district, &y] {
        let path = "/api/v1/people/registration-reviews";
        app.get(path, Some(token))
            .await
            .expect_problem(403, "auth.forbidden_role");
        decide(&app, token, &id, "approve")
            .await
            .expect_problem(403, "auth.forbidden_role");
    }
    // City staff read both faces while the review is held; nobody else does.
    let faces = [
        review["portrait_document_id"].as_str().unwrap().to_owned(),
        review["selfie_document_id"].as_str().unwrap().to_owned(),
        review["matches"][0]["identity"]["portrait_document_id"]
            .as_str()
            .unwrap()
            .to_owned(),
        review["matches"][0]["selfie_document_id"].as_str().unwrap().to_owned(),
    ];
    for face in &faces {
        app.get(&format!("/api/v1/documents/{face}/link"), Some(&city))
            .await
            .expect(200);
        for token in [&admin, &district] {
            let answer = app.get(&format!("/api/v1/documents/{face}"), Some(token)).await;
            answer.expect_problem(404, "resource.not_found");
        }
    }

    // Held: no face-checked act, no second registration.
    let company = enterprise(&app, &city).await;
    let mut offer = crate::employment::offer();
    offer["id_number"] = json!(id_number(2));
    let request = app.post("/api/v1/employment/requests", offer, Some(&company)).await;
    request.expect(201);
    let request = request.body["id"].as_str().unwrap().to_owned();
    challenge(&app, &y, &request)
        .await
        .expect_problem(409, "person.registration_held");
    let portrait = upload(&app, &y, "id_portrait", photo("person-a-portrait.jpg")).await;
    let selfie = upload(&app, &y, "selfie", photo("person-a-selfie.jpg")).await;
    let body = json!({"portrait_document_id": portrait, "selfie_document_id": selfie});
    let put = app
        .client
        .put(app.url("/api/v1/people/me/portrait"))
        .bearer_auth(&y)
        .json(&body);
    app.send(put).await.expect_problem(409, "person.registration_held");
    let again = crate::people::register_as(
        &app,
        &y,
        &id_number(2),
        photo("person-a-portrait.jpg"),
        photo("person-a-selfie.jpg"),
    )
    .await;
    again.expect_problem(409, "person.registration_held");

    // A decision needs its reason; then city staff approve (twins exist).
    let path = format!("/api/v1/people/registration-reviews/{id}/decision");
    app.post(&path, json!({"decision": "approve"}), Some(&city))
        .await
        .expect_problem(422, "request.invalid_fields");
    let approved = decide(&app, &city, &id, "approve").await;
    approved.expect(200);
    assert_eq!(approved.body["state"], "approved");
    assert_eq!(approved.body["reason"], "现场核验身份证原件");
    assert!(approved.body["decided_by"].is_string() && approved.body["decided_at"].is_i64());
    decide(&app, &city, &id, "refuse")
        .await
        .expect_problem(409, "review.decided");
    let me = app.get("/api/v1/people/me", Some(&y)).await;
    assert_eq!(me.body["status"], "registered");
    assert!(me.body["notice"].is_null());
    // Decided: the faces are their persons' again.
    for face in &faces {
        let answer = app.get(&format!("/api/v1/documents/{face}"), Some(&city)).await;
        answer.expect_problem(404, "resource.not_found");
    }
    // Now Y accepts employment with a face check.
    crate::employment::accept(&app, &y, &request, photo("person-a-selfie.jpg"))
        .await
        .expect(201);
    assert!(reviews(&app, &city, "held").await.is_empty());
    assert_eq!(reviews(&app, &city, "approved").await.len(), 1);

    // Told in the inbox; the decision is an audited act.
    let told: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE kind = 'people.registration_approved' AND recipient_kind = 'person'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(told, 1);
    let audited: Vec<String> = sqlx::query_scalar("SELECT outcome FROM audit_events WHERE target = $1")
        .bind(format!("registration_review:{id}"))
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert!(audited.iter().filter(|o| *o == "ok").count() == 1, "{audited:?}");
    // X was never disturbed.
    assert_eq!(
        app.get("/api/v1/people/me", Some(&x)).await.body["status"],
        "registered"
    );
}

async fn a_refused_registration_is_closed(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    registers(&app, "openid-x", 1, "a").await.1.expect(200);
    let (y, held) = registers(&app, "openid-y", 2, "a").await;
    is_held(&held);
    let id = reviews(&app, &city, "held").await[0]["id"].as_str().unwrap().to_owned();
    let refused = decide(&app, &city, &id, "refuse").await;
    refused.expect(200);
    assert_eq!(refused.body["state"], "refused");
    assert!(refused.body["name"].is_null(), "the held identity is removed");
    assert_eq!(matched(&refused.body), [masked(1)], "the evidence stays");
    let me = app.get("/api/v1/people/me", Some(&y)).await;
    assert_eq!(me.body["status"], "unregistered");
    assert!(me.body["identity"].is_null());

    // The ID number is free for its holder, with their own face.
    registers(&app, "openid-z", 2, "person-b.jpg").await.1.expect(200);
    // Y's face left the index: trying again with another ID number matches X alone.
    let again = crate::people::register_as(
        &app,
        &y,
        &id_number(4),
        photo("person-a-portrait.jpg"),
        photo("person-a-selfie.jpg"),
    )
    .await;
    is_held(&again);
    let list = reviews(&app, &city, "held").await;
    assert_eq!(list.len(), 1);
    assert_eq!(matched(&list[0]), [masked(1)]);
    assert_eq!(reviews(&app, &city, "refused").await.len(), 1);
    assert_eq!(reviews(&app, &city, "all").await.len(), 2);
    let told: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'people.registration_refused'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(told, 1);
    app.get("/api/v1/people/registration-reviews?state=maybe", Some(&city))
        .await
        .expect_problem(422, "request.invalid_fields");
}
