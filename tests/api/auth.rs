//! Sign-in, tokens and the Caller's 401s.

use serde_json::json;

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    staff_sign_in_and_me,
    wrong_passwords_and_unknown_accounts,
    account_lockout_and_release,
    address_lockout,
    expired_and_forged_access_tokens,
    refresh_rotation_and_reuse,
    logout_revokes_the_session,
    wechat_login_binds_one_person_per_openid,
    wechat_refusals,
    change_password,
    disabled_account_cannot_refresh,
);

async fn staff_sign_in_and_me(engine: Engine) {
    let app = TestApp::start(engine).await;
    let token = app.staff_token("lixia", "district", Some("370102")).await;
    let me = app.get("/api/v1/auth/me", Some(&token)).await;
    me.expect(200);
    assert_eq!(me.body["role"], "district");
    assert_eq!(me.body["scope"], "district:370102");
    assert_eq!(me.body["channel"], "web");
    // Usernames are case-insensitive.
    let upper = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": "LiXia", "password": "Passw0rd-staff"}),
            None,
        )
        .await;
    upper.expect(200);
    assert_eq!(upper.body["token_type"], "Bearer");
    assert_eq!(upper.body["expires_in"], 900);
}

async fn wrong_passwords_and_unknown_accounts(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.staff_token("city1", "city", None).await;
    let wrong = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": "city1", "password": "nope"}),
            None,
        )
        .await;
    wrong.expect_problem(401, "auth.invalid_credentials");
    assert!(wrong.header("www-authenticate").unwrap().starts_with("Bearer"));
    let unknown = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": "ghost", "password": "nope"}),
            None,
        )
        .await;
    unknown.expect_problem(401, "auth.invalid_credentials");
    assert_eq!(
        wrong.body["detail"], unknown.body["detail"],
        "unknown accounts are not told apart"
    );
    let enterprise = app
        .post(
            "/api/v1/auth/enterprise/login",
            json!({"credit_code": "91350100M000100Y43", "password": "nope"}),
            None,
        )
        .await;
    enterprise.expect_problem(401, "auth.invalid_credentials");
}

async fn account_lockout_and_release(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.staff_token("city1", "city", None).await;
    let attempt = |password: &'static str| {
        app.post(
            "/api/v1/auth/staff/login",
            json!({"username": "city1", "password": password}),
            None,
        )
    };
    for _ in 0..5 {
        attempt("wrong").await.expect_problem(401, "auth.invalid_credentials");
    }
    // Locked: even the right password is refused, with Retry-After.
    let locked = attempt("Passw0rd-staff").await;
    locked.expect_problem(429, "auth.locked");
    let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    app.clock.advance_secs(901);
    attempt("Passw0rd-staff").await.expect(200);
}

async fn address_lockout(engine: Engine) {
    let app = TestApp::start_with(engine, |s| s.auth.max_failed_logins_per_address = 3).await;
    app.staff_token("city1", "city", None).await;
    for name in ["a1", "a2", "a3"] {
        app.post(
            "/api/v1/auth/staff/login",
            json!({"username": name, "password": "x"}),
            None,
        )
        .await
        .expect(401);
    }
    // A fourth account from the same address is refused before its password is checked.
    let answer = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": "city1", "password": "Passw0rd-staff"}),
            None,
        )
        .await;
    answer.expect_problem(429, "auth.locked");
    assert!(answer.header("retry-after").is_some());
}

async fn expired_and_forged_access_tokens(engine: Engine) {
    let app = TestApp::start(engine).await;
    let token = app.staff_token("city1", "city", None).await;
    app.get("/api/v1/auth/me", Some(&token)).await.expect(200);

    let mut forged = token.clone();
    forged.replace_range(forged.len() - 4.., "AAAA");
    let answer = app.get("/api/v1/auth/me", Some(&forged)).await;
    answer.expect_problem(401, "auth.invalid_token");
    assert!(answer.header("www-authenticate").unwrap().contains("invalid_token"));
    app.get("/api/v1/auth/me", Some("not-a-jwt"))
        .await
        .expect_problem(401, "auth.invalid_token");

    app.clock.advance_secs(901);
    let expired = app.get("/api/v1/auth/me", Some(&token)).await;
    expired.expect_problem(401, "auth.token_expired");
    assert!(expired.header("www-authenticate").unwrap().contains("expired"));
}

