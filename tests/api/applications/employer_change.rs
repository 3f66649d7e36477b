//! 执业企业变更: the certificate's enterprise confirms, the district desk of the new employer
//! reviews, and the certificate moves with a track entry; the enterprise that cannot confirm is
//! replaced by proof checked at the desk; one application in progress per person.

use serde_json::json;

use super::{actions, application, certificate, codes, confirm, notices, review, scan, service, with_certificates};
use crate::both_engines;
use crate::certificates::{id_of, import, A, HEADER};
use crate::harness::Engine;
use crate::people::ID;

both_engines!(
    an_employer_change_is_confirmed_reviewed_and_moves_the_certificate,
    the_services_of_a_certificate_name_what_fails,
    an_enterprise_that_cannot_confirm_is_replaced_by_proof_at_the_desk,
    one_application_in_progress_per_person_under_parallel_requests,
    applications_stay_within_their_jurisdiction
);

async fn an_employer_change_is_confirmed_reviewed_and_moves_the_certificate(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    let submitted = service(&w, "T-2", "employer-change", json!({})).await;
    submitted.expect(201);
    let (id, waiting) = application(&submitted);
    assert_eq!(waiting, "enterprise");
    assert_eq!(
        submitted.body["application"]["steps"],
        json!(["enterprise", "district"])
    );
    assert_eq!(
        submitted.body["application"]["detail"]["from_enterprise_name"],
        "乙建设有限公司"
    );
    assert_eq!(actions(&submitted), ["submitted"]);
    assert!(notices(app, &w.p)
        .await
        .contains(&"application.awaiting_enterprise".to_owned()));
    assert!(notices(app, &w.b).await.contains(&"application.to_confirm".to_owned()));

    // Only the certificate's enterprise (B) confirms; the new employer (A) cannot.
    confirm(app, &w.a, &id, "confirm")
        .await
        .expect_problem(409, "application.not_your_step");
    // Staff cannot act before the enterprise.
    review(app, &w.lixia, &id, super::approve())
        .await
        .expect_problem(409, "application.not_your_step");
    let confirmed = confirm(app, &w.b, &id, "confirm").await;
    confirmed.expect(200);
    assert_eq!(application(&confirmed).1, "district");
    confirm(app, &w.b, &id, "confirm")
        .await
        .expect_problem(409, "application.not_your_step");
    assert!(notices(app, &w.p)
        .await
        .contains(&"application.awaiting_district".to_owned()));

    // The desk is the new employer's district (370102): the other district does not find it.
    review(app, &w.shizhong, &id, super::approve())
        .await
        .expect_problem(404, "resource.not_found");
    let before = certificate(&w, "T-2").await;
    assert_eq!(before["certificate"]["enterprise_name"], "乙建设有限公司");
    let approved = review(app, &w.lixia, &id, super::approve()).await;
    approved.expect(200);
    assert_eq!(approved.body["application"]["state"], "approved");
    assert_eq!(approved.body["application"]["waiting_for"], json!(null));
    assert_eq!(actions(&approved), ["submitted", "confirmed", "approved"]);

    let after = certificate(&w, "T-2").await;
    assert_eq!(after["certificate"]["enterprise_credit_code"], A);
    // The certificate now carries the employer's registered name.
    assert_eq!(after["certificate"]["enterprise_name"], format!("企业{A}"));
    let track = after["track"].as_array().unwrap();
    let change = track.last().unwrap();
    assert_eq!(change["kind"], "change");
    assert_eq!(change["application_id"], id.as_str());
    assert!(notices(app, &w.p).await.contains(&"application.approved".to_owned()));

    // The person follows it under 我的办件; approving twice is refused.
    let mine = app.get("/api/v1/applications", Some(&w.p)).await;
    mine.expect(200);
    assert_eq!(mine.body[0]["id"], id.as_str());
    assert_eq!(mine.body[0]["state"], "approved");
    review(app, &w.lixia, &id, super::approve())
        .await
        .expect_problem(409, "application.not_your_step");

    // A second change within six months is refused, naming the day it becomes possible.
    let csv = format!(
        "{HEADER}\nspecial,hoist_driver,T-8,{ID},张三,91110000802100433B,乙建设有限公司,2024-03-01,2035-02-28,\n"
    );
    import(app, &w.city, &csv).await.expect(200);
    let again = service(&w, "T-8", "employer-change", json!({})).await;
    again.expect_problem(422, "application.conditions_not_met");
    assert_eq!(codes(&again), ["application.changed_recently"]);
}

