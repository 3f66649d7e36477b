//! Journey 1 and the portal's doors: signing in with the credit code (a wrong password refused
//! with the API's code), changing the password, the reset by SMS code; a staff session never
//! opens the portal nor an enterprise session the staff console; forms without their token
//! (uploads too) are refused before any handler runs.

use super::{session, sign_in, two_enterprises, A, A_PHONE};
use crate::both_engines;
use crate::console::{artefact, browser, client, console_session, cookie_value, PASSWORD};
use crate::harness::{Engine, TestApp};

both_engines!(
    an_enterprise_signs_in_and_changes_its_password,
    wrong_passwords_lock_the_account_as_the_api_does,
    a_password_is_reset_with_the_sms_code,
    each_portal_opens_with_its_own_sessions_only,
    forms_without_their_token_are_refused
);

async fn an_enterprise_signs_in_and_changes_its_password(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (_, password, _, _) = two_enterprises(&app).await;
    let (browser, _place) = browser().await;
    sign_in(&browser, &app, A, "Wrong-passw0rd").await;
    assert_eq!(browser.text("#notice-code").await, "auth.invalid_credentials");
    assert_eq!(
        browser.run("return document.querySelector('#credit-code').value").await,
        A
    );

    sign_in(&browser, &app, &A.to_lowercase(), &password).await;
    assert_eq!(
        browser.text("#credit-code").await,
        A,
        "the API reads the code in any case"
    );
    assert_eq!(browser.text("#who").await, "企业");
    browser.screenshot(&artefact("enterprise-home", engine)).await;

    browser.submit(r#"nav a[href="/enterprise/password"]"#).await;
    browser.fill("#current_password", "Not-the-passw0rd").await;
    browser.fill("#new_password", "Own-passw0rd-1").await;
    browser.submit("#change-password").await;
    assert_eq!(browser.text("#notice-code").await, "auth.wrong_current_password");
    browser.fill("#current_password", &password).await;
    browser.fill("#new_password", "Own-passw0rd-1").await;
    browser.submit("#change-password").await;
    assert!(browser.url().await.ends_with("/enterprise/sign-in?changed=1"));
    app.enterprise_token(A, &password)
        .await
        .expect_problem(401, "auth.invalid_credentials");
    sign_in(&browser, &app, A, "Own-passw0rd-1").await;
    assert!(browser.url().await.ends_with("/enterprise/"), "{}", browser.url().await);
}

/// The portal's sign-in is the API's: its wrong passwords count toward the API's lockout, and
/// a locked account is refused at both with the same code and words.
async fn wrong_passwords_lock_the_account_as_the_api_does(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (_, password, _, _) = two_enterprises(&app).await;
    let page = client().get(app.url("/enterprise/sign-in")).send().await.unwrap();
    let pre = cookie_value(&page, "zj_enterprise_pre");
    let sign_in = |password: String| {
        let (app, pre) = (&app, pre.clone());
        async move {
            let answer = client()
                .post(app.url("/enterprise/sign-in"))
                .header("cookie", format!("zj_enterprise_pre={pre}"))
                .form(&[("credit_code", A), ("password", &password), ("csrf", &pre)])
                .send()
                .await
                .unwrap();
            (answer.status().as_u16(), answer.text().await.unwrap())
        }
    };
    for _ in 0..app.settings.auth.max_failed_logins_per_account {
        let (status, body) = sign_in("Wrong-passw0rd".into()).await;
        assert_eq!(status, 401);
        assert!(body.contains("auth.invalid_credentials"), "{body}");
    }
    let (status, body) = sign_in(password.clone()).await;
    assert_eq!(status, 429);
    assert!(body.contains("auth.locked"), "{body}");
    let api = app.enterprise_token(A, &password).await;
    api.expect_problem(429, "auth.locked");
    let words = api.body["detail"].as_str().unwrap();
    assert!(body.contains(words), "the same words: {words}");
}

/// The reset page: a code to the contact's phone (the same answer for any code), a wrong code
/// refused with the API's code, then the new password; every session of the account ends.
async fn a_password_is_reset_with_the_sms_code(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (_, password, _, _) = two_enterprises(&app).await;
    let (old_session, _) = session(&app, A, &password).await;
    let page = client().get(app.url("/enterprise/reset")).send().await.unwrap();
    let pre = cookie_value(&page, "zj_enterprise_pre");
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let (app, pre) = (&app, pre.clone());
        async move {
            let mut form = vec![("csrf", pre.clone())];
            form.extend(fields);
            let answer = client()
                .post(app.url(path))
                .header("cookie", format!("zj_enterprise_pre={pre}"))
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            let location = answer.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
            (status, location, answer.text().await.unwrap())
        }
    };
    let before = app.sms.sent_to(A_PHONE).len();
    let (status, _, body) = post("/enterprise/reset", vec![("credit_code", A.into())]).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("验证码已发送至企业联系人手机") && body.contains(r#"name="code""#),
        "{body}"
    );
    let code = app.sms.next_to(A_PHONE, before).await.params[0].clone();
    let (status, _, unknown) = post("/enterprise/reset", vec![("credit_code", "91110000802100433B".into())]).await;
    assert_eq!(status, 200, "the same answer for any enterprise");
    assert!(unknown.contains("验证码已发送至企业联系人手机"));

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirm = |code: &str, password: &str| {
        vec![
            ("credit_code", A.to_owned()),
            ("code", code.to_owned()),
            ("new_password", password.to_owned()),
        ]
    };
    let (status, _, body) = post("/enterprise/reset/confirm", confirm(wrong, "Reset-passw0rd")).await;
    assert_eq!(status, 422);
    assert!(body.contains("auth.sms_code_invalid"), "{body}");
    let (status, location, _) = post("/enterprise/reset/confirm", confirm(&code, "Reset-passw0rd")).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/enterprise/sign-in?reset=1"))
    );

    app.enterprise_token(A, &password)
        .await
        .expect_problem(401, "auth.invalid_credentials");
    app.enterprise_token(A, "Reset-passw0rd").await.expect(200);
    let old = client()
        .get(app.url("/enterprise/"))
        .header("cookie", format!("zj_enterprise={old_session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        old.headers()["location"],
        "/enterprise/sign-in",
        "the reset ends the portal's sessions"
    );
}

