//! 注销: a listed reason and the commitment; no project under construction; the employer
//! confirms, the city approves, and the cancellation is published; a refusal reaches the
//! person with its opinion.

use serde_json::json;

use super::{actions, application, certificate, codes, confirm, notices, review, service, with_certificates};
use crate::both_engines;
use crate::certificates::A;
use crate::harness::Engine;
use crate::people::ID;

both_engines!(
    a_cancellation_is_confirmed_approved_and_published,
    a_project_manager_with_a_project_under_construction_cannot_cancel,
    a_declined_cancellation_tells_the_person_why
);

async fn a_cancellation_is_confirmed_approved_and_published(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    service(
        &w,
        "T-5",
        "cancellation",
        json!({"reason": "duplicate", "commitment_accepted": false}),
    )
    .await
    .expect_problem(422, "request.invalid_fields");
    service(
        &w,
        "T-5",
        "cancellation",
        json!({"reason": "bored", "commitment_accepted": true}),
    )
    .await
    .expect_problem(422, "request.invalid_fields");
    let submitted = service(
        &w,
        "T-5",
        "cancellation",
        json!({"reason": "duplicate", "commitment_accepted": true}),
    )
    .await;
    submitted.expect(201);
    let (id, waiting) = application(&submitted);
    assert_eq!(waiting, "enterprise");
    assert_eq!(submitted.body["application"]["steps"], json!(["enterprise", "city"]));
    assert!(notices(app, &w.a).await.contains(&"application.to_confirm".to_owned()));
    confirm(app, &w.a, &id, "confirm").await.expect(200);
    // The approving authority is the city: the district desk cannot approve.
    review(app, &w.lixia, &id, super::approve())
        .await
        .expect_problem(409, "application.not_your_step");
    assert!(notices(app, &w.p)
        .await
        .contains(&"application.awaiting_city".to_owned()));
    let inbox = app.get("/api/v1/staff/inbox", Some(&w.city)).await;
    inbox.expect(200);
    let group = inbox.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "application.city")
        .unwrap_or_else(|| panic!("no application group: {}", inbox.text));
    assert_eq!(group["count"], 1);
    assert_eq!(group["items"][0]["target_id"], id.as_str());
    assert_eq!(group["items"][0]["body"], format!("企业{A}：证书注销 T-5"));
    // Approved at once from many requests: carried out once.
    let attempts = (0..8).map(|_| review(app, &w.city, &id, super::approve()));
    let answers = futures_util::future::join_all(attempts).await;
    let approved: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
    assert_eq!(approved.len(), 1, "exactly one approval");
    for late in answers.iter().filter(|a| a.status != 200) {
        assert!(late.status == 409, "a late approval is refused: {}", late.text);
    }
    assert_eq!(actions(approved[0]), ["submitted", "confirmed", "approved"]);

    let cancelled = certificate(&w, "T-5").await;
    assert_eq!(cancelled["certificate"]["state"], "cancelled");
    assert_eq!(
        cancelled["track"].as_array().unwrap().last().unwrap()["kind"],
        "cancellation"
    );
    // The remaining scaffolder certificate is no longer one too many.
    let t4 = certificate(&w, "T-4").await;
    assert_eq!(t4["certificate"]["status"]["code"], "in_use", "{t4}");
    // Published, with the holder's name masked; no longer found by the public lookup.
    let published = app.get("/api/v1/public/certificate-cancellations", None).await;
    published.expect(200);
    let entry = &published.body[0];
    assert_eq!(entry["number"], "T-5");
    assert_eq!(entry["holder_name_masked"], "张*");
    assert_eq!(entry["reason"], "持有多本同类证书");
    assert_eq!(entry["enterprise_name"], "甲建设有限公司");
    assert!(!published.text.contains(ID) && !published.text.contains("张三"));
    app.get("/api/v1/public/certificates?number=T-5&name=张三", None)
        .await
        .expect_problem(404, "resource.not_found");
    // A cancelled certificate takes no other service.
    let again = service(&w, "T-5", "correction", json!({})).await;
    assert_eq!(again.status, 422);
    let renewal = service(&w, "T-5", "renewal", json!({})).await;
    assert!(
        codes(&renewal).contains(&"application.certificate_not_standing".to_owned()),
        "{}",
        renewal.text
    );
}

async fn a_project_manager_with_a_project_under_construction_cannot_cancel(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    let project = json!({
        "permit_number": "370102202612010001", "name": "某某小区", "location": "历下区 1 号", "district_code": "370102",
        "enterprise_credit_code": A, "project_manager": "张三", "project_manager_id_number": ID,
    });
    let created = app.post("/api/v1/projects", project, Some(&w.lixia)).await;
    created.expect(201);
    assert_eq!(created.body["completed_on"], json!(null));
    let body = json!({"reason": "retired", "commitment_accepted": true});
    let refused = service(&w, "B-1", "cancellation", body.clone()).await;
    refused.expect_problem(422, "application.conditions_not_met");
    assert_eq!(codes(&refused), ["application.ongoing_project"]);
    let project_id = created.body["id"].as_str().unwrap();
    let path = format!("/api/v1/projects/{project_id}/completion");
    app.post(&path, json!({"completed_on": "2026-11-30"}), Some(&w.shizhong))
        .await
        .expect_problem(404, "resource.not_found");
    let completed = app
        .post(&path, json!({"completed_on": "2026-11-30"}), Some(&w.lixia))
        .await;
    completed.expect(200);
    assert_eq!(completed.body["completed_on"], "2026-11-30");
    service(&w, "B-1", "cancellation", body).await.expect(201);
}

async fn a_declined_cancellation_tells_the_person_why(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    let submitted = service(
        &w,
        "B-1",
        "cancellation",
        json!({"reason": "left_the_trade", "commitment_accepted": true}),
    )
    .await;
    let (id, _) = application(&submitted);
    let declined = confirm(app, &w.a, &id, "decline").await;
    declined.expect(200);
    assert_eq!(declined.body["application"]["state"], "refused");
    assert_eq!(actions(&declined), ["submitted", "declined"]);
    assert_eq!(declined.body["history"][1]["opinion"], "资料不全");
    let inbox = app.get("/api/v1/notifications", Some(&w.p)).await;
    let refusal = inbox
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "application.refused")
        .unwrap();
    assert_eq!(refusal["body"], "证书注销：资料不全");
    assert_eq!(certificate(&w, "B-1").await["certificate"]["state"], "valid");
}
