//! Staff administration within jurisdiction, tested per endpoint and role.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    staff_create_staff_within_jurisdiction,
    staff_reads_are_scoped,
    staff_input_is_validated,
    staff_disable_accounts_within_jurisdiction,
    staff_unlock_a_locked_account_within_jurisdiction,
    staff_reset_a_password_and_every_session_ends,
    staff_an_expired_password_never_locks_its_account,
    staff_enable_a_disabled_account
);

fn new_staff(username: &str, role: &str, district: Option<&str>) -> Value {
    json!({"username": username, "display_name": "测试", "role": role, "district_code": district, "password": "Initial123"})
}

async fn staff_create_staff_within_jurisdiction(engine: Engine) {
    let app = TestApp::start(engine).await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    let created = app
        .post("/api/v1/staff", new_staff("city1", "city", None), Some(&admin))
        .await;
    created.expect(201);
    assert_eq!(created.body["role"], "city");
    assert!(created.body.get("password_hash").is_none());
    let city = app.renew_login_staff("city1", "Initial123", "Own-passw0rd").await;

    app.post(
        "/api/v1/staff",
        new_staff("lixia", "district", Some("370102")),
        Some(&city),
    )
    .await
    .expect(201);
    app.post("/api/v1/staff", new_staff("root2", "sysadmin", None), Some(&city))
        .await
        .expect_problem(403, "staff.creation_not_allowed");
    let district = app.renew_login_staff("lixia", "Initial123", "Own-passw0rd").await;

    app.post(
        "/api/v1/staff",
        new_staff("sup1", "supervisor", Some("370102")),
        Some(&district),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/staff",
        new_staff("sup2", "supervisor", Some("370103")),
        Some(&district),
    )
    .await
    .expect_problem(403, "staff.outside_jurisdiction");
    app.post("/api/v1/staff", new_staff("city2", "city", None), Some(&district))
        .await
        .expect_problem(403, "staff.creation_not_allowed");
    let supervisor = app.renew_login_staff("sup1", "Initial123", "Own-passw0rd").await;
    app.post(
        "/api/v1/staff",
        new_staff("sup3", "supervisor", Some("370102")),
        Some(&supervisor),
    )
    .await
    .expect_problem(403, "staff.creation_not_allowed");

    app.post(
        "/api/v1/staff",
        new_staff("LIXIA", "district", Some("370102")),
        Some(&admin),
    )
    .await
    .expect_problem(409, "staff.username_taken");
    app.post("/api/v1/staff", new_staff("dist2", "district", None), Some(&admin))
        .await
        .expect_problem(422, "staff.district_required");

    let person = app.person_login("openid-p").await;
    let person_token = person.body["access_token"].as_str().unwrap();
    app.post("/api/v1/staff", new_staff("x1", "city", None), Some(person_token))
        .await
        .expect_problem(403, "auth.forbidden_role");
    app.post("/api/v1/staff", new_staff("x2", "city", None), None)
        .await
        .expect_problem(401, "auth.missing_token");
}

async fn staff_reads_are_scoped(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    app.staff_token("shizhong", "district", Some("370103")).await;
    let all = app.get("/api/v1/staff", Some(&city)).await;
    all.expect(200);
    assert_eq!(all.body.as_array().unwrap().len(), 3);

    let own = app.get("/api/v1/staff", Some(&lixia)).await;
    let names: Vec<&str> = own
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lixia"]);

    let other_id = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["username"] == "shizhong")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get(&format!("/api/v1/staff/{other_id}"), Some(&city))
        .await
        .expect(200);
    app.get(&format!("/api/v1/staff/{other_id}"), Some(&lixia))
        .await
        .expect_problem(404, "resource.not_found");
    app.get("/api/v1/staff/no-such-id", Some(&city))
        .await
        .expect_problem(404, "resource.not_found");

    let paged = app.get("/api/v1/staff?per_page=2&page=2", Some(&city)).await;
    assert_eq!(paged.body.as_array().unwrap().len(), 1);
}