async fn refresh_rotation_and_reuse(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.staff_token("city1", "city", None).await;
    let first = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": "city1", "password": "Passw0rd-staff"}),
            None,
        )
        .await;
    let r1 = first.body["refresh_token"].as_str().unwrap().to_owned();

    app.clock.advance_secs(901);
    let second = app
        .post("/api/v1/auth/refresh", json!({"refresh_token": r1}), None)
        .await;
    second.expect(200);
    let r2 = second.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2, "refresh tokens rotate");
    let fresh_access = second.body["access_token"].as_str().unwrap().to_owned();
    app.get("/api/v1/auth/me", Some(&fresh_access)).await.expect(200);

    // Presenting r1 again is reuse: refused, and r2 dies with it.
    app.post("/api/v1/auth/refresh", json!({"refresh_token": r1}), None)
        .await
        .expect_problem(401, "auth.refresh_token_reused");
    app.post("/api/v1/auth/refresh", json!({"refresh_token": r2}), None)
        .await
        .expect_problem(401, "auth.invalid_refresh_token");

    // A separate sign-in is a separate family and still works.
    let other = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": "city1", "password": "Passw0rd-staff"}),
            None,
        )
        .await;
    let r3 = other.body["refresh_token"].as_str().unwrap().to_owned();
    app.post("/api/v1/auth/refresh", json!({"refresh_token": r3}), None)
        .await
        .expect(200);

    app.post("/api/v1/auth/refresh", json!({"refresh_token": "made-up"}), None)
        .await
        .expect_problem(401, "auth.invalid_refresh_token");
    let late = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": "city1", "password": "Passw0rd-staff"}),
            None,
        )
        .await;
    app.clock.advance_secs(30 * 24 * 3600 + 1);
    let expired = json!({"refresh_token": late.body["refresh_token"]});
    app.post("/api/v1/auth/refresh", expired, None)
        .await
        .expect_problem(401, "auth.refresh_token_expired");
}

async fn logout_revokes_the_session(engine: Engine) {
    let app = TestApp::start(engine).await;
    let login = app.person_login("openid-logout").await;
    let refresh = login.body["refresh_token"].as_str().unwrap().to_owned();
    app.post("/api/v1/auth/logout", json!({"refresh_token": refresh}), None)
        .await
        .expect(204);
    app.post("/api/v1/auth/refresh", json!({"refresh_token": refresh}), None)
        .await
        .expect_problem(401, "auth.invalid_refresh_token");
    // Signing out twice, or with an unknown token, is harmless.
    app.post("/api/v1/auth/logout", json!({"refresh_token": refresh}), None)
        .await
        .expect(204);
}

async fn wechat_login_binds_one_person_per_openid(engine: Engine) {
    let app = TestApp::start(engine).await;
    let first = app.person_login("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o").await;
    first.expect(200);
    assert_eq!(first.body["role"], "person");
    let token = first.body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/auth/me", Some(token)).await;
    assert_eq!(me.body["channel"], "mini_program");
    let profile = app.get("/api/v1/people/me", Some(token)).await;
    profile.expect(200);
    assert_eq!(profile.body["status"], "unregistered");

    let again = app.person_login("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o").await;
    assert_eq!(
        again.body["account_id"], first.body["account_id"],
        "one openid, one person"
    );
    let other = app.person_login("another-openid").await;
    assert_ne!(other.body["account_id"], first.body["account_id"]);

    // A person is not staff and has no password.
    app.get("/api/v1/staff", Some(token))
        .await
        .expect_problem(403, "auth.forbidden_role");
    let change = json!({"current_password": "x", "new_password": "Newpass123"});
    app.post("/api/v1/auth/password", change, Some(token))
        .await
        .expect_problem(403, "auth.forbidden_role");
}

