//! A passed exam issues its certificate through an application the city approves; an
//! enterprise whose name changed reissues its people's certificates under the new name, once.

use serde_json::json;

use super::{actions, certificate, codes, notices, review, with_certificates};
use crate::both_engines;
use crate::certificates::A;
use crate::harness::Engine;
use zhujian::platform::clock::Clock;
use zhujian::platform::types::Date;

both_engines!(
    a_pass_issues_the_certificate_once_the_city_approves,
    a_renamed_enterprise_reissues_its_certificates_once
);

async fn a_pass_issues_the_certificate_once_the_city_approves(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    let today = Date::today_in_china(app.clock.now_ms());
    let mut batch = json!({
        "district_code": "370102", "exam_type": "special", "title": "2026 年物料提升机司机考试",
        "registration_opens_on": today.to_string(), "registration_closes_on": today.to_string(),
        "exam_on": today.add_days(1).to_string(), "capacity": 10,
    });
    app.post("/api/v1/exam-batches", batch.clone(), Some(&w.city))
        .await
        .expect_problem(422, "request.invalid_fields");
    batch["category"] = json!("建筑起重机械司机（物料提升机）");
    let created = app.post("/api/v1/exam-batches", batch, Some(&w.city)).await;
    created.expect(201);
    assert_eq!(created.body["category"], "material_hoist_driver");
    let batch_id = created.body["id"].as_str().unwrap();
    let person_id = app.get("/api/v1/people/me", Some(&w.p)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let registered = app
        .post(
            &format!("/api/v1/exam-batches/{batch_id}/registrations"),
            json!({"person_id": person_id}),
            Some(&w.a),
        )
        .await;
    registered.expect(201);
    let registration = registered.body["id"].as_str().unwrap().to_owned();
    let staff_inbox = app.get("/api/v1/staff/inbox", Some(&w.lixia)).await;
    assert!(staff_inbox.text.contains("exam.registration"), "{}", staff_inbox.text);
    app.post(
        &format!("/api/v1/exam-registrations/{registration}/review"),
        json!({"decision": "approve"}),
        Some(&w.lixia),
    )
    .await
    .expect(200);
    assert!(notices(app, &w.a)
        .await
        .contains(&"exam.registration_approved".to_owned()));

    app.clock.advance_secs(86_400);
    let city = app.staff_token("city-after-exam", "city", None).await;
    let p = crate::people::person(app, "openid-p").await;
    app.post(
        &format!("/api/v1/exam-registrations/{registration}/outcome"),
        json!({"outcome": "passed"}),
        Some(&city),
    )
    .await
    .expect(200);
    let kinds = notices(app, &p).await;
    assert!(kinds.contains(&"exam.outcome".to_owned()) && kinds.contains(&"application.awaiting_city".to_owned()));
    let mine = app.get("/api/v1/applications", Some(&p)).await;
    assert_eq!(mine.body[0]["kind"], "issue");
    assert_eq!(mine.body[0]["waiting_for"], "city");
    let id = mine.body[0]["id"].as_str().unwrap().to_owned();
    let approved = review(app, &city, &id, super::approve()).await;
    approved.expect(200);
    assert_eq!(actions(&approved), ["submitted", "approved"]);

    let certificates = app.get("/api/v1/people/me/certificates", Some(&p)).await;
    let issued = certificates
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            if c.get("certificate").is_some() {
                &c["certificate"]
            } else {
                c
            }
        })
        .find(|c| c["origin"] == "issued")
        .unwrap_or_else(|| panic!("no issued certificate: {}", certificates.text))
        .clone();
    let issued_on = today.add_days(1);
    assert_eq!(issued["category"], "material_hoist_driver");
    assert_eq!(issued["issued_on"], issued_on.to_string());
    assert_eq!(issued["expires_on"], issued_on.add_months(24).to_string());
    assert_eq!(issued["status"]["code"], "in_use", "{issued}");
    let number = issued["number"].as_str().unwrap();
    assert!(
        number.starts_with(&format!("T{}", issued_on.year)) && number.len() == 12,
        "{number}"
    );
}

async fn a_renamed_enterprise_reissues_its_certificates_once(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    let enterprises = app.get("/api/v1/enterprises", Some(&w.city)).await;
    let a_id = enterprises
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["credit_code"] == A)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.patch(
        &format!("/api/v1/enterprises/{a_id}"),
        json!({"name": "甲建设集团有限公司"}),
        Some(&w.lixia),
    )
    .await
    .expect(200);
    let path = "/api/v1/enterprises/me/name-change-reissue";
    let check = app.get(path, Some(&w.a)).await;
    check.expect(200);
    assert_eq!(check.body["new_name"], "甲建设集团有限公司");
    // B-1, A-3, T-4, T-5, C-6, T-7 and OTHER-1 are registered under A's former name (T-2 is B's).
    assert_eq!(check.body["certificates"], 7);
    assert_eq!(check.body["available"], true);
    app.get(path, Some(&w.p))
        .await
        .expect_problem(403, "auth.forbidden_role");

    let submitted = app.post(path, json!({}), Some(&w.a)).await;
    submitted.expect(201);
    let id = submitted.body["application"]["id"].as_str().unwrap().to_owned();
    assert_eq!(submitted.body["application"]["detail"]["certificates"], 7);
    let twice = app.post(path, json!({}), Some(&w.a)).await;
    assert_eq!(codes(&twice), ["application.in_progress"]);
    review(app, &w.shizhong, &id, super::approve())
        .await
        .expect_problem(404, "resource.not_found");
    review(app, &w.lixia, &id, super::approve()).await.expect(200);

    for number in ["B-1", "T-7"] {
        let reissued = certificate(&w, number).await;
        assert_eq!(reissued["certificate"]["enterprise_name"], "甲建设集团有限公司");
        let event = reissued["track"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(event["kind"], "change");
        assert_eq!(event["application_id"], id.as_str());
        assert_eq!(event["detail"]["enterprise_name"]["from"], "甲建设有限公司");
    }
    assert_eq!(
        certificate(&w, "T-2").await["certificate"]["enterprise_name"],
        "乙建设有限公司"
    );
    // Once per name: nothing is left under a former name.
    let again = app.post(path, json!({}), Some(&w.a)).await;
    assert_eq!(codes(&again), ["application.nothing_to_reissue"]);
    assert!(notices(app, &w.a).await.contains(&"application.approved".to_owned()));
}
