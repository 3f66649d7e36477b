//! The enterprise portal (issue 18, all eight journeys) at `/enterprise/`: signing in with the
//! credit code, the password reset by SMS code and its change; the profile, its documents
//! uploaded with a progress bar and its qualifications; employment requests and relations;
//! verification tasks; self-assessments; daily assessment reports with evidence; certificate
//! applications and exam registrations; notifications and what awaits the enterprise. Each journey
//! in Chromium with one action the API refuses, shown with its code; plain HTTP for the
//! portal's separation from the staff console, its form tokens and the reset.

mod access;
mod assessments;
mod daily;
mod employment;
mod profile;
mod services;
mod verification;

use super::{client, cookie_value, Browser};
use crate::harness::TestApp;

/// The two enterprises of these tests: A in 370102 and B in 370103.
pub const A: &str = "91350100M000100Y43";
pub const B: &str = "91110000802100433B";
pub const A_PHONE: &str = "13912345678";
pub const B_PHONE: &str = "13912345679";

/// Opens both enterprises' accounts: (A's id, A's password, B's id, B's password).
pub async fn two_enterprises(app: &TestApp) -> (String, String, String, String) {
    let city = app.staff_token("city1", "city", None).await;
    let (a, pa) = app.enterprise_account(&city, A, "370102", A_PHONE).await;
    let (b, pb) = app.enterprise_account(&city, B, "370103", B_PHONE).await;
    (a, pa, b, pb)
}

/// Fills the portal's sign-in form and sends it, as a person would.
pub async fn sign_in(browser: &Browser, app: &TestApp, credit_code: &str, password: &str) {
    browser.goto(&app.url("/enterprise/sign-in")).await;
    browser.fill("#credit-code", credit_code).await;
    browser.fill("#password", password).await;
    browser.submit("#sign-in").await;
}

/// The portal's session cookie and form token, signed in without a browser.
pub async fn session(app: &TestApp, credit_code: &str, password: &str) -> (String, String) {
    let page = client().get(app.url("/enterprise/sign-in")).send().await.unwrap();
    let pre = cookie_value(&page, "zj_enterprise_pre");
    let answer = client()
        .post(app.url("/enterprise/sign-in"))
        .header("cookie", format!("zj_enterprise_pre={pre}"))
        .form(&[
            ("credit_code", credit_code),
            ("password", password),
            ("csrf", pre.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303, "{}", answer.text().await.unwrap());
    let cookie = cookie_value(&answer, "zj_enterprise");
    let home = client()
        .get(app.url("/enterprise/"))
        .header("cookie", format!("zj_enterprise={cookie}"))
        .send()
        .await
        .unwrap();
    let body = home.text().await.unwrap();
    let csrf = body
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form token on the home page")
        .to_owned();
    (cookie, csrf)
}

/// A portal page or form answer as (status, body).
pub async fn portal(app: &TestApp, cookie: &str, path: &str, form: Option<&[(&str, &str)]>) -> (u16, String) {
    let request = match form {
        Some(form) => client().post(app.url(path)).form(form),
        None => client().get(app.url(path)),
    };
    let answer = request
        .header("cookie", format!("zj_enterprise={cookie}"))
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}
