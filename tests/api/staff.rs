//! Staff administration within jurisdiction, tested per endpoint and role.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    staff_create_staff_within_jurisdiction,
    staff_reads_are_scoped,
    staff_input_is_validated,
    staff_disable_accounts_within_jurisdiction
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
    let city = app.login_staff("city1", "Initial123").await;

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
    let district = app.login_staff("lixia", "Initial123").await;

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
    let supervisor = app.login_staff("sup1", "Initial123").await;
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
        .expect_problem(403, "staff.disable_not_allowed");
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

async fn me(app: &TestApp, token: &str) -> String {
    app.get("/api/v1/auth/me", Some(token)).await.body["account_id"]
        .as_str()
        .unwrap()
        .to_owned()
}