async fn wechat_refusals(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.post("/api/v1/auth/wechat/login", json!({"code": "never-issued"}), None)
        .await
        .expect_problem(401, "auth.wechat_code_invalid");
    let code = app.wechat.code_for("openid-1");
    app.post("/api/v1/auth/wechat/login", json!({"code": code}), None)
        .await
        .expect(200);
    app.post("/api/v1/auth/wechat/login", json!({"code": code}), None)
        .await
        .expect_problem(401, "auth.wechat_code_invalid");
    app.post("/api/v1/auth/wechat/login", json!({"code": ""}), None)
        .await
        .expect_problem(422, "request.invalid_fields");

    let down = TestApp::start_with(engine, |s| s.wechat.base_url = "http://127.0.0.1:9".into()).await;
    let answer = down
        .post("/api/v1/auth/wechat/login", json!({"code": "abc"}), None)
        .await;
    answer.expect_problem(503, "upstream.wechat_unavailable");
    assert!(answer.header("retry-after").is_some());

    let wrong_secret = TestApp::start_with(engine, |s| s.wechat.app_secret = "stale".into()).await;
    let code = wrong_secret.wechat.code_for("openid-2");
    wrong_secret
        .post("/api/v1/auth/wechat/login", json!({"code": code}), None)
        .await
        .expect_problem(503, "upstream.wechat_unavailable");
}

async fn change_password(engine: Engine) {
    let app = TestApp::start(engine).await;
    let token = app.staff_token("city1", "city", None).await;
    let session = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": "city1", "password": "Passw0rd-staff"}),
            None,
        )
        .await;
    let weak = json!({"current_password": "Passw0rd-staff", "new_password": "short"});
    let answer = app.post("/api/v1/auth/password", weak, Some(&token)).await;
    answer.expect_problem(422, "request.invalid_fields");
    assert_eq!(answer.body["errors"][0]["code"], "password.weak");
    let wrong = json!({"current_password": "nope", "new_password": "Brandnew123"});
    app.post("/api/v1/auth/password", wrong, Some(&token))
        .await
        .expect_problem(422, "auth.wrong_current_password");
    let good = json!({"current_password": "Passw0rd-staff", "new_password": "Brandnew123"});
    app.post("/api/v1/auth/password", good, Some(&token)).await.expect(204);
    app.post(
        "/api/v1/auth/staff/login",
        json!({"username": "city1", "password": "Passw0rd-staff"}),
        None,
    )
    .await
    .expect(401);
    app.login_staff("city1", "Brandnew123").await;
    // Sessions opened before the change are over.
    let old = json!({"refresh_token": session.body["refresh_token"]});
    app.post("/api/v1/auth/refresh", old, None)
        .await
        .expect_problem(401, "auth.invalid_refresh_token");
}

async fn disabled_account_cannot_refresh(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.staff_token("city1", "city", None).await;
    let session = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": "city1", "password": "Passw0rd-staff"}),
            None,
        )
        .await;
    sqlx::query("UPDATE staff SET status = 'disabled' WHERE username = 'city1'")
        .execute(&app.state.db)
        .await
        .unwrap();
    let refresh = json!({"refresh_token": session.body["refresh_token"]});
    app.post("/api/v1/auth/refresh", refresh, None)
        .await
        .expect_problem(401, "auth.account_disabled");
    app.post(
        "/api/v1/auth/staff/login",
        json!({"username": "city1", "password": "Passw0rd-staff"}),
        None,
    )
    .await
    .expect_problem(403, "auth.account_disabled");
}
