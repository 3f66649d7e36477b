//! Journey 7: the enterprise confirms its employee's certificate application (a refusal without
//! an opinion is the API's field error first), then registers the employee for an exam batch of
//! its district, each failing condition shown per person as the API names it; another district's
//! batch is the API's not-found. Over plain HTTP: another enterprise reaches neither the
//! application nor the batch, and a registration the API refuses names the same conditions.

use serde_json::{json, Value};

use super::{portal, session, sign_in, A, B};
use crate::applications::{application, service, with_certificates};
use crate::both_engines;
use crate::certificates::World;
use crate::console::projects::notice_code;
use crate::console::{artefact, browser};
use crate::exams::{batch_body, publish};
use crate::harness::Engine;

both_engines!(
    an_enterprise_confirms_an_application_and_registers_for_an_exam,
    another_enterprise_reaches_neither_its_applications_nor_its_batches
);

/// The person's cancellation of T-5, waiting for A's confirmation: its id.
async fn awaiting_confirmation(w: &World) -> String {
    let body = json!({"reason": "duplicate", "commitment_accepted": true});
    let submitted = service(w, "T-5", "cancellation", body).await;
    submitted.expect(201);
    let (id, waiting) = application(&submitted);
    assert_eq!(waiting, "enterprise");
    id
}

async fn person_id(w: &World) -> String {
    let me = w.app.get("/api/v1/people/me", Some(&w.p)).await;
    me.body["id"].as_str().unwrap().to_owned()
}

/// The failing conditions the API names for the person, as its candidates list gives them.
async fn api_bars(w: &World, batch: &str, person: &str) -> Vec<Value> {
    let path = format!("/api/v1/exam-batches/{batch}/candidates");
    let listed = w.app.get(&path, Some(&w.a)).await;
    listed.expect(200);
    let candidate = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["person_id"] == person)
        .cloned();
    candidate.expect("the employee is a candidate")["bars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bar| bar["code"].clone())
        .collect()
}

async fn an_enterprise_confirms_an_application_and_registers_for_an_exam(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    let id = awaiting_confirmation(&w).await;
    let ours = publish(app, &w.city, batch_body(app, "370102", 30)).await;
    let theirs = publish(app, &w.city, batch_body(app, "370103", 30)).await;
    let person = person_id(&w).await;
    let (browser, _place) = browser().await;
    sign_in(&browser, app, A, &w.a_password).await;

    // The application waiting for the enterprise: declining needs an opinion, as in the API.
    browser.submit(r#"nav a[href="/enterprise/applications"]"#).await;
    browser
        .submit(&format!(r#"a[href="/enterprise/applications/{id}"]"#))
        .await;
    assert_eq!(browser.text("#waiting-for").await, "企业确认");
    browser.click("#decision-decline").await;
    browser.submit("#decide").await;
    assert_eq!(browser.text("#notice-code").await, "request.invalid_fields");
    assert!(browser.text("main").await.contains("opinion: 退回或不同意须填写意见"));
    browser.click("#decision-confirm").await;
    browser.submit("#decide").await;
    assert_eq!(browser.text("#notice-message").await, "已提交办理结果。");
    let read = app.get(&format!("/api/v1/applications/{id}"), Some(&w.a)).await;
    assert_eq!(
        read.body["application"]["waiting_for"], "city",
        "the API's confirmation took place"
    );
    assert_eq!(
        browser.text("#waiting-for").await,
        "市级审批",
        "the page shows the next step"
    );

    // Exams: the district's batch, not another district's; the employee may register.
    browser.submit(r#"nav a[href="/enterprise/exams"]"#).await;
    let listed = browser.run("return document.querySelector('#batches').innerHTML").await;
    let listed = listed.as_str().unwrap();
    assert!(listed.contains(&ours) && !listed.contains(&theirs), "{listed}");
    browser.submit(&format!(r#"a[href="/enterprise/exams/{ours}"]"#)).await;
    let row = format!(r#"#candidates tr[data-person="{person}"]"#);
    assert_eq!(
        browser
            .run(&format!("return document.querySelector('{row}').dataset.eligible"))
            .await,
        "true"
    );
    assert!(api_bars(&w, &ours, &person).await.is_empty());
    browser.submit(&format!(r#"button[data-register="{person}"]"#)).await;
    assert_eq!(browser.text("#notice-message").await, "已报名，等待主管部门审核。");
    assert!(browser.text("#registrations").await.contains("待审核"));
    // Registered, the person fails the batch's "once" condition: the page names what the API names.
    let shown = browser
        .run(&format!(
            "return [...document.querySelectorAll('{row} li[data-code]')].map(li => li.dataset.code)"
        ))
        .await;
    assert_eq!(shown, Value::Array(api_bars(&w, &ours, &person).await));
    assert_eq!(shown, json!(["exam.already_registered"]));
    browser.screenshot(&artefact("enterprise-exams", engine)).await;

    // Another district's batch is refused as the API refuses it.
    browser.goto(&app.url(&format!("/enterprise/exams/{theirs}"))).await;
    let api = app.get(&format!("/api/v1/exam-batches/{theirs}"), Some(&w.a)).await;
    api.expect_problem(404, "resource.not_found");
    assert_eq!(browser.text("#notice-code").await, "resource.not_found");
}

async fn another_enterprise_reaches_neither_its_applications_nor_its_batches(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    let id = awaiting_confirmation(&w).await;
    let theirs = publish(app, &w.city, batch_body(app, "370103", 30)).await;
    let person = person_id(&w).await;
    let (b, b_csrf) = session(app, B, &w.b_password).await;

    // A's application: not in B's list, not readable, not confirmable — the API's not-found.
    let (status, list) = portal(app, &b, "/enterprise/applications", None).await;
    assert_eq!(status, 200);
    assert!(!list.contains(&id));
    let (status, html) = portal(app, &b, &format!("/enterprise/applications/{id}"), None).await;
    assert_eq!((status, notice_code(&html)), (404, "resource.not_found"));
    let confirm = [("csrf", b_csrf.as_str()), ("decision", "confirm"), ("opinion", "")];
    let path = format!("/enterprise/applications/{id}/confirm");
    let (status, html) = portal(app, &b, &path, Some(&confirm)).await;
    assert_eq!((status, notice_code(&html)), (404, "resource.not_found"));
    let read = app.get(&format!("/api/v1/applications/{id}"), Some(&w.a)).await;
    assert_eq!(read.body["application"]["waiting_for"], "enterprise", "nothing changed");

    // B registering A's employee for its own district's batch: refused with the API's conditions.
    let register = [("csrf", b_csrf.as_str()), ("person_id", person.as_str())];
    let path = format!("/enterprise/exams/{theirs}/registrations");
    let (status, html) = portal(app, &b, &path, Some(&register)).await;
    let api = app
        .post(
            &format!("/api/v1/exam-batches/{theirs}/registrations"),
            json!({"person_id": person}),
            Some(&w.b),
        )
        .await;
    api.expect_problem(422, "exam.ineligible");
    assert_eq!((status, notice_code(&html)), (422, "exam.ineligible"));
    for error in api.body["errors"].as_array().unwrap() {
        assert!(html.contains(error["message"].as_str().unwrap()), "{html}");
    }
    let listed = app.get("/api/v1/exam-registrations", Some(&w.b)).await;
    assert_eq!(listed.body, json!([]), "no registration was made");
}
