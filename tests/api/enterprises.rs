//! Enterprise accounts: opened by staff in their jurisdiction, read only within scope.

use serde_json::json;

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    enterprise_accounts_open_with_an_sms_password,
    enterprise_reads_are_scoped,
    enterprise_creation_refusals
);

async fn enterprise_accounts_open_with_an_sms_password(engine: Engine) {
    let app = TestApp::start(engine).await;
    let district = app.staff_token("lixia", "district", Some("370102")).await;
    let (id, password) = app
        .enterprise_account(&district, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let login = app.enterprise_token("91350100M000100Y43", &password).await;
    login.expect(200);
    let token = login.body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/auth/me", Some(token)).await;
    assert_eq!(me.body["scope"], format!("enterprise:{id}"));
    let own = app.get(&format!("/api/v1/enterprises/{id}"), Some(token)).await;
    own.expect(200);
    assert_eq!(own.body["contact_phone"], "139****5678", "phones are masked");
    assert!(!own.text.contains("13912345678"));
}

async fn enterprise_reads_are_scoped(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let (a, pa) = app
        .enterprise_account(&city, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let (b, _) = app
        .enterprise_account(&city, "91110000802100433B", "370103", "13912345679")
        .await;
    let a_token = app.enterprise_token("91350100M000100Y43", &pa).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    app.get(&format!("/api/v1/enterprises/{b}"), Some(&a_token))
        .await
        .expect_problem(404, "resource.not_found");
    app.get("/api/v1/enterprises", Some(&a_token))
        .await
        .expect_problem(403, "auth.forbidden_role");
    app.get(&format!("/api/v1/enterprises/{a}"), Some(&lixia))
        .await
        .expect(200);
    app.get(&format!("/api/v1/enterprises/{b}"), Some(&lixia))
        .await
        .expect_problem(404, "resource.not_found");
    app.get(&format!("/api/v1/enterprises/{a}"), Some(&shizhong))
        .await
        .expect_problem(404, "resource.not_found");
    app.get(&format!("/api/v1/enterprises/{b}"), Some(&city))
        .await
        .expect(200);

    let listed = app.get("/api/v1/enterprises", Some(&lixia)).await;
    let ids: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a.as_str()]);
    assert_eq!(
        app.get("/api/v1/enterprises", Some(&city))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let person = app.person_login("openid-p").await;
    let person_token = person.body["access_token"].as_str().unwrap();
    app.get(&format!("/api/v1/enterprises/{a}"), Some(person_token))
        .await
        .expect_problem(404, "resource.not_found");
}

async fn enterprise_creation_refusals(engine: Engine) {
    let app = TestApp::start(engine).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let supervisor = app.staff_token("sup1", "supervisor", Some("370102")).await;
    let body = |code: &str, district: &str| json!({"credit_code": code, "name": "某建筑公司", "district_code": district, "contact_name": "王五", "contact_phone": "13912345678"});
    app.post(
        "/api/v1/enterprises",
        body("91350100M000100Y43", "370103"),
        Some(&lixia),
    )
    .await
    .expect_problem(403, "enterprise.outside_jurisdiction");
    app.post(
        "/api/v1/enterprises",
        body("91350100M000100Y43", "370102"),
        Some(&supervisor),
    )
    .await
    .expect_problem(403, "auth.forbidden_role");
    let invalid = app
        .post(
            "/api/v1/enterprises",
            body("91350100M000100Y4X", "370102"),
            Some(&lixia),
        )
        .await;
    invalid.expect_problem(422, "request.invalid_fields");
    assert_eq!(invalid.body["errors"][0]["field"], "credit_code");
    let bad_phone = json!({"credit_code": "91350100M000100Y43", "name": "x", "district_code": "370102", "contact_name": "王五", "contact_phone": "12345"});
    let answer = app.post("/api/v1/enterprises", bad_phone, Some(&lixia)).await;
    assert_eq!(answer.body["errors"][0]["code"], "phone.format");

    // If the SMS cannot go out, no account is left behind; once it can, the same code works.
    app.sms.set_failing(Some("LimitExceeded.PhoneNumberDailyLimit"));
    app.post(
        "/api/v1/enterprises",
        body("91350100M000100Y43", "370102"),
        Some(&lixia),
    )
    .await
    .expect_problem(503, "sms.unavailable");
    app.sms.set_failing(None);
    app.post(
        "/api/v1/enterprises",
        body("91350100M000100Y43", "370102"),
        Some(&lixia),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/enterprises",
        body("91350100M000100Y43", "370102"),
        Some(&lixia),
    )
    .await
    .expect_problem(409, "enterprise.already_exists");
}
