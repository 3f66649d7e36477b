//! Enterprise password reset by SMS code.

use serde_json::json;

use crate::both_engines;
use crate::harness::{Engine, TestApp};

const CODE: &str = "91350100M000100Y43";
const PHONE: &str = "13912345678";

both_engines!(
    reset_with_the_sms_code,
    code_expiry_resend_and_attempts,
    unknown_accounts_and_sms_outage
);

async fn setup(engine: Engine) -> (TestApp, String) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let (_, password) = app.enterprise_account(&city, CODE, "370102", PHONE).await;
    (app, password)
}

/// Asks for a reset code: always 202 with the same body; the SMS goes out after the answer.
async fn ask(app: &TestApp, credit_code: &str) -> crate::harness::Answer {
    let answer = app
        .post(
            "/api/v1/auth/enterprise/password-reset",
            json!({"credit_code": credit_code}),
            None,
        )
        .await;
    answer.expect(202);
    answer
}

/// Whether an SMS beyond the first `before` is sent within a second.
async fn sent_after(app: &TestApp, before: usize) -> bool {
    for _ in 0..100 {
        if app.sms.count() > before {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    false
}

async fn request_code(app: &TestApp) -> String {
    let before = app.sms.count();
    ask(app, CODE).await;
    assert!(sent_after(app, before).await, "a reset SMS is sent");
    let sms = app.sms.last_to(PHONE).expect("reset SMS");
    assert_eq!(sms.template_id, "100001");
    assert_eq!(sms.params[1], "5", "the message states the validity in minutes");
    let code = sms.params[0].clone();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    code
}

async fn reset_with_the_sms_code(engine: Engine) {
    let (app, password) = setup(engine).await;
    let session = app.enterprise_token(CODE, &password).await;
    session.expect(200);
    let code = request_code(&app).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let answer = app
        .post(
            "/api/v1/auth/enterprise/password-reset/confirm",
            json!({"credit_code": CODE, "code": wrong, "new_password": "Reset1234"}),
            None,
        )
        .await;
    answer.expect_problem(422, "auth.sms_code_invalid");
    let weak = json!({"credit_code": CODE, "code": code, "new_password": "weak"});
    app.post("/api/v1/auth/enterprise/password-reset/confirm", weak, None)
        .await
        .expect_problem(422, "request.invalid_fields");

    let good = json!({"credit_code": CODE, "code": code, "new_password": "Reset1234"});
    app.post("/api/v1/auth/enterprise/password-reset/confirm", good.clone(), None)
        .await
        .expect(204);
    app.enterprise_token(CODE, &password)
        .await
        .expect_problem(401, "auth.invalid_credentials");
    app.enterprise_token(CODE, "Reset1234").await.expect(200);
    // The code is spent, and earlier sessions are over.
    app.post("/api/v1/auth/enterprise/password-reset/confirm", good, None)
        .await
        .expect_problem(422, "auth.sms_code_expired");
    let old = json!({"refresh_token": session.body["refresh_token"]});
    app.post("/api/v1/auth/refresh", old, None)
        .await
        .expect_problem(401, "auth.invalid_refresh_token");
}

async fn code_expiry_resend_and_attempts(engine: Engine) {
    let (app, _) = setup(engine).await;
    let first = request_code(&app).await;
    // Too soon for another: the answer is the same as ever, and no SMS goes out.
    let before = app.sms.count();
    let too_soon = ask(&app, CODE).await;
    let unknown = ask(&app, "91110000802100433B").await;
    assert_eq!(too_soon.text, unknown.text, "a known account is not told apart");
    assert!(!sent_after(&app, before).await);

    // Five minutes later the code is void.
    app.clock.advance_secs(301);
    let late = json!({"credit_code": CODE, "code": first, "new_password": "Reset1234"});
    app.post("/api/v1/auth/enterprise/password-reset/confirm", late, None)
        .await
        .expect_problem(422, "auth.sms_code_expired");

    // Five wrong entries spend a code, even for the right code afterwards.
    let code = request_code(&app).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (0..5).rev() {
        let answer = app
            .post(
                "/api/v1/auth/enterprise/password-reset/confirm",
                json!({"credit_code": CODE, "code": wrong, "new_password": "Reset1234"}),
                None,
            )
            .await;
        answer.expect_problem(422, "auth.sms_code_invalid");
        assert!(answer.body["detail"].as_str().unwrap().contains(&left.to_string()));
    }
    let right = json!({"credit_code": CODE, "code": code, "new_password": "Reset1234"});
    app.post("/api/v1/auth/enterprise/password-reset/confirm", right, None)
        .await
        .expect_problem(422, "auth.sms_code_exhausted");

    // A new code replaces the old one.
    app.clock.advance_secs(61);
    let replaced = request_code(&app).await;
    app.clock.advance_secs(61);
    let newest = request_code(&app).await;
    if replaced != newest {
        let old = json!({"credit_code": CODE, "code": replaced, "new_password": "Reset1234"});
        app.post("/api/v1/auth/enterprise/password-reset/confirm", old, None)
            .await
            .expect_problem(422, "auth.sms_code_invalid");
    }
    let ok = json!({"credit_code": CODE, "code": newest, "new_password": "Reset1234"});
    app.post("/api/v1/auth/enterprise/password-reset/confirm", ok, None)
        .await
        .expect(204);
}

async fn unknown_accounts_and_sms_outage(engine: Engine) {
    let (app, _) = setup(engine).await;
    let sent_before = app.sms.count();
    // An unknown (but valid) credit code gets the same answer, and no SMS goes out.
    let unknown = ask(&app, "91110000802100433B").await;
    let known = ask(&app, CODE).await;
    assert_eq!(unknown.text, known.text);
    assert!(sent_after(&app, sent_before).await, "the known one gets its SMS");
    let sent_before = app.sms.count();
    ask(&app, "91110000802100433B").await;
    assert!(!sent_after(&app, sent_before).await);
    app.clock.advance_secs(61);
    let confirm = json!({"credit_code": "91110000802100433B", "code": "123456", "new_password": "Reset1234"});
    app.post("/api/v1/auth/enterprise/password-reset/confirm", confirm, None)
        .await
        .expect_problem(422, "auth.sms_code_invalid");
    app.post(
        "/api/v1/auth/enterprise/password-reset",
        json!({"credit_code": "123"}),
        None,
    )
    .await
    .expect_problem(422, "request.invalid_fields");

    app.sms
        .set_failing(Some("FailedOperation.InsufficientBalanceInSmsPackage"));
    // An outage is not told either (it would tell that an SMS was due).
    let outage = ask(&app, CODE).await;
    assert_eq!(outage.text, unknown.text);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // The failed send left no live code behind and does not count against the resend interval.
    app.sms.set_failing(None);
    request_code(&app).await;
}
