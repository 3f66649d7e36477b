//! Journey 6 of the console, a manager's side of it: unlocking an account that wrong passwords
//! locked, setting a new password (refused when weak, or one's own, as the API refuses it), and
//! enabling a disabled account again; and the holder's side: a password a manager set has
//! expired, and the console's sign-in asks for a new one, as the API's does.

use serde_json::json;

use super::{artefact, browser, client, console_session, cookie_value, sign_in, PASSWORD};
use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    a_manager_unlocks_resets_and_enables_an_account,
    an_expired_password_is_replaced_at_the_console_sign_in
);

async fn a_manager_unlocks_resets_and_enables_an_account(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let lixia_id = app.get("/api/v1/auth/me", Some(&lixia)).await.body["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..app.settings.auth.max_failed_logins_per_account {
        let wrong = json!({"username": "lixia", "password": "Wrong-passw0rd"});
        app.post("/api/v1/auth/staff/login", wrong, None).await;
    }
    let (browser, _place) = browser().await;
    sign_in(&browser, &app, "city1", PASSWORD).await;
    browser.submit(r#"nav a[href="/console/accounts"]"#).await;
    assert_eq!(browser.text(r#"[data-locked="lixia"]"#).await, "已锁定");

    browser.click(r#"button[data-unlock="lixia"]"#).await;
    assert_eq!(
        browser.wait_text("#notice-message", "已解锁").await,
        "账号已解锁：lixia"
    );
    let still_locked = browser
        .run(r#"return document.querySelector('[data-locked="lixia"]') !== null"#)
        .await;
    assert_eq!(still_locked, false, "the lock is gone from the list");
    app.login_staff("lixia", PASSWORD).await;

    let reset = |username: &'static str, field: String, password: &'static str| {
        let browser = &browser;
        async move {
            browser.click(&format!(r#"summary[data-reset="{username}"]"#)).await;
            browser.fill(&field, password).await;
            browser.click(&format!(r#"button[data-reset-send="{username}"]"#)).await;
        }
    };
    reset("lixia", format!("#reset-{lixia_id}"), "short").await;
    assert_eq!(
        browser.wait_text("#notice-code", "request.invalid_fields").await,
        "request.invalid_fields"
    );
    assert!(browser.text("#notice").await.contains("new_password"));
    reset("lixia", format!("#reset-{lixia_id}"), "Handed-0ver-pw").await;
    assert_eq!(
        browser.wait_text("#notice-message", "已重置").await,
        "密码已重置：lixia"
    );
    browser.screenshot(&artefact("accounts-reset", engine)).await;
    app.get("/api/v1/auth/me", Some(&lixia))
        .await
        .expect_problem(401, "auth.session_ended");
    assert_eq!(browser.text(r#"[data-expired="lixia"]"#).await, "待本人设置新密码");
    app.renew_login_staff("lixia", "Handed-0ver-pw", "Lixia-own-pw1").await;

    // One's own password is changed, not reset: refused as the API refuses it.
    let city_id = browser
        .run(r#"return document.querySelector('summary[data-reset="city1"]').closest('details').querySelector('input[name=new_password]').id"#)
        .await;
    reset("city1", format!("#{}", city_id.as_str().unwrap()), "An0ther-passw0rd").await;
    assert_eq!(
        browser.wait_text("#notice-code", "staff.own_account").await,
        "staff.own_account"
    );

    browser.click(r#"button[data-disable="lixia"]"#).await;
    browser.wait_text("#notice-message", "已停用").await;
    browser.click(r#"button[data-enable="lixia"]"#).await;
    assert_eq!(
        browser.wait_text("#notice-message", "已启用").await,
        "账号已启用：lixia"
    );
    app.login_staff("lixia", "Lixia-own-pw1").await;
}

/// An account created through the API has the creator's password, expired: the console's
/// sign-in refuses it with the API's code and asks for a new password, refuses one equal to it,
/// then opens a session with the new one.
async fn an_expired_password_is_replaced_at_the_console_sign_in(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let new = json!({"username": "lixia", "display_name": "李霞", "role": "district",
        "district_code": "370102", "password": "Initial123"});
    app.post("/api/v1/staff", new, Some(&city)).await.expect(201);

    let page = client().get(app.url("/console/sign-in")).send().await.unwrap();
    let pre = cookie_value(&page, "zj_console_pre");
    let sign_in = |fields: Vec<(&'static str, &'static str)>| {
        let (app, pre) = (&app, pre.clone());
        async move {
            let mut form = vec![("csrf", pre.clone())];
            form.extend(fields.into_iter().map(|(k, v)| (k, v.to_owned())));
            let answer = client()
                .post(app.url("/console/sign-in"))
                .header("cookie", format!("zj_console_pre={pre}"))
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            let cookie = answer.headers().get_all("set-cookie").iter().any(|v| {
                v.to_str().unwrap().starts_with("zj_console=") && !v.to_str().unwrap().starts_with("zj_console=;")
            });
            (status, cookie, answer.text().await.unwrap())
        }
    };
    let (status, session, body) = sign_in(vec![("username", "lixia"), ("password", "Initial123")]).await;
    assert_eq!((status, session), (403, false));
    assert!(body.contains("auth.password_expired"), "{body}");
    assert!(
        body.contains(r#"name="new_password""#),
        "the form asks for a new password"
    );

    let same = vec![
        ("username", "lixia"),
        ("password", "Initial123"),
        ("new_password", "Initial123"),
    ];
    let (status, session, body) = sign_in(same).await;
    assert_eq!((status, session), (422, false));
    assert!(body.contains("auth.password_unchanged"), "{body}");
    assert!(body.contains(r#"name="new_password""#), "the form still asks for it");

    let renewed = vec![
        ("username", "lixia"),
        ("password", "Initial123"),
        ("new_password", "Lixia-own-pw1"),
    ];
    let (status, session, _) = sign_in(renewed).await;
    assert_eq!((status, session), (303, true));
    app.post(
        "/api/v1/auth/staff/login",
        json!({"username": "lixia", "password": "Initial123"}),
        None,
    )
    .await
    .expect_problem(401, "auth.invalid_credentials");
    console_session(&app, "lixia", "Lixia-own-pw1").await;
}