async fn staff_input_is_validated(engine: Engine) {
    let app = TestApp::start(engine).await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    let bad = json!({"username": "a b", "display_name": " ", "role": "district", "district_code": "3701", "password": "short"});
    let answer = app.post("/api/v1/staff", bad, Some(&admin)).await;
    answer.expect_problem(422, "request.invalid_fields");
    let bad_role = json!({"username": "abc", "display_name": "x", "role": "emperor", "password": "Initial123"});
    app.post("/api/v1/staff", bad_role, Some(&admin))
        .await
        .expect_problem(422, "request.invalid_fields");
    let bad_name = json!({"username": "a b", "display_name": "x", "role": "city", "password": "Initial123"});
    let answer = app.post("/api/v1/staff", bad_name, Some(&admin)).await;
    answer.expect_problem(422, "request.invalid_fields");
    assert_eq!(answer.body["errors"][0]["field"], "username");
}

async fn staff_disable_accounts_within_jurisdiction(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let sup = app.staff_token("sup1", "supervisor", Some("370103")).await;
    let (lixia_id, sup_id, admin_id) = (me(&app, &lixia).await, me(&app, &sup).await, me(&app, &admin).await);
    let disable = |who: String, token: String| {
        let app = &app;
        async move {
            app.post(&format!("/api/v1/staff/{who}/disable"), json!({}), Some(&token))
                .await
        }
    };
    // Another district's supervisor is out of 历下's sight; the city is above it.
    disable(sup_id.clone(), lixia.clone())
        .await
        .expect_problem(404, "resource.not_found");
    disable(admin_id.clone(), city.clone())
        .await
        .expect_problem(403, "staff.manage_not_allowed");
    disable(admin_id, admin.clone())
        .await
        .expect_problem(409, "staff.own_account");
    let done = disable(lixia_id.clone(), city.clone()).await;
    done.expect(200);
    assert_eq!(done.body["status"], "disabled");
    // Disabled: its sessions ended, and it cannot sign in again.
    app.get("/api/v1/auth/me", Some(&lixia))
        .await
        .expect_problem(401, "auth.session_ended");
    app.post(
        "/api/v1/auth/staff/login",
        json!({"username": "lixia", "password": "Passw0rd-staff"}),
        None,
    )
    .await
    .expect_problem(403, "auth.account_disabled");
    disable(lixia_id, city).await.expect(200);
    disable(sup_id, sup).await.expect_problem(409, "staff.own_account");
}

/// Locks `username` out by wrong passwords, as many as the account's limit.
async fn lock_out(app: &TestApp, username: &str) {
    for _ in 0..app.settings.auth.max_failed_logins_per_account {
        app.post(
            "/api/v1/auth/staff/login",
            json!({"username": username, "password": "Wrong-passw0rd"}),
            None,
        )
        .await;
    }
}

async fn staff_login(app: &TestApp, username: &str, password: &str) -> crate::harness::Answer {
    app.post(
        "/api/v1/auth/staff/login",
        json!({"username": username, "password": password}),
        None,
    )
    .await
}

async fn staff_unlock_a_locked_account_within_jurisdiction(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let sup = app.staff_token("sup1", "supervisor", Some("370102")).await;
    let lixia_id = me(&app, &lixia).await;
    let unlock = |token: String| {
        let (app, path) = (&app, format!("/api/v1/staff/{lixia_id}/unlock"));
        async move { app.post(&path, json!({}), Some(&token)).await }
    };
    lock_out(&app, "lixia").await;
    staff_login(&app, "lixia", "Passw0rd-staff")
        .await
        .expect_problem(429, "auth.locked");
    let listed = app.get(&format!("/api/v1/staff/{lixia_id}"), Some(&city)).await;
    listed.expect(200);
    assert!(
        listed.body["locked_until"].as_i64().unwrap() > app.state.clock.now_ms(),
        "the lock is shown until it ends"
    );
    // Another district cannot see the account; a supervisor cannot manage it.
    unlock(shizhong).await.expect_problem(404, "resource.not_found");
    unlock(sup).await.expect_problem(403, "staff.manage_not_allowed");
    let done = unlock(city.clone()).await;
    done.expect(200);
    assert_eq!(done.body["locked_until"], Value::Null);
    staff_login(&app, "lixia", "Passw0rd-staff").await.expect(200);
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1 AND target = $2 AND outcome = 'ok'")
            .bind("POST /api/v1/staff/{id}/unlock")
            .bind(format!("staff:{lixia_id}"))
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(audited, 1, "the unlock is an audited act");
}

