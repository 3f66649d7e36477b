//! Exam registrations in the console: district staff find an enterprise's registration of its
//! employee in their inbox, read it (the ID number masked) and approve it through the API's
//! review; a rejection without an opinion, another district and a second review are refused
//! as the API refuses them.

use serde_json::json;

use super::enterprises::total;
use super::projects::{notice_code, page, post};
use super::{console_session, PASSWORD};
use crate::both_engines;
use crate::employment::accept;
use crate::exams::{batch_body, publish, register};
use crate::harness::{Engine, TestApp};
use crate::one_face::id_number;
use crate::people::{person, photo, register_as};

both_engines!(district_staff_approve_an_exam_registration_from_their_inbox);

const A_CODE: &str = "91350100M000100Y43";

/// Enterprise A (370102) registers its employee 张三 (ID number 1, face a) for a batch of
/// 370102: the registration, and the person's token.
pub async fn submitted(app: &TestApp, city: &str) -> (serde_json::Value, String) {
    let (_, password) = app.enterprise_account(city, A_CODE, "370102", "13912345678").await;
    let a = app.enterprise_token(A_CODE, &password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = person(app, "openid-p").await;
    register_as(
        app,
        &p,
        &id_number(1),
        photo("person-a-portrait.jpg"),
        photo("person-a-selfie.jpg"),
    )
    .await
    .expect(200);
    let p_id = app.get("/api/v1/people/me", Some(&p)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let offer = json!({"id_number": id_number(1), "position": "安全员", "contract_start": "2026-12-01", "contract_end": "2029-11-30"});
    let request = app.post("/api/v1/employment/requests", offer, Some(&a)).await;
    request.expect(201);
    accept(
        app,
        &p,
        request.body["id"].as_str().unwrap(),
        photo("person-a-selfie.jpg"),
    )
    .await
    .expect(201);
    let batch = publish(app, city, batch_body(app, "370102", 30)).await;
    let registration = register(app, &a, &batch, &p_id).await;
    registration.expect(201);
    (registration.body, p)
}

async fn district_staff_approve_an_exam_registration_from_their_inbox(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia_token = app.staff_token("lixia", "district", Some("370102")).await;
    let shizhong_token = app.staff_token("shizhong", "district", Some("370103")).await;
    let (registration, _) = submitted(&app, &city).await;
    let id = registration["id"].as_str().unwrap().to_owned();
    let lixia = console_session(&app, "lixia", PASSWORD).await;
    let shizhong = console_session(&app, "shizhong", PASSWORD).await;
    let path = format!("/console/exam-registrations/{id}");
    let review = format!("{path}/review");

    let (status, queue) = page(&app, &lixia, "/console/queues/exam.registration").await;
    assert_eq!(status, 200);
    assert!(queue.contains(&format!(r#"href="{path}""#)), "{queue}");
    let (status, list) = page(&app, &lixia, "/console/exam-registrations").await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!(r#"data-registration="{id}""#)));
    assert_eq!(total(&list), 1, "the table counts the district's registrations");
    let (_, sorted) = page(&app, &lixia, "/console/exam-registrations?sort=exam_on&dir=desc").await;
    assert!(sorted.contains(&format!(r#"data-registration="{id}""#)));
    assert!(sorted.contains(r#"aria-sort="descending"><a class="sort" href="/console/exam-registrations?sort=exam_on"#));
    let (_, other) = page(&app, &shizhong, "/console/exam-registrations").await;
    assert_eq!(total(&other), 0, "another district counts none");
    let (status, html) = page(&app, &lixia, &path).await;
    assert_eq!(status, 200);
    let masked = registration["id_number_masked"].as_str().unwrap();
    assert!(html.contains(&format!(r#"<dd id="id-number">{masked}</dd>"#)) && html.contains("张三"));
    assert!(!html.contains(&id_number(1)), "never the whole number");

    // Another district: the API's 404, for the page and the review.
    let api = app
        .post(
            &format!("/api/v1/exam-registrations/{id}/review"),
            json!({"decision": "approve"}),
            Some(&shizhong_token),
        )
        .await;
    api.expect_problem(404, "resource.not_found");
    let (status, html) = post(&app, &shizhong, &review, &[("decision", "approve"), ("opinion", "")]).await;
    assert_eq!((status, notice_code(&html)), (404, "resource.not_found"));
    let (status, html) = page(&app, &shizhong, &path).await;
    assert_eq!((status, notice_code(&html)), (404, "resource.not_found"));

    // A rejection needs an opinion; an approval goes through, once, as the API records it.
    let (status, html) = post(&app, &lixia, &review, &[("decision", "reject"), ("opinion", "")]).await;
    assert_eq!((status, notice_code(&html)), (422, "request.invalid_fields"));
    let (status, html) = post(
        &app,
        &lixia,
        &review,
        &[("decision", "approve"), ("opinion", "材料齐全")],
    )
    .await;
    assert_eq!((status, notice_code(&html)), (200, ""), "{html}");
    assert!(html.contains(r#"data-state="approved""#));
    let listed = app.get("/api/v1/exam-registrations", Some(&lixia_token)).await;
    assert_eq!(listed.body[0]["state"], "approved", "the API's review took place");
    let (status, html) = post(&app, &lixia, &review, &[("decision", "approve"), ("opinion", "")]).await;
    assert_eq!((status, notice_code(&html)), (409, "exam.already_reviewed"));
}
