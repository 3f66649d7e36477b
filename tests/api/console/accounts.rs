//! Journey 6 of the console, a manager's side of it: unlocking an account that wrong passwords
//! locked, setting a new password (refused when weak, or one's own, as the API refuses it), and
//! enabling a disabled account again.

use serde_json::json;

use super::{artefact, browser, sign_in, PASSWORD};
use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(a_manager_unlocks_resets_and_enables_an_account);

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
    app.login_staff("lixia", "Handed-0ver-pw").await;

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
    app.login_staff("lixia", "Handed-0ver-pw").await;
}
