//! 延续: continuing education entered by a training institution; the employer confirms, the
//! district accepts, the city approves; the validity runs on by the kind's period.

use serde_json::json;

use super::{actions, application, certificate, codes, confirm, review, service, with_certificates};
use crate::both_engines;
use crate::harness::Engine;
use crate::people::ID;
use zhujian::platform::clock::Clock;
use zhujian::platform::types::Date;

both_engines!(a_renewal_needs_continuing_education_and_walks_three_steps);

async fn a_renewal_needs_continuing_education_and_walks_three_steps(engine: Engine) {
    let w = with_certificates(engine).await;
    let app = &w.app;
    // A-3 (safety A, under A) expired on 2020-02-29: its validity began 2017-02-28.
    let refused = service(&w, "A-3", "renewal", json!({})).await;
    refused.expect_problem(422, "application.conditions_not_met");
    assert_eq!(codes(&refused), ["application.education_short"]);
    assert!(refused.text.contains("0"), "{}", refused.text);

    let (_, trainer) = crate::training::institution(app, &w.city, "trainer1").await;
    let entry = |hours: i64, course: &str, day: &str, passed: bool, kind: &str| {
        json!({"id_number": ID, "name": "张三", "certificate_kind": kind, "category": "", "course": course,
               "hours": hours, "completed_on": day, "passed": passed})
    };
    for body in [
        entry(16, "安全生产法规", "2026-06-01", true, "safety_a"),
        // Failed, before the validity, or for another kind: none of them counts.
        entry(16, "事故案例分析", "2026-06-02", false, "safety_a"),
        entry(16, "旧课程", "2016-12-31", true, "safety_a"),
        entry(16, "项目管理", "2026-06-03", true, "safety_b"),
    ] {
        crate::training::enter(app, &trainer, body).await.expect(201);
    }
    let short = service(&w, "A-3", "renewal", json!({})).await;
    assert_eq!(codes(&short), ["application.education_short"]);
    assert!(short.text.contains("16"), "{}", short.text);
    crate::training::enter(app, &trainer, entry(8, "应急管理", "2026-07-01", true, "safety_a"))
        .await
        .expect(201);

    let submitted = service(&w, "A-3", "renewal", json!({})).await;
    submitted.expect(201);
    let (id, waiting) = application(&submitted);
    assert_eq!(waiting, "enterprise");
    assert_eq!(
        submitted.body["application"]["steps"],
        json!(["enterprise", "district", "city"])
    );
    confirm(app, &w.a, &id, "confirm").await.expect(200);
    let accepted = review(app, &w.lixia, &id, super::approve()).await;
    accepted.expect(200);
    assert_eq!(application(&accepted).1, "city");
    assert_eq!(certificate(&w, "A-3").await["certificate"]["expires_on"], "2020-02-29");
    let approved = review(app, &w.city, &id, super::approve()).await;
    approved.expect(200);
    assert_eq!(actions(&approved), ["submitted", "confirmed", "accepted", "approved"]);

    // Expired, it is valid again for three years from the day of approval.
    let today = Date::today_in_china(app.clock.now_ms());
    let renewed = certificate(&w, "A-3").await;
    assert_eq!(renewed["certificate"]["expires_on"], today.add_months(36).to_string());
    assert_eq!(renewed["certificate"]["status"]["code"], "in_use", "{renewed}");
    let event = renewed["track"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(event["kind"], "renewal");
    assert_eq!(event["detail"]["expires_on"]["from"], "2020-02-29");
}