async fn the_services_of_a_certificate_name_what_fails(engine: Engine) {
    let w = with_certificates(engine).await;
    let services = |number: &'static str| {
        let w = &w;
        async move {
            let id = id_of(w, number).await;
            let answer = w
                .app
                .get(&format!("/api/v1/people/me/certificates/{id}/services"), Some(&w.p))
                .await;
            answer.expect(200);
            answer.body
        }
    };
    let bars = |list: &serde_json::Value, service: &str| -> Vec<String> {
        let entry = list
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service"] == service)
            .unwrap();
        assert_eq!(entry["available"], entry["bars"].as_array().unwrap().is_empty());
        entry["bars"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let b1 = services("B-1").await;
    assert_eq!(bars(&b1, "employer_change"), ["application.already_with_employer"]);
    assert_eq!(bars(&b1, "cancellation"), Vec::<String>::new());
    assert_eq!(bars(&b1, "correction"), Vec::<String>::new());
    // B-1 runs to 2035: renewal opens 90 days before, and no continuing education is on record.
    assert_eq!(
        bars(&b1, "renewal"),
        ["application.not_yet_renewable", "application.education_short"]
    );
    let t2 = services("T-2").await;
    assert_eq!(bars(&t2, "employer_change"), Vec::<String>::new());
    assert_eq!(bars(&t2, "renewal")[0], "application.employer_differs");

    // Another person's certificate is not found; an enterprise has no services.
    let other = id_of(&w, "OTHER-1").await;
    let path = format!("/api/v1/people/me/certificates/{other}/services");
    w.app
        .get(&path, Some(&w.p))
        .await
        .expect_problem(404, "resource.not_found");
    let b1_id = id_of(&w, "B-1").await;
    let path = format!("/api/v1/people/me/certificates/{b1_id}/services");
    w.app
        .get(&path, Some(&w.a))
        .await
        .expect_problem(403, "auth.forbidden_role");
}

async fn an_enterprise_that_cannot_confirm_is_replaced_by_proof_at_the_desk(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    // A certificate under an enterprise that has no account here (closed, never registered).
    let csv = format!(
        "{HEADER}\nspecial,hoist_driver,T-9,{ID},张三,91110108551385082Q,已注销建筑公司,2024-03-01,2035-02-28,\n"
    );
    import(app, &w.city, &csv).await.expect(200);
    let refused = service(&w, "T-9", "employer-change", json!({})).await;
    assert_eq!(codes(&refused), ["application.enterprise_cannot_confirm"]);
    let no_proof = service(&w, "T-9", "employer-change", json!({"at_the_desk": true})).await;
    assert_eq!(codes(&no_proof), ["application.scan_required"]);
    let portrait_is_no_proof =
        app.get("/api/v1/people/me", Some(&w.p)).await.body["identity"]["portrait_document_id"].clone();
    if let Some(portrait) = portrait_is_no_proof.as_str() {
        let portrait_as_proof = service(
            &w,
            "T-9",
            "employer-change",
            json!({"at_the_desk": true, "proof_document_id": portrait}),
        )
        .await;
        assert_eq!(codes(&portrait_as_proof), ["application.scan_required"]);
    }
    let proof = scan(app, &w.p).await;
    let submitted = service(
        &w,
        "T-9",
        "employer-change",
        json!({"at_the_desk": true, "proof_document_id": proof}),
    )
    .await;
    submitted.expect(201);
    let (id, waiting) = application(&submitted);
    assert_eq!(waiting, "district");
    assert_eq!(submitted.body["application"]["steps"], json!(["district"]));
    // The proof is locked with the application: its owner cannot delete it.
    app.delete(&format!("/api/v1/documents/{proof}"), Some(&w.p))
        .await
        .expect_problem(409, "document.locked");
    // The desk reads the proof.
    app.get(&format!("/api/v1/documents/{proof}"), Some(&w.lixia))
        .await
        .expect(200);
    let unchecked = review(app, &w.lixia, &id, super::approve()).await;
    unchecked.expect_problem(422, "request.invalid_fields");
    assert_eq!(codes(&unchecked), ["application.original_not_checked"]);
    let approved = review(
        app,
        &w.lixia,
        &id,
        json!({"decision": "approve", "original_checked": true}),
    )
    .await;
    approved.expect(200);
    assert_eq!(approved.body["history"][1]["original_checked"], true);
    assert_eq!(certificate(&w, "T-9").await["certificate"]["enterprise_credit_code"], A);
}

async fn one_application_in_progress_per_person_under_parallel_requests(engine: Engine) {
    let w = with_certificates(engine).await;
    let id = id_of(&w, "T-5").await;
    let path = format!("/api/v1/people/me/certificates/{id}/cancellation");
    let body = json!({"reason": "duplicate", "commitment_accepted": true});
    let attempts = (0..12).map(|_| w.app.post(&path, body.clone(), Some(&w.p)));
    let answers = futures_util::future::join_all(attempts).await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(created, 1, "exactly one application is created");
    for refused in answers.iter().filter(|a| a.status != 201) {
        refused.expect_problem(422, "application.conditions_not_met");
        assert_eq!(codes(refused), ["application.in_progress"]);
    }
    let mine = w.app.get("/api/v1/applications", Some(&w.p)).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1);
    // Withdrawn, it frees the person to apply again.
    let (app_id, _) = (mine.body[0]["id"].as_str().unwrap().to_owned(), ());
    let withdrawn = w
        .app
        .post(
            &format!("/api/v1/applications/{app_id}/withdraw"),
            json!({}),
            Some(&w.p),
        )
        .await;
    withdrawn.expect(200);
    assert_eq!(withdrawn.body["application"]["state"], "withdrawn");
    w.app.post(&path, body, Some(&w.p)).await.expect(201);
}

