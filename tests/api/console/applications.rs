//! Certificate applications in the console: the district desk finds a supplement (补录) in its
//! inbox, previews the scan beside it, is refused the approval until it records that it checked
//! the original (the API's field error), then approves it; the city, at a step not its own, and
//! another district are refused as the API refuses them.

use serde_json::json;

use super::enterprises::total;
use super::projects::{notice_code, page, post};
use super::{console_session, PASSWORD};
use crate::applications::{scan, with_certificates};
use crate::both_engines;
use crate::harness::Engine;

both_engines!(the_district_desk_approves_a_supplement_after_checking_the_original);

async fn the_district_desk_approves_a_supplement_after_checking_the_original(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    // An earlier supplement, withdrawn: one application is in progress per person at a time.
    let early = json!({
        "kind": "special", "category": "建筑电工", "number": "S-8", "issued_on": "2023-06-01",
        "expires_on": "2029-05-31", "scan_document_id": scan(app, &w.p).await, "commitment_accepted": true,
    });
    let early = app
        .post("/api/v1/people/me/certificate-supplements", early, Some(&w.p))
        .await;
    early.expect(201);
    let early = early.body["application"]["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/applications/{early}/withdraw"), json!({}), Some(&w.p))
        .await
        .expect(200);
    app.clock.advance_secs(60);
    let document = scan(app, &w.p).await;
    let body = json!({
        "kind": "special", "category": "高处作业吊篮安装拆卸工", "number": "S-9", "issued_on": "2023-05-01",
        "expires_on": "2029-04-30", "scan_document_id": document, "commitment_accepted": true,
    });
    let submitted = app
        .post("/api/v1/people/me/certificate-supplements", body, Some(&w.p))
        .await;
    submitted.expect(201);
    let id = submitted.body["application"]["id"].as_str().unwrap().to_owned();
    let lixia = console_session(app, "lixia", PASSWORD).await;
    let city = console_session(app, "city1", PASSWORD).await;
    let shizhong = console_session(app, "shizhong", PASSWORD).await;
    let path = format!("/console/applications/{id}");
    let decision = format!("{path}/review");

    let (status, queue) = page(app, &lixia, "/console/queues/application.district").await;
    assert_eq!(status, 200);
    assert!(queue.contains(&format!(r#"href="{path}""#)), "{queue}");
    let (status, list) = page(app, &lixia, "/console/applications?waiting_for=district").await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!(r#"data-application="{id}""#)));
    let (_, list) = page(app, &lixia, "/console/applications?waiting_for=city").await;
    assert!(!list.contains(&id), "filtered as the API filters");
    // The desk's table: counted, the oldest first, turned around by its header.
    let order = |html: &str| -> Vec<String> {
        let rows = html.split("data-application=\"").skip(1);
        rows.map(|row| row.split('"').next().unwrap().to_owned()).collect()
    };
    let (_, list) = page(app, &lixia, "/console/applications?waiting_for=district").await;
    assert_eq!((total(&list), order(&list)), (1, vec![id.clone()]));
    let (_, list) = page(app, &lixia, "/console/applications").await;
    assert_eq!((total(&list), order(&list)), (2, vec![early.clone(), id.clone()]));
    let (_, list) = page(app, &lixia, "/console/applications?sort=created&dir=desc").await;
    assert_eq!(order(&list), [id.clone(), early.clone()]);
    let (_, list) = page(app, &shizhong, "/console/applications").await;
    assert_eq!(
        (total(&list), order(&list).len()),
        (0, 0),
        "another district counts none"
    );
    let (status, html) = page(app, &lixia, &path).await;
    assert_eq!(status, 200);
    let masked = submitted.body["application"]["applicant_id_number_masked"]
        .as_str()
        .unwrap();
    assert!(html.contains(&format!(r#"<dd id="applicant-id-number">{masked}</dd>"#)));
    assert!(html.contains("高处作业吊篮安装拆卸工 · S-9") && html.contains(r#"data-step="district""#));
    assert!(html.contains(&format!(r#"href="/console/documents/{document}" target="preview""#)));
    let (status, _) = page(app, &lixia, &format!("/console/documents/{document}")).await;
    assert_eq!(status, 200, "the desk previews the scan");

    // Not the city's step; not another district's application: the API's refusals.
    let checked = [("decision", "approve"), ("original_checked", "true"), ("opinion", "")];
    let api = app
        .post(
            &format!("/api/v1/applications/{id}/review"),
            json!({"decision": "approve", "original_checked": true}),
            Some(&w.city),
        )
        .await;
    api.expect_problem(409, "application.not_your_step");
    let (status, html) = post(app, &city, &decision, &checked).await;
    assert_eq!((status, notice_code(&html)), (409, "application.not_your_step"));
    let (status, html) = post(app, &shizhong, &decision, &checked).await;
    assert_eq!((status, notice_code(&html)), (404, "resource.not_found"));
    let (status, html) = page(app, &shizhong, &path).await;
    assert_eq!((status, notice_code(&html)), (404, "resource.not_found"));

    // The desk must check the original first; then it approves, as the API records it.
    let (status, html) = post(app, &lixia, &decision, &[("decision", "approve"), ("opinion", "")]).await;
    assert_eq!((status, notice_code(&html)), (422, "request.invalid_fields"));
    assert!(html.contains("original_checked: "), "the field is named");
    let (status, html) = post(app, &lixia, &decision, &checked).await;
    assert_eq!((status, notice_code(&html)), (200, ""), "{html}");
    assert!(html.contains(r#"data-state="approved""#));
    let api = app.get(&format!("/api/v1/applications/{id}"), Some(&w.lixia)).await;
    assert_eq!(api.body["application"]["state"], "approved");
    assert_eq!(api.body["history"][1]["original_checked"], true);
}