async fn staff_reset_a_password_and_every_session_ends(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let (lixia_id, city_id) = (me(&app, &lixia).await, me(&app, &city).await);
    let reset = |who: &str, password: &str| {
        let path = format!("/api/v1/staff/{who}/password");
        let (app, body, token) = (&app, json!({"new_password": password}), city.clone());
        async move { app.post(&path, body, Some(&token)).await }
    };
    let weak = reset(&lixia_id, "short").await;
    weak.expect_problem(422, "request.invalid_fields");
    assert_eq!(weak.body["errors"][0]["field"], "new_password");
    reset(&city_id, "An0ther-passw0rd")
        .await
        .expect_problem(409, "staff.own_account");
    lock_out(&app, "lixia").await;
    let done = reset(&lixia_id, "Handed-0ver-pw").await;
    done.expect(200);
    assert!(done.body["password_expired_at"].is_i64(), "{}", done.body);
    // The old token and password are dead; the new one signs in, the lock lifted with it.
    app.get("/api/v1/auth/me", Some(&lixia))
        .await
        .expect_problem(401, "auth.session_ended");
    staff_login(&app, "lixia", "Passw0rd-staff")
        .await
        .expect_problem(401, "auth.invalid_credentials");
    // The password the manager knows has expired: its holder must choose their own, another one.
    let expired = staff_login(&app, "lixia", "Handed-0ver-pw").await;
    expired.expect_problem(403, "auth.password_expired");
    assert_eq!(expired.body["errors"][0]["field"], "new_password");
    let renew = |new_password: &'static str| {
        let body = json!({"username": "lixia", "password": "Handed-0ver-pw", "new_password": new_password});
        let app = &app;
        async move { app.post("/api/v1/auth/staff/login", body, None).await }
    };
    renew("Handed-0ver-pw")
        .await
        .expect_problem(422, "auth.password_unchanged");
    renew("weak").await.expect_problem(422, "request.invalid_fields");
    renew("Lixia-own-pw1").await.expect(200);
    staff_login(&app, "lixia", "Handed-0ver-pw")
        .await
        .expect_problem(401, "auth.invalid_credentials");
    staff_login(&app, "lixia", "Lixia-own-pw1").await.expect(200);
    let view = app.get(&format!("/api/v1/staff/{lixia_id}"), Some(&city)).await;
    view.expect(200);
    assert!(
        view.body.get("password_expired_at").is_none_or(|v| v.is_null()),
        "{}",
        view.body
    );
}

/// Sign-ins with an expired password, more than the lockout allows: each is refused without
/// counting as a failure, so the right password never locks its own account.
async fn staff_an_expired_password_never_locks_its_account(engine: Engine) {
    let app = TestApp::start(engine).await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    app.post("/api/v1/staff", new_staff("city1", "city", None), Some(&admin))
        .await
        .expect(201);
    for _ in 0..8 {
        staff_login(&app, "city1", "Initial123")
            .await
            .expect_problem(403, "auth.password_expired");
    }
    app.renew_login_staff("city1", "Initial123", "Own-passw0rd").await;
}

async fn staff_enable_a_disabled_account(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let colleague = app.staff_token("lixia2", "district", Some("370102")).await;
    let lixia_id = me(&app, &lixia).await;
    let act = |action: &str, token: &str| {
        let path = format!("/api/v1/staff/{lixia_id}/{action}");
        let (app, token) = (&app, token.to_owned());
        async move { app.post(&path, json!({}), Some(&token)).await }
    };
    act("disable", &colleague).await.expect(200);
    staff_login(&app, "lixia", "Passw0rd-staff")
        .await
        .expect_problem(403, "auth.account_disabled");
    let enabled = act("enable", &colleague).await;
    enabled.expect(200);
    assert_eq!(enabled.body["status"], "active");
    act("enable", &city).await.expect(200);
    staff_login(&app, "lixia", "Passw0rd-staff").await.expect(200);
    // The sessions the disabling ended stay ended.
    app.get("/api/v1/auth/me", Some(&lixia))
        .await
        .expect_problem(401, "auth.session_ended");
}

async fn me(app: &TestApp, token: &str) -> String {
    app.get("/api/v1/auth/me", Some(token)).await.body["account_id"]
        .as_str()
        .unwrap()
        .to_owned()
}