async fn applications_stay_within_their_jurisdiction(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    let submitted = service(
        &w,
        "B-1",
        "cancellation",
        json!({"reason": "retired", "commitment_accepted": true}),
    )
    .await;
    submitted.expect(201);
    let (id, _) = application(&submitted);
    let path = format!("/api/v1/applications/{id}");
    // The person, the employer (A) and A's district read it; B, the other district do not.
    for token in [&w.p, &w.a, &w.lixia, &w.city] {
        app.get(&path, Some(token)).await.expect(200);
    }
    for token in [&w.b, &w.shizhong] {
        app.get(&path, Some(token))
            .await
            .expect_problem(404, "resource.not_found");
        let list = app.get("/api/v1/applications", Some(token)).await;
        assert_eq!(list.body, json!([]), "{}", list.text);
    }
    let other = crate::people::person(app, "openid-other").await;
    app.get(&path, Some(&other))
        .await
        .expect_problem(404, "resource.not_found");
    app.post(&format!("{path}/withdraw"), json!({}), Some(&other))
        .await
        .expect_problem(404, "resource.not_found");
    // The employer cannot withdraw a person's application, nor decide as staff.
    app.post(&format!("{path}/withdraw"), json!({}), Some(&w.a))
        .await
        .expect_problem(403, "auth.forbidden_role");
    review(app, &w.a, &id, super::approve())
        .await
        .expect_problem(403, "auth.forbidden_role");
    // A refusal needs an opinion.
    app.post(&format!("{path}/confirm"), json!({"decision": "decline"}), Some(&w.a))
        .await
        .expect_problem(422, "request.invalid_fields");
}
