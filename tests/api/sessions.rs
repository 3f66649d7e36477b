//! Logout means logout: after a sign-out, a password change or a reset, the session's access
//! tokens are refused at once on the instance that ended it, and within seconds
//! (`auth::sessions::REFRESH_MS`) on every other instance; other sessions carry on.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    logout_ends_the_sessions_tokens_everywhere,
    password_change_ends_every_session,
    password_reset_ends_every_session
);

const PASSWORD: &str = "Passw0rd-staff";

/// Another server on the same database.
async fn sibling(of: &TestApp, engine: Engine) -> TestApp {
    let (url, dir) = (of.database_url.clone(), of.settings.storage.dir.clone());
    TestApp::start_with(engine, move |s| {
        s.database.url = url;
        s.storage.dir = dir;
    })
    .await
}

async fn sign_in(app: &TestApp, username: &str, password: &str) -> Value {
    let answer = app
        .post(
            "/api/v1/auth/staff/login",
            json!({"username": username, "password": password}),
            None,
        )
        .await;
    answer.expect(200);
    answer.body.clone()
}

fn access(pair: &Value) -> &str {
    pair["access_token"].as_str().unwrap()
}

/// Whether `app` accepts the token; any refusal must be `auth.session_ended`.
async fn accepted(app: &TestApp, token: &str) -> bool {
    let answer = app.get("/api/v1/auth/me", Some(token)).await;
    if answer.status == 200 {
        return true;
    }
    answer.expect_problem(401, "auth.session_ended");
    false
}

/// Both instances: the one that ended the session refuses at once; the other once its list
/// is a refresh period old.
async fn refused_everywhere(first: &TestApp, second: &TestApp, token: &str) {
    assert!(!accepted(first, token).await, "refused at once where it ended");
    second.clock.advance_secs(3);
    assert!(
        !accepted(second, token).await,
        "refused on the other instance within seconds"
    );
}

async fn logout_ends_the_sessions_tokens_everywhere(engine: Engine) {
    let first = TestApp::start(engine).await;
    let second = sibling(&first, engine).await;
    first.staff_token("city1", "city", None).await;
    let phone = sign_in(&first, "city1", PASSWORD).await;
    let laptop = sign_in(&first, "city1", PASSWORD).await;
    assert!(accepted(&first, access(&phone)).await);
    assert!(accepted(&second, access(&phone)).await);

    first
        .post(
            "/api/v1/auth/logout",
            json!({"refresh_token": phone["refresh_token"]}),
            None,
        )
        .await
        .expect(204);
    refused_everywhere(&first, &second, access(&phone)).await;
    // The other sign-in of the same account is untouched.
    assert!(accepted(&first, access(&laptop)).await);
    assert!(accepted(&second, access(&laptop)).await);
    // Ten minutes on, the ended one is still refused and the other accepted.
    second.clock.advance_secs(600);
    assert!(accepted(&second, access(&laptop)).await);
    assert!(!accepted(&second, access(&phone)).await);
}

async fn password_change_ends_every_session(engine: Engine) {
    let first = TestApp::start(engine).await;
    let second = sibling(&first, engine).await;
    first.staff_token("city1", "city", None).await;
    let one = sign_in(&first, "city1", PASSWORD).await;
    let other = sign_in(&first, "city1", PASSWORD).await;
    assert!(accepted(&second, access(&other)).await);
    first
        .post(
            "/api/v1/auth/password",
            json!({"current_password": PASSWORD, "new_password": "Changed123"}),
            Some(access(&one)),
        )
        .await
        .expect(204);
    refused_everywhere(&first, &second, access(&one)).await;
    assert!(!accepted(&second, access(&other)).await);
    let fresh = sign_in(&first, "city1", "Changed123").await;
    assert!(accepted(&second, access(&fresh)).await, "a new sign-in works");
}

async fn password_reset_ends_every_session(engine: Engine) {
    let first = TestApp::start(engine).await;
    let second = sibling(&first, engine).await;
    let city = first.staff_token("city1", "city", None).await;
    let (code, phone) = ("91350100M000100Y43", "13912345678");
    let (_, password) = first.enterprise_account(&city, code, "370102", phone).await;
    let signed_in = first.enterprise_token(code, &password).await;
    signed_in.expect(200);
    let token = signed_in.body["access_token"].as_str().unwrap().to_owned();
    assert!(accepted(&second, &token).await);
    let before = first.sms.sent_to(phone).len();
    first
        .post(
            "/api/v1/auth/enterprise/password-reset",
            json!({"credit_code": code}),
            None,
        )
        .await
        .expect(202);
    let sms = first.sms.next_to(phone, before).await.params[0].clone();
    first
        .post(
            "/api/v1/auth/enterprise/password-reset/confirm",
            json!({"credit_code": code, "code": sms, "new_password": "Reset1234"}),
            None,
        )
        .await
        .expect(204);
    refused_everywhere(&first, &second, &token).await;
}