/// Where a cookie's session leads: the page's status and its redirect, if any.
async fn visit(app: &TestApp, path: &str, cookie: &str) -> (u16, String) {
    let answer = client()
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let location = answer
        .headers()
        .get("location")
        .map_or(String::new(), |l| l.to_str().unwrap().to_owned());
    (answer.status().as_u16(), location)
}

async fn each_portal_opens_with_its_own_sessions_only(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (_, password, _, _) = two_enterprises(&app).await;
    let staff = console_session(&app, "city1", PASSWORD).await;
    let (enterprise, _) = session(&app, A, &password).await;
    assert_eq!(visit(&app, "/console/", &format!("zj_console={staff}")).await.0, 200);
    assert_eq!(
        visit(&app, "/enterprise/", &format!("zj_enterprise={enterprise}"))
            .await
            .0,
        200
    );

    // Each session under its own cookie name at the other portal, then under the other's name.
    let to_enterprise_sign_in = (303, "/enterprise/sign-in".to_owned());
    let to_console_sign_in = (303, "/console/sign-in".to_owned());
    for cookie in [format!("zj_console={staff}"), format!("zj_enterprise={staff}")] {
        assert_eq!(
            visit(&app, "/enterprise/", &cookie).await,
            to_enterprise_sign_in,
            "{cookie}"
        );
        assert_eq!(
            visit(&app, "/enterprise/employment", &cookie).await,
            to_enterprise_sign_in
        );
    }
    for cookie in [
        format!("zj_enterprise={enterprise}"),
        format!("zj_console={enterprise}"),
    ] {
        assert_eq!(visit(&app, "/console/", &cookie).await, to_console_sign_in, "{cookie}");
        assert_eq!(visit(&app, "/console/enterprises", &cookie).await, to_console_sign_in);
    }
    // The portal's pages: the console's policy, English on asking, remembered for the portal.
    let english = client()
        .get(app.url("/enterprise/?lang=en"))
        .header("cookie", format!("zj_enterprise={enterprise}"))
        .send()
        .await
        .unwrap();
    let policy = english.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"),
        "{policy}"
    );
    let remembered = english
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("zj_enterprise_lang=en"))
        .expect("the language is remembered");
    assert!(remembered.contains("Path=/enterprise;"), "{remembered}");
    let body = english.text().await.unwrap();
    assert!(
        body.contains("<title>Enterprise profile · Enterprise portal</title>"),
        "{body}"
    );
    assert!(
        body.contains(r#"<script src="/console/assets/zhujian-enterprise.js?v="#),
        "the portal's script"
    );

    // The staff sign-in does not take an enterprise's credentials.
    let page = client().get(app.url("/console/sign-in")).send().await.unwrap();
    let pre = cookie_value(&page, "zj_console_pre");
    let answer = client()
        .post(app.url("/console/sign-in"))
        .header("cookie", format!("zj_console_pre={pre}"))
        .form(&[("username", A), ("password", password.as_str()), ("csrf", pre.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
}

async fn forms_without_their_token_are_refused(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (_, password, _, _) = two_enterprises(&app).await;
    let (cookie, csrf) = session(&app, A, &password).await;
    let cookie = format!("zj_enterprise={cookie}");
    let post = |path: &'static str, form: Vec<(&'static str, String)>| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            let answer = client()
                .post(app.url(path))
                .header("cookie", cookie)
                .form(&form)
                .send()
                .await
                .unwrap();
            (answer.status().as_u16(), answer.text().await.unwrap())
        }
    };
    let address = || ("registered_address", "济南市历下区".to_owned());
    for form in [vec![address()], vec![address(), ("csrf", "forged".to_owned())]] {
        let (status, body) = post("/enterprise/profile", form).await;
        assert_eq!(status, 403);
        assert!(body.contains("console.form_expired"), "{body}");
    }
    let contact = ("contact_name", "王五".to_owned());
    let (status, body) = post("/enterprise/profile", vec![address(), contact, ("csrf", csrf.clone())]).await;
    assert_eq!(status, 200, "the page's own token passes: {body}");
    assert!(body.contains("已保存"), "{body}");
    let (status, _) = post("/enterprise/reset", vec![("credit_code", A.to_owned())]).await;
    assert_eq!(status, 403, "the reset form needs its pre-session token");

    // An upload: the token must be the body's first part.
    let upload = |parts: reqwest::multipart::Form, cookie: Option<String>| {
        let app = &app;
        async move {
            let mut request = client().post(app.url("/enterprise/uploads/business-licence"));
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            let answer = request.multipart(parts).send().await.unwrap();
            (answer.status().as_u16(), answer.text().await.unwrap())
        }
    };
    let png =
        || reqwest::multipart::Part::bytes(crate::people::photo("person-a-portrait.jpg")).file_name("licence.jpg");
    let forged = reqwest::multipart::Form::new()
        .text("csrf", "forged")
        .part("file", png());
    let (status, body) = upload(forged, Some(cookie.clone())).await;
    assert_eq!(status, 403);
    assert!(body.contains("console.form_expired"), "{body}");
    let late = reqwest::multipart::Form::new()
        .part("file", png())
        .text("csrf", csrf.clone());
    assert_eq!(
        upload(late, Some(cookie.clone())).await.0,
        403,
        "the token after the file"
    );
    let signed_out = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part("file", png());
    assert_eq!(upload(signed_out, None).await.0, 403);
    let good = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part("file", png());
    let (status, body) = upload(good, Some(cookie)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("已上传并保存"), "{body}");
}
