//! Registrations held by the one-face check, in the console: city staff find the held one in
//! their inbox, see both people's photos and the match that held it (ID numbers masked), and
//! approve it through the API's decision; district staff are refused it by role, as by the API.

use serde_json::json;

use super::enterprises::total;
use super::projects::{notice_code, page, post};
use super::{console_session, PASSWORD};
use crate::both_engines;
use crate::harness::{Engine, TestApp};
use crate::one_face::{masked, registers};

both_engines!(city_staff_approve_a_held_registration_district_staff_cannot);

async fn city_staff_approve_a_held_registration_district_staff_cannot(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city_token = app.staff_token("city1", "city", None).await;
    let lixia_token = app.staff_token("lixia", "district", Some("370102")).await;
    registers(&app, "openid-x", 1, "a").await.1.expect(200);
    registers(&app, "openid-y", 2, "a").await.1.expect(202);
    let held = app.get("/api/v1/people/registration-reviews", Some(&city_token)).await;
    held.expect(200);
    let review = held.body[0].clone();
    let id = review["id"].as_str().unwrap().to_owned();
    let city = console_session(&app, "city1", PASSWORD).await;
    let lixia = console_session(&app, "lixia", PASSWORD).await;
    let path = format!("/console/registrations/{id}");

    let (status, queue) = page(&app, &city, "/console/queues/people.registration").await;
    assert_eq!(status, 200);
    assert!(queue.contains(&format!(r#"href="{path}""#)), "{queue}");
    let (status, list) = page(&app, &city, "/console/registrations").await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!(r#"data-review="{id}""#)));
    assert_eq!(total(&list), 1, "one held registration");
    let (_, decided) = page(&app, &city, "/console/registrations?state=approved&sort=state").await;
    assert_eq!(total(&decided), 0, "none approved yet");

    // The held person and the identity the face matched: masked numbers, photos, distance.
    let (status, html) = page(&app, &city, &path).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!(r#"<dd id="held-id-number">{}</dd>"#, masked(2))));
    assert!(html.contains(&format!(r#"<span class="id-number">{}</span>"#, masked(1))));
    let distance = format!("{:.3}", review["matches"][0]["distance"].as_f64().unwrap());
    assert!(html.contains(&format!(r#"<strong class="distance">{distance}</strong>"#)));
    assert!(!html.contains(&crate::one_face::id_number(2)), "never the whole number");
    for photo in [
        review["portrait_document_id"].as_str().unwrap(),
        review["selfie_document_id"].as_str().unwrap(),
        review["matches"][0]["selfie_document_id"].as_str().unwrap(),
    ] {
        assert!(
            html.contains(&format!(r#"src="/console/documents/{photo}""#)),
            "{photo}"
        );
        let (status, _) = page(&app, &city, &format!("/console/documents/{photo}")).await;
        assert_eq!(status, 200, "city staff see {photo}");
    }

    // District staff: the API's refusal by role, for the page and the decision.
    let decision = format!("{path}/decision");
    let api = app
        .post(
            &format!("/api/v1/people/registration-reviews/{id}/decision"),
            json!({"decision": "approve", "reason": "双胞胎"}),
            Some(&lixia_token),
        )
        .await;
    api.expect_problem(403, "auth.forbidden_role");
    let (status, html) = post(
        &app,
        &lixia,
        &decision,
        &[("decision", "approve"), ("reason", "双胞胎")],
    )
    .await;
    assert_eq!((status, notice_code(&html)), (403, "auth.forbidden_role"));
    let (status, html) = page(&app, &lixia, &path).await;
    assert_eq!((status, notice_code(&html)), (403, "auth.forbidden_role"));

    // City staff: a reason is required; then approved, as the API records it.
    let (status, html) = post(&app, &city, &decision, &[("decision", "approve"), ("reason", "")]).await;
    assert_eq!((status, notice_code(&html)), (422, "request.invalid_fields"));
    let fields = [("decision", "approve"), ("reason", "现场核验身份证原件，系双胞胎")];
    let (status, html) = post(&app, &city, &decision, &fields).await;
    assert_eq!((status, notice_code(&html)), (200, ""), "{html}");
    assert!(html.contains(r#"data-state="approved""#) && html.contains("现场核验身份证原件，系双胞胎"));
    let api = app
        .get(&format!("/api/v1/people/registration-reviews/{id}"), Some(&city_token))
        .await;
    assert_eq!(api.body["state"], "approved", "the API's decision took place");
    let (status, html) = post(&app, &city, &decision, &[("decision", "refuse"), ("reason", "再议")]).await;
    assert_eq!((status, notice_code(&html)), (409, "review.decided"));
}
