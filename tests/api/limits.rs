//! Limits hold under parallel attack: every attempt is counted in one atomic database step,
//! so of N parallel attempts exactly the limit gets through.

use futures_util::future::join_all;
use serde_json::json;

use crate::both_engines;
use crate::harness::{Answer, Engine, TestApp};

const CODE: &str = "91350100M000100Y43";
const PHONE: &str = "13912345678";
const UNKNOWN: &str = "91110000802100433B";
const PARALLEL: usize = 60;

both_engines!(
    parallel_wrong_passwords,
    parallel_wrong_sms_codes,
    parallel_reset_requests_per_account,
    parallel_reset_requests_per_address,
    parallel_reset_requests_per_day,
    parallel_resends,
    parallel_password_renewals,
    parallel_password_changes
);

/// Counts the answers with `status` and `code`, and asserts every other answer is a 429 with
/// `Retry-After` (or, when `others` names one, that problem).
fn count(answers: &[Answer], status: u16, others: (u16, &str)) -> usize {
    let mut passed = 0;
    for answer in answers {
        if answer.status == status {
            passed += 1;
        } else {
            answer.expect_problem(others.0, others.1);
            if others.0 == 429 {
                assert!(answer.header("retry-after").is_some(), "{}", answer.text);
            }
        }
    }
    passed
}

async fn parallel_wrong_passwords(engine: Engine) {
    let app = TestApp::start_with(engine, |s| s.auth.max_failed_logins_per_address = 1000).await;
    app.staff_token("city1", "city", None).await;
    let body = json!({"username": "city1", "password": "wrong"});
    let answers = join_all((0..PARALLEL).map(|_| app.post("/api/v1/auth/staff/login", body.clone(), None))).await;
    let checked = count(&answers, 401, (429, "auth.locked"));
    assert_eq!(checked, 5, "exactly the limit of wrong passwords is checked");
    // Locked now, even with the right password.
    let right = json!({"username": "city1", "password": "Passw0rd-staff"});
    app.post("/api/v1/auth/staff/login", right.clone(), None)
        .await
        .expect_problem(429, "auth.locked");
    app.clock.advance_secs(901);
    app.post("/api/v1/auth/staff/login", right, None).await.expect(200);
}

async fn setup(engine: Engine, configure: impl FnOnce(&mut zhujian::platform::config::Settings)) -> TestApp {
    let app = TestApp::start_with(engine, configure).await;
    let city = app.staff_token("city1", "city", None).await;
    app.enterprise_account(&city, CODE, "370102", PHONE).await;
    app
}

async fn reset_requests(app: &TestApp, credit_codes: &[&str]) -> Vec<Answer> {
    join_all((0..PARALLEL).map(|i| {
        let code = credit_codes[i % credit_codes.len()];
        app.post(
            "/api/v1/auth/enterprise/password-reset",
            json!({"credit_code": code}),
            None,
        )
    }))
    .await
}

async fn parallel_wrong_sms_codes(engine: Engine) {
    let app = setup(engine, |_| {}).await;
    let before = app.sms.sent_to(PHONE).len();
    app.post(
        "/api/v1/auth/enterprise/password-reset",
        json!({"credit_code": CODE}),
        None,
    )
    .await
    .expect(202);
    let code = app.sms.next_to(PHONE, before).await.params[0].clone();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let body = json!({"credit_code": CODE, "code": wrong, "new_password": "Reset1234"});
    let answers =
        join_all((0..PARALLEL).map(|_| app.post("/api/v1/auth/enterprise/password-reset/confirm", body.clone(), None)))
            .await;
    let mut checked = 0;
    for answer in &answers {
        if answer.code() == "auth.sms_code_invalid" {
            checked += 1;
        } else {
            answer.expect_problem(422, "auth.sms_code_exhausted");
        }
    }
    assert_eq!(checked, 5, "exactly the allowed entries are compared");
    let right = json!({"credit_code": CODE, "code": code, "new_password": "Reset1234"});
    app.post("/api/v1/auth/enterprise/password-reset/confirm", right, None)
        .await
        .expect_problem(422, "auth.sms_code_exhausted");
}

async fn parallel_reset_requests_per_account(engine: Engine) {
    let app = setup(engine, |s| {
        s.auth.sms_code_resend_secs = 0;
        s.auth.sms_per_account_per_day = 3;
        s.auth.sms_per_address_per_day = 1000;
    })
    .await;
    // Every request answers alike (no enumeration); the cap holds on what is sent.
    let answers = reset_requests(&app, &[CODE]).await;
    assert_eq!(count(&answers, 202, (429, "sms.address_limit")), PARALLEL);
    assert_eq!(
        app.sms.settled_to(PHONE).await.len(),
        1 + 3,
        "the initial password and three codes"
    );
    // A day later the account may ask again.
    app.clock.advance_secs(24 * 3600 + 1);
    reset_requests(&app, &[CODE]).await;
    assert_eq!(app.sms.settled_to(PHONE).await.len(), 1 + 3 + 3);
}

