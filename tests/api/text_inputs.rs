//! Text is text: NUL and other control characters, and names of only invisible characters,
//! are refused with a field error (PostgreSQL cannot even store a NUL), never a 500.

use serde_json::json;

use crate::both_engines;
use crate::harness::{Answer, Engine, TestApp};

both_engines!(
    a_nul_in_a_login_username_is_a_field_error,
    enterprise_texts_refuse_control_and_invisible_characters,
    optional_texts_are_checked_too_and_blank_is_none
);

#[track_caller]
fn expect_field(answer: &Answer, field: &str, code: &str) {
    answer.expect_problem(422, "request.invalid_fields");
    let first = &answer.body["errors"][0];
    assert_eq!(
        (first["field"].as_str(), first["code"].as_str()),
        (Some(field), Some(code)),
        "{}",
        answer.text
    );
}

async fn a_nul_in_a_login_username_is_a_field_error(engine: Engine) {
    let app = TestApp::start(engine).await;
    let login = json!({"username": "li\u{0}xia", "password": "Passw0rd123"});
    let answer = app.post("/api/v1/auth/staff/login", login, None).await;
    expect_field(&answer, "username", "text.control_character");
    // An ordinary wrong sign-in is still a 401, so the check above is about the NUL.
    let login = json!({"username": "nobody", "password": "Passw0rd123"});
    assert_eq!(app.post("/api/v1/auth/staff/login", login, None).await.status, 401);
}

async fn enterprise_texts_refuse_control_and_invisible_characters(engine: Engine) {
    let app = TestApp::start(engine).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let with = |field: &str, value: &str| {
        let mut body = json!({"credit_code": "91350100M000100Y43", "name": "某建筑公司", "district_code": "370102",
            "contact_name": "王五", "contact_phone": "13912345678"});
        body[field] = json!(value);
        body
    };
    for (field, value, code) in [
        ("name", "某建筑\u{0}公司", "text.control_character"),
        ("name", "某建筑\u{1b}[31m公司", "text.control_character"),
        ("name", "某建筑\n公司", "text.control_character"),
        ("name", "\u{200B}\u{200B}\u{FEFF} \u{200D}", "text.empty"),
        ("contact_name", "\u{2060}", "text.empty"),
        ("registered_address", "历下区\u{0}1号", "text.control_character"),
        ("registered_address", &"路".repeat(301), "text.too_long"),
    ] {
        let answer = app.post("/api/v1/enterprises", with(field, value), Some(&lixia)).await;
        expect_field(&answer, field, code);
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enterprises")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing refused was stored");

    // Trimmed of invisible characters at the ends; a blank address is no address.
    let mut body = with("name", "\u{200B} 某建筑公司 \u{FEFF}");
    body["registered_address"] = json!("\u{200B} ");
    let created = app.post("/api/v1/enterprises", body, Some(&lixia)).await;
    created.expect(201);
    let id = created.body["id"].as_str().unwrap();
    let view = app.get(&format!("/api/v1/enterprises/{id}"), Some(&lixia)).await;
    assert_eq!(view.body["name"], "某建筑公司");
    assert_eq!(view.body["registered_address"], "");
}

async fn optional_texts_are_checked_too_and_blank_is_none(engine: Engine) {
    let app = TestApp::start(engine).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let (id, password) = app
        .enterprise_account(&lixia, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let login = app.enterprise_token("91350100M000100Y43", &password).await;
    let token = login.body["access_token"].as_str().unwrap();
    let path = format!("/api/v1/enterprises/{id}/qualifications");
    let q = |number: &str| json!({"category": "测试资质", "grade": "一级", "issued_on": "2026-03-01", "certificate_number": number});
    let answer = app.post(&path, q("D1\u{0}23"), Some(token)).await;
    expect_field(&answer, "certificate_number", "text.control_character");
    let answer = app.post(&path, q("D1\n23"), Some(token)).await;
    expect_field(&answer, "certificate_number", "text.control_character");
    app.post(&path, q(""), Some(token)).await.expect(201);
}
