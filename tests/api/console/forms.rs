//! What holds for every console page and form: the form token (CSRF) checked on every POST,
//! the Content-Security-Policy, the cookies' attributes, the assets' caching.

use sha2::Digest as _;

use super::{artefact, browser, client, console_session, sign_in, PASSWORD};
use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    a_post_without_the_form_token_is_refused,
    pages_carry_a_strict_policy,
    sessions_end_when_idle_and_at_their_limit
);

async fn a_post_without_the_form_token_is_refused(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.staff_token("lixia", "district", Some("370102")).await;
    let (browser, _place) = browser().await;
    sign_in(&browser, &app, "lixia", PASSWORD).await;
    browser.goto(&app.url("/console/password")).await;
    // A forged or stale form: the token taken out of the page before it is sent.
    browser
        .run(r#"document.querySelector('form[action="/console/password"] input[name=csrf]').remove()"#)
        .await;
    browser.fill("#current_password", PASSWORD).await;
    browser.fill("#new_password", "N3w-passw0rd").await;
    browser.submit("#change-password").await;
    assert_eq!(browser.text("#notice-code").await, "console.form_expired");
    browser.screenshot(&artefact("form-expired", engine)).await;
    app.login_staff("lixia", PASSWORD).await;

    // The same without a browser: the session's cookie alone does not make a POST.
    let session = browser.cookie("zj_console").await.unwrap()["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let post = |path: &str, cookie: String, form: &[(&str, &str)]| {
        client().post(app.url(path)).header("cookie", cookie).form(form).send()
    };
    let account = [
        ("username", "sup9"),
        ("display_name", "x"),
        ("role", "supervisor"),
        ("password", "Passw0rd-9"),
    ];
    for csrf in [None, Some("forged")] {
        let mut form = account.to_vec();
        if let Some(token) = csrf {
            form.push(("csrf", token));
        }
        let answer = post("/console/accounts", format!("zj_console={session}"), &form)
            .await
            .unwrap();
        assert_eq!(answer.status(), 403);
        assert!(answer.text().await.unwrap().contains("console.form_expired"));
    }
    // Sign-in too: its token must match the pre-session cookie the form came with.
    let sign_in = [("username", "lixia"), ("password", PASSWORD), ("csrf", "guess")];
    let answer = post("/console/sign-in", "zj_console_pre=other".into(), &sign_in)
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    let answer = post("/console/sign-in", String::new(), &sign_in).await.unwrap();
    assert_eq!(answer.status(), 403);
    let answer = post("/console/sign-in", "zj_console_pre=guess".into(), &sign_in)
        .await
        .unwrap();
    assert_eq!(answer.status(), 303, "the token and its cookie agree");
}

async fn pages_carry_a_strict_policy(engine: Engine) {
    let app = TestApp::start(engine).await;
    let page = client().get(app.url("/console/sign-in")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("script-src 'self'") && policy.contains("style-src 'self'"),
        "{policy}"
    );
    assert!(
        !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
        "{policy}"
    );
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("zj_console_pre="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script>") && !html.contains("style="), "nothing inline");
    // Each asset is linked at an address versioned by its content, cached for a year there.
    for (asset, kind) in [
        ("htmx-2.0.11.min.js", "text/javascript"),
        ("zhujian-console.css", "text/css"),
    ] {
        let path = format!("/console/assets/{asset}?v=");
        let linked = html.split(&path).nth(1).expect("the page links the asset versioned");
        let version = linked.split('"').next().unwrap();
        let answer = client().get(app.url(&format!("{path}{version}"))).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        assert!(answer.headers()["content-type"].to_str().unwrap().starts_with(kind));
        assert!(answer.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000"));
        let served = answer.bytes().await.unwrap();
        let digest = hex::encode(sha2::Sha256::digest(&served));
        assert_eq!(version, &digest[..12], "{asset}: the version is the served file's");
    }
    // Served over https, the cookies are Secure.
    let https = TestApp::start_with(engine, |s| s.server.public_url = "https://zhujian.example".into()).await;
    let page = client().get(https.url("/console/sign-in")).send().await.unwrap();
    assert!(page.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
    // The console is no part of the API's contract.
    let document = app.get("/openapi.json", None).await;
    assert!(
        !document.text.contains("/console"),
        "console routes stay out of the OpenAPI document"
    );
}

async fn sessions_end_when_idle_and_at_their_limit(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.staff_token("lixia", "district", Some("370102")).await;
    let status = |session: String| {
        let request = client()
            .get(app.url("/console/"))
            .header("cookie", format!("zj_console={session}"));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let (idle, max) = (app.settings.auth.console_idle_secs, app.settings.auth.console_max_secs);
    let session = console_session(&app, "lixia", PASSWORD).await;
    assert_eq!(status(session.clone()).await, 200);
    for _ in 0..3 {
        app.clock.advance_secs(idle - 1);
        assert_eq!(
            status(session.clone()).await,
            200,
            "used within the idle time: still open"
        );
    }
    app.clock.advance_secs(idle);
    assert_eq!(status(session.clone()).await, 303, "idle for the idle time: ended");
    app.clock.advance_secs(-idle);
    assert_eq!(status(session.clone()).await, 303, "and it stays ended");
    // htmx asking for a part is told to load the sign-in page whole.
    let part = client()
        .get(app.url("/console/accounts"))
        .header("cookie", format!("zj_console={session}"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 401);
    assert_eq!(part.headers()["hx-redirect"], "/console/sign-in");

    // Used all along, a session still ends at its absolute limit.
    let session = console_session(&app, "lixia", PASSWORD).await;
    let mut passed = 0;
    while passed + idle / 2 < max {
        app.clock.advance_secs(idle / 2);
        passed += idle / 2;
        assert_eq!(status(session.clone()).await, 200);
    }
    app.clock.advance_secs(max - passed);
    assert_eq!(status(session).await, 303, "past its absolute expiry");
}
