//! The staff inbox: what awaits a reviewer's decision in their jurisdiction, named.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::Engine;

use super::{create, fill_scored, id_of, submit, world};

both_engines!(staff_see_what_awaits_them_in_their_district);

/// The group of `kind` in an inbox.
fn group<'v>(inbox: &'v Value, kind: &str) -> &'v Value {
    inbox["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == kind)
        .unwrap_or_else(|| panic!("no group {kind} in {inbox}"))
}

async fn staff_see_what_awaits_them_in_their_district(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let mut submitted = Vec::new();
    for token in [&w.a, &w.b] {
        let draft = create(app, token, "general_conditions", "2026").await;
        fill_scored(app, token, &draft, |max| max).await;
        submit(app, token, &id_of(&draft)).await;
        submitted.push(id_of(&draft));
    }
    // A draft awaits nobody.
    let draft = create(app, &w.a, "safety_director", "2026").await;
    // A deduction 历下 recorded awaits someone else's review.
    let deduction = json!({"type_code": "poor_site_management", "enterprise_id": draft["enterprise_id"],
                           "occurred_on": "2026-11-02", "description": "临边防护缺失"});
    app.post("/api/v1/daily-events", deduction, Some(&w.lixia))
        .await
        .expect(201);

    let lixia = app.get("/api/v1/staff/inbox", Some(&w.lixia)).await;
    lixia.expect(200);
    let review = group(&lixia.body, "assessment.review");
    assert_eq!(review["count"], 1, "{}", lixia.text);
    let item = &review["items"][0];
    assert_eq!(item["target_kind"], "assessment");
    assert_eq!(item["target_id"], submitted[0].as_str(), "only 历下's own enterprise");
    assert_eq!(item["enterprise_name"], "企业91350100M000100Y43");
    assert_eq!(item["title"], "考核自评待审核");
    assert_eq!(
        item["body"],
        "企业91350100M000100Y43：企业一般安全生产条件动态考核（2026）"
    );
    let text = format!("{}{}", item["title"], item["body"]);
    assert!(!text.contains(&submitted[0]) && !text.contains(item["enterprise_id"].as_str().unwrap()));
    assert_eq!(
        group(&lixia.body, "assessment.daily_event")["count"],
        0,
        "not their own report"
    );
    // Registrations and project assessments are the city's to decide.
    assert!(lixia.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["kind"] != "people.registration" && g["kind"] != "assessment.project"));

    let shizhong = app.get("/api/v1/staff/inbox", Some(&w.shizhong)).await;
    assert_eq!(
        group(&shizhong.body, "assessment.review")["items"][0]["target_id"],
        submitted[1].as_str()
    );
    let city = app.get("/api/v1/staff/inbox", Some(&w.city)).await;
    assert_eq!(group(&city.body, "assessment.review")["count"], 2);
    assert_eq!(group(&city.body, "people.registration")["count"], 0);
    let daily = group(&city.body, "assessment.daily_event");
    assert_eq!(daily["count"], 1);
    assert_eq!(
        daily["items"][0]["body"],
        "企业91350100M000100Y43：施工现场安全文明施工管理不到位（2026-11-02）"
    );
    assert_eq!(group(&city.body, "assessment.project")["count"], 0);
    assert_eq!(city.body["total"], 3);
    assert_eq!(
        group(&shizhong.body, "assessment.daily_event")["count"],
        0,
        "another district's"
    );

    // Moved to 市中 by the city, enterprise A's self-assessment waits for 市中's staff.
    let moved = app
        .patch(
            &format!("/api/v1/enterprises/{}", draft["enterprise_id"].as_str().unwrap()),
            json!({"district_code": "370103"}),
            Some(&w.city),
        )
        .await;
    moved.expect(200);
    let lixia = app.get("/api/v1/staff/inbox", Some(&w.lixia)).await;
    assert_eq!(group(&lixia.body, "assessment.review")["count"], 0, "{}", lixia.text);
    let shizhong = app.get("/api/v1/staff/inbox", Some(&w.shizhong)).await;
    let review = group(&shizhong.body, "assessment.review");
    assert_eq!(review["count"], 2, "{}", shizhong.text);
    assert_eq!(review["items"][0]["target_id"], submitted[0].as_str());

    // In English on request.
    let english = app
        .send(
            app.client
                .get(app.url("/api/v1/staff/inbox"))
                .bearer_auth(&w.lixia)
                .header("accept-language", "en"),
        )
        .await;
    assert_eq!(
        group(&english.body, "assessment.review")["title"],
        "Self-assessments to review"
    );

    // Enterprises have notifications, not a staff inbox.
    app.get("/api/v1/staff/inbox", Some(&w.a))
        .await
        .expect_problem(403, "auth.forbidden_role");
}
