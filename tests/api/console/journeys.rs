//! Journey 1 (sign in, what awaits, change password, sign out) and journey 6 (accounts) of the
//! console, each with the refusal the API would give, shown with the API's code and message.

use serde_json::json;

use super::{artefact, browser, client, console_session, sign_in, PASSWORD};
use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    a_wrong_password_shows_the_apis_error_and_the_account_locks,
    home_counts_what_awaits_a_district_staff_member,
    a_changed_password_signs_in_and_the_old_one_does_not,
    signing_out_ends_the_session,
    a_refused_creation_shows_the_apis_code
);

async fn a_wrong_password_shows_the_apis_error_and_the_account_locks(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.staff_token("lixia", "district", Some("370102")).await;
    let (browser, _place) = browser().await;
    browser.goto(&app.url("/console/")).await;
    assert!(
        browser.url().await.ends_with("/console/sign-in"),
        "signed out: to the sign-in page"
    );
    assert_eq!(browser.text("h1").await, "工作人员登录");
    for _ in 0..app.settings.auth.max_failed_logins_per_account {
        sign_in(&browser, &app, "lixia", "Wrong-passw0rd").await;
        assert_eq!(browser.text("#notice-code").await, "auth.invalid_credentials");
        assert_eq!(browser.text("#notice-message").await, "用户名或密码错误");
    }
    // The limit reached: even the right password is refused, by the API's own lockout.
    sign_in(&browser, &app, "lixia", PASSWORD).await;
    assert_eq!(browser.text("#notice-code").await, "auth.locked");
    let message = browser.text("#notice-message").await;
    browser.screenshot(&artefact("sign-in-locked", engine)).await;
    let api = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": "lixia", "password": PASSWORD}),
            None,
        )
        .await;
    api.expect_problem(429, "auth.locked");
    assert_eq!(
        api.body["detail"],
        message.as_str(),
        "the same throttle, the same words"
    );
}

