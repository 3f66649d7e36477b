//! 补录 and 纠错: the data and a PDF scan of the original; the district desk records that it
//! checked the original and approves, or refuses; the certificate is archived or corrected with
//! a track entry that keeps what was there; the application keeps its scan whatever the end.

use serde_json::json;

use super::{actions, application, certificate, codes, review, scan, service, with_certificates};
use crate::both_engines;
use crate::harness::Engine;

both_engines!(
    a_supplement_is_checked_at_the_desk_and_archived,
    a_correction_sets_the_fields_right_and_keeps_the_old_ones,
    a_refused_correction_keeps_its_scan
);

fn supplement(scan: &str, number: &str) -> serde_json::Value {
    json!({
        "kind": "special", "category": "高处作业吊篮安装拆卸工", "number": number, "issued_on": "2023-05-01",
        "expires_on": "2029-04-30", "scan_document_id": scan, "commitment_accepted": true,
    })
}

async fn a_supplement_is_checked_at_the_desk_and_archived(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    let path = "/api/v1/people/me/certificate-supplements";
    let document = scan(app, &w.p).await;
    // Checked fields: the category must be listed, the validity must run forward.
    let mut wrong = supplement(&document, "S-1");
    wrong["category"] = json!("飞行员");
    wrong["expires_on"] = json!("2020-01-01");
    let refused = app.post(path, wrong, Some(&w.p)).await;
    refused.expect_problem(422, "request.invalid_fields");
    let mut fields = codes(&refused);
    fields.sort();
    assert_eq!(fields, ["certificate.category_invalid", "certificate.validity_invalid"]);
    // A number already on record for its kind is a correction, not a supplement.
    let taken = app.post(path, supplement(&document, "T-2"), Some(&w.p)).await;
    assert_eq!(codes(&taken), ["application.number_on_record"]);
    // Someone else's upload is no scan of yours.
    let other = crate::people::person(app, "openid-other").await;
    let others = scan(app, &other).await;
    let others_scan = app.post(path, supplement(&others, "S-1"), Some(&w.p)).await;
    others_scan.expect_problem(422, "request.invalid_fields");
    assert_eq!(codes(&others_scan), ["application.scan_required"]);

    // Someone who has not registered, nor been employed, is told all of it at once.
    let stranger_scan = scan(app, &other).await;
    let stranger = app.post(path, supplement(&stranger_scan, "S-1"), Some(&other)).await;
    stranger.expect_problem(422, "application.conditions_not_met");
    assert_eq!(
        codes(&stranger),
        [
            "application.not_real_name",
            "application.no_portrait",
            "application.not_employed"
        ]
    );

    let submitted = app.post(path, supplement(&document, "S-1"), Some(&w.p)).await;
    submitted.expect(201);
    let (id, waiting) = application(&submitted);
    assert_eq!(waiting, "district");
    assert_eq!(submitted.body["application"]["detail"]["certificate"]["number"], "S-1");
    assert_eq!(submitted.body["application"]["document_id"], document.as_str());
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
    assert_eq!(actions(&approved), ["submitted", "approved"]);

    let archived = certificate(&w, "S-1").await;
    assert_eq!(archived["certificate"]["origin"], "supplement");
    assert_eq!(
        archived["certificate"]["status"]["code"], "newly_archived",
        "{archived}"
    );
    assert_eq!(archived["certificate"]["holder_name"], "张三");
    assert_eq!(
        archived["certificate"]["enterprise_name"],
        format!("企业{}", crate::certificates::A)
    );
    assert_eq!(archived["track"][0]["kind"], "issue");
    assert_eq!(archived["track"][0]["application_id"], id.as_str());
    let mine = app.get("/api/v1/people/me/certificates", Some(&w.p)).await;
    assert!(mine.text.contains("\"S-1\""), "{}", mine.text);
}

async fn a_correction_sets_the_fields_right_and_keeps_the_old_ones(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    let document = scan(app, &w.p).await;
    let same = json!({"expires_on": "2035-02-28", "scan_document_id": document, "commitment_accepted": true});
    let nothing = service(&w, "C-6", "correction", same).await;
    nothing.expect_problem(422, "request.invalid_fields");
    assert_eq!(codes(&nothing), ["application.nothing_corrected"]);
    let category_on_safety = json!({"category": "建筑电工", "scan_document_id": document, "commitment_accepted": true});
    assert_eq!(
        codes(&service(&w, "C-6", "correction", category_on_safety).await),
        ["certificate.category_invalid"]
    );
    let body = json!({"number": "C-6A", "expires_on": "2036-02-28", "scan_document_id": document, "commitment_accepted": true});
    let submitted = service(&w, "C-6", "correction", body).await;
    submitted.expect(201);
    let (id, _) = application(&submitted);
    assert_eq!(
        submitted.body["application"]["detail"]["correction"],
        json!({"category": null, "number": "C-6A", "issued_on": null, "expires_on": "2036-02-28"})
    );
    review(
        app,
        &w.lixia,
        &id,
        json!({"decision": "approve", "original_checked": true}),
    )
    .await
    .expect(200);
    let corrected = certificate(&w, "C-6A").await;
    assert_eq!(corrected["certificate"]["expires_on"], "2036-02-28");
    let event = corrected["track"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(event["kind"], "correction");
    assert_eq!(event["detail"]["number"], json!({"from": "C-6", "to": "C-6A"}));
    assert_eq!(
        event["detail"]["expires_on"],
        json!({"from": "2035-02-28", "to": "2036-02-28"})
    );
    assert!(event["detail"].get("issued_on").is_none());
}

async fn a_refused_correction_keeps_its_scan(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    let document = scan(app, &w.p).await;
    let body = json!({"issued_on": "2024-03-02", "scan_document_id": document, "commitment_accepted": true});
    let submitted = service(&w, "B-1", "correction", body).await;
    let (id, _) = application(&submitted);
    review(app, &w.lixia, &id, json!({"decision": "refuse"}))
        .await
        .expect_problem(422, "request.invalid_fields");
    let refused = review(
        app,
        &w.lixia,
        &id,
        json!({"decision": "refuse", "opinion": "原件与申请不符"}),
    )
    .await;
    refused.expect(200);
    assert_eq!(refused.body["application"]["state"], "refused");
    assert_eq!(certificate(&w, "B-1").await["certificate"]["issued_on"], "2024-03-01");
    // Refused, the application keeps the scan it was decided on.
    app.delete(&format!("/api/v1/documents/{document}"), Some(&w.p))
        .await
        .expect_problem(409, "document.locked");
}