async fn parallel_reset_requests_per_address(engine: Engine) {
    let app = setup(engine, |s| {
        s.auth.sms_code_resend_secs = 0;
        s.auth.sms_per_address_per_day = 7;
    })
    .await;
    // Known and unknown credit codes count alike against the address.
    let answers = reset_requests(&app, &[CODE, UNKNOWN]).await;
    assert_eq!(count(&answers, 202, (429, "sms.address_limit")), 7);
    // The known credit code went out at even places: each of those let through sent a code.
    let known_through = answers.iter().step_by(2).filter(|a| a.status == 202).count();
    assert_eq!(app.sms.settled_to(PHONE).await.len(), 1 + known_through);
}

async fn parallel_reset_requests_per_day(engine: Engine) {
    let app = setup(engine, |s| {
        s.auth.sms_code_resend_secs = 0;
        s.auth.sms_per_day = 4;
        s.auth.sms_per_account_per_day = 1000;
        s.auth.sms_per_address_per_day = 1000;
    })
    .await;
    let answers = reset_requests(&app, &[CODE]).await;
    assert_eq!(count(&answers, 202, (429, "sms.address_limit")), PARALLEL);
    assert_eq!(app.sms.settled_to(PHONE).await.len(), 1 + 4);
}

async fn parallel_resends(engine: Engine) {
    let app = setup(engine, |s| s.auth.sms_per_address_per_day = 1000).await;
    let answers = reset_requests(&app, &[CODE]).await;
    assert_eq!(count(&answers, 202, (429, "sms.address_limit")), PARALLEL);
    assert_eq!(
        app.sms.settled_to(PHONE).await.len(),
        1 + 1,
        "one code within the resend interval"
    );
}

/// An expired password renewed by many sign-ins at once, each with its own new password: one
/// lands; the others find their password replaced and are refused as wrong. Only the winner's
/// password and session are left.
async fn parallel_password_renewals(engine: Engine) {
    let app = TestApp::start_with(engine, |s| {
        s.auth.max_failed_logins_per_account = 1000;
        s.auth.max_failed_logins_per_address = 1000;
    })
    .await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    let new = json!({"username": "city1", "display_name": "测试", "role": "city", "password": "Initial123"});
    app.post("/api/v1/staff", new, Some(&admin)).await.expect(201);
    let renewals = join_all((0..PARALLEL).map(|i| {
        let body = json!({"username": "city1", "password": "Initial123", "new_password": format!("Own-passw0rd-{i}")});
        app.post("/api/v1/auth/staff/login", body, None)
    }))
    .await;
    let winner = one_winner(&renewals, 200, (401, "auth.invalid_credentials"));
    let token = renewals[winner].body["access_token"].as_str().unwrap();
    app.get("/api/v1/auth/me", Some(token)).await.expect(200);
    for (i, _) in renewals.iter().enumerate() {
        let body = json!({"username": "city1", "password": format!("Own-passw0rd-{i}")});
        let answer = app.post("/api/v1/auth/staff/login", body, None).await;
        assert_eq!(answer.status, if i == winner { 200 } else { 401 }, "password {i}");
    }
}

/// Many changes of one account's password at once, all with the right current password: one
/// lands, the others are told their current password is wrong (it is, by then).
async fn parallel_password_changes(engine: Engine) {
    let app = TestApp::start(engine).await;
    let token = app.staff_token("city1", "city", None).await;
    let changes = join_all((0..PARALLEL).map(|i| {
        let body = json!({"current_password": "Passw0rd-staff", "new_password": format!("Changed-passw0rd-{i}")});
        app.post("/api/v1/auth/password", body, Some(&token))
    }))
    .await;
    let winner = one_winner(&changes, 204, (422, "auth.wrong_current_password"));
    let body = json!({"username": "city1", "password": format!("Changed-passw0rd-{winner}")});
    app.post("/api/v1/auth/staff/login", body, None).await.expect(200);
    let loser = json!({"username": "city1", "password": format!("Changed-passw0rd-{}", (winner + 1) % PARALLEL)});
    app.post("/api/v1/auth/staff/login", loser, None)
        .await
        .expect_problem(401, "auth.invalid_credentials");
}

/// The index of the one answer with `status`, every other answer being the `lost` problem.
fn one_winner(answers: &[Answer], status: u16, lost: (u16, &str)) -> usize {
    let winners: Vec<usize> = (0..answers.len()).filter(|&i| answers[i].status == status).collect();
    assert_eq!(winners.len(), 1, "exactly one of the parallel changes lands");
    for (i, answer) in answers.iter().enumerate() {
        if i != winners[0] {
            answer.expect_problem(lost.0, lost.1);
        }
    }
    winners[0]
}