async fn home_counts_what_awaits_a_district_staff_member(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let colleague = app.staff_token("lixia2", "district", Some("370102")).await;
    app.staff_token("shizhong", "district", Some("370103")).await;
    let (enterprise, _) = app
        .enterprise_account(&city, "91350100M000100Y43", "370102", "13912345678")
        .await;
    // A deduction 历下 recorded awaits another member of its staff.
    let deduction = json!({"type_code": "poor_site_management", "enterprise_id": enterprise,
                           "occurred_on": "2026-11-02", "description": "临边防护缺失"});
    app.post("/api/v1/daily-events", deduction, Some(&lixia))
        .await
        .expect(201);
    let inbox = app.get("/api/v1/staff/inbox", Some(&colleague)).await;
    inbox.expect(200);

    let (browser, _place) = browser().await;
    sign_in(&browser, &app, "lixia2", PASSWORD).await;
    assert!(browser.url().await.ends_with("/console/"));
    assert_eq!(browser.text("h1").await, "待我处理");
    assert_eq!(browser.text("#who").await, "区（市）主管部门 · 370102");
    assert_eq!(browser.text("#inbox-total").await, inbox.body["total"].to_string());
    for group in inbox.body["groups"].as_array().unwrap() {
        let card = format!(r#"a[data-kind="{}"] .count"#, group["kind"].as_str().unwrap());
        assert_eq!(
            browser.text(&card).await,
            group["count"].to_string(),
            "{card}: as the API counts"
        );
    }
    let daily = r#"a[data-kind="assessment.daily_event"]"#;
    assert_eq!(browser.text(&format!("{daily} .count")).await, "1");
    browser.screenshot(&artefact("home", engine)).await;

    browser.submit(daily).await;
    assert!(browser.url().await.ends_with("/console/queues/assessment.daily_event"));
    let queue = browser.text("#queue").await;
    assert!(
        queue.contains("企业91350100M000100Y43：施工现场安全文明施工管理不到位（2026-11-02）"),
        "{queue}"
    );
    browser.goto(&app.url("/console/?lang=en")).await;
    assert_eq!(browser.text("h1").await, "Awaiting my decision");
    assert!(browser.text(daily).await.contains("Daily assessment events to review"));
    browser.screenshot(&artefact("home-en", engine)).await;
    browser.goto(&app.url("/console/queues/assessment.daily_event")).await;
    assert_eq!(browser.text("a[hreflang]").await, "中文", "English stays chosen");

    // Another district's staff: nothing of 历下's awaits them.
    browser.submit("#sign-out").await;
    sign_in(&browser, &app, "shizhong", PASSWORD).await;
    assert_eq!(browser.text(&format!("{daily} .count")).await, "0");
    // A kind this staff member does not decide is no queue of theirs.
    browser.goto(&app.url("/console/queues/application.city")).await;
    assert_eq!(browser.text("#notice-code").await, "resource.not_found");
}

async fn a_changed_password_signs_in_and_the_old_one_does_not(engine: Engine) {
    let app = TestApp::start(engine).await;
    let token = app.staff_token("lixia", "district", Some("370102")).await;
    let (browser, _place) = browser().await;
    sign_in(&browser, &app, "lixia", PASSWORD).await;
    browser.submit(r#"nav a[href="/console/password"]"#).await;
    assert_eq!(browser.text("h1").await, "修改密码");
    browser.fill("#current_password", "Not-the-passw0rd").await;
    browser.fill("#new_password", "N3w-passw0rd").await;
    browser.submit("#change-password").await;
    assert_eq!(browser.text("#notice-code").await, "auth.wrong_current_password");
    browser.fill("#current_password", PASSWORD).await;
    browser.fill("#new_password", "short").await;
    browser.submit("#change-password").await;
    assert_eq!(browser.text("#notice-code").await, "request.invalid_fields");
    browser.fill("#current_password", PASSWORD).await;
    browser.fill("#new_password", "N3w-passw0rd").await;
    browser.submit("#change-password").await;
    assert!(browser.url().await.contains("/console/sign-in?changed=1"));
    assert!(browser.text("#notice-message").await.contains("密码已修改"));
    browser.screenshot(&artefact("password-changed", engine)).await;
    // Every session of the account ended: the API's token too.
    app.get("/api/v1/auth/me", Some(&token))
        .await
        .expect_problem(401, "auth.session_ended");
    sign_in(&browser, &app, "lixia", PASSWORD).await;
    assert_eq!(browser.text("#notice-code").await, "auth.invalid_credentials");
    sign_in(&browser, &app, "lixia", "N3w-passw0rd").await;
    assert!(browser.url().await.ends_with("/console/"));
    app.login_staff("lixia", "N3w-passw0rd").await;
}

async fn signing_out_ends_the_session(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.staff_token("lixia", "district", Some("370102")).await;
    let (browser, _place) = browser().await;
    // By keyboard alone: the username has the focus, Enter in the password sends the form.
    browser.goto(&app.url("/console/sign-in")).await;
    assert_eq!(browser.run("return document.activeElement.id").await, "username");
    browser.fill("#username", "lixia").await;
    browser.type_and_enter("#password", PASSWORD).await;
    assert!(browser.url().await.ends_with("/console/"));
    let cookie = browser.cookie("zj_console").await.expect("the session cookie");
    assert_eq!(cookie["httpOnly"], true);
    assert_eq!(cookie["sameSite"], "Strict");
    assert_eq!(cookie["path"], "/console");
    let session = cookie["value"].as_str().unwrap().to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let home = |client: &reqwest::Client| {
        client
            .get(app.url("/console/"))
            .header("cookie", format!("zj_console={session}"))
            .send()
    };
    assert_eq!(
        home(&client).await.unwrap().status(),
        200,
        "the cookie opens the console"
    );
    browser.submit("#sign-out").await;
    assert!(browser.url().await.contains("/console/sign-in?signed_out=1"));
    assert_eq!(browser.text("#notice-message").await, "您已退出登录。");
    browser.screenshot(&artefact("signed-out", engine)).await;
    assert!(browser.cookie("zj_console").await.is_none(), "the cookie is cleared");
    // The session itself ended: its cookie, replayed, opens nothing.
    let replayed = home(&client).await.unwrap();
    assert_eq!(replayed.status(), 303);
    assert_eq!(replayed.headers()["location"], "/console/sign-in");
    browser.goto(&app.url("/console/accounts")).await;
    assert!(browser.url().await.ends_with("/console/sign-in"));
}

async fn a_refused_creation_shows_the_apis_code(engine: Engine) {
    let app = TestApp::start(engine).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let (browser, _place) = browser().await;
    sign_in(&browser, &app, "lixia", PASSWORD).await;
    browser.submit(r#"nav a[href="/console/accounts"]"#).await;
    assert_eq!(
        browser.run("return typeof htmx").await,
        "object",
        "htmx runs under the policy"
    );
    let create = |username: &'static str, role: &'static str| {
        let browser = &browser;
        async move {
            browser.fill("#new-username", username).await;
            browser.fill("#new-display-name", "新账号").await;
            browser.click(&format!(r#"#new-role option[value="{role}"]"#)).await;
            browser
                .fill("#new-district", if role == "city" { "" } else { "370102" })
                .await;
            browser.fill("#new-password", "Passw0rd-new1").await;
            browser.click("#create-account").await;
        }
    };
    create("newcity", "city").await;
    let code = browser.wait_text("#notice-code", "staff.creation_not_allowed").await;
    assert_eq!(code, "staff.creation_not_allowed");
    assert_eq!(browser.text("#notice-message").await, "您的角色不能创建该角色的账号");
    browser.screenshot(&artefact("accounts-refused", engine)).await;
    let api = app
        .post(
            "/api/v1/staff",
            json!({"username": "newcity", "display_name": "新账号", "role": "city", "password": "Passw0rd-new1"}),
            Some(&lixia),
        )
        .await;
    api.expect_problem(403, "staff.creation_not_allowed");

    create("sup1", "supervisor").await;
    let notice = browser.wait_text("#notice-message", "sup1").await;
    assert_eq!(notice, "账号已创建：sup1");
    assert!(browser.text("#accounts").await.contains("sup1"));
    app.renew_login_staff("sup1", "Passw0rd-new1", "Sup1-own-pw1").await;
    let sup1_session = console_session(&app, "sup1", "Sup1-own-pw1").await;

    // Disabling: the account can no longer sign in, its console session ends at once.
    browser.click(r#"button[data-disable="sup1"]"#).await;
    assert_eq!(browser.wait_text("#notice-message", "已停用").await, "账号已停用：sup1");
    assert!(browser.text("#accounts").await.contains("停用"));
    browser.screenshot(&artefact("accounts", engine)).await;
    let home = client()
        .get(app.url("/console/"))
        .header("cookie", format!("zj_console={sup1_session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), 303, "a disabled account's session opens nothing");
    app.post(
        "/api/v1/auth/staff/login",
        json!({"username": "sup1", "password": "Sup1-own-pw1"}),
        None,
    )
    .await
    .expect_problem(403, "auth.account_disabled");
    // Nobody disables their own account, in the console as in the API.
    browser.click(r#"button[data-disable="lixia"]"#).await;
    assert_eq!(
        browser.wait_text("#notice-code", "staff.own_account").await,
        "staff.own_account"
    );
    let me = app.get("/api/v1/auth/me", Some(&lixia)).await.body["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&format!("/api/v1/staff/{me}/disable"), json!({}), Some(&lixia))
        .await
        .expect_problem(409, "staff.own_account");
}
