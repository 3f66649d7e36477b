//! Verification at the authority's desk: who may, and what the desk must be shown.

use serde_json::json;
use zhujian::platform::clock::Clock;

use crate::both_engines;
use crate::harness::{Engine, TestApp};
use crate::people::{person, photo, register, register_as, ID};

use super::{desk_code, level, profile, verify_at_desk};

both_engines!(desk_verification, desk_refusals);

const Q_ID: &str = "110105198001010016";

async fn desk_verification(engine: Engine) {
    let app = TestApp::start(engine).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let city = app.staff_token("city1", "city", None).await;
    let p = person(&app, "openid-p").await;
    // Not registered: nothing to verify yet.
    app.post("/api/v1/people/me/desk-code", json!({}), Some(&p))
        .await
        .expect_problem(409, "person.not_registered");
    register(&app, &p, photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg"))
        .await
        .expect(200);
    let before = profile(&app, &p).await;
    assert_eq!(before.body["assurance"]["level"], "self_declared");
    assert!(before.body["assurance"]["established_at"].is_null());

    // People keep no district: any district's desk verifies anyone who comes.
    let code = desk_code(&app, &p).await;
    app.clock.advance_secs(30);
    let verified = verify_at_desk(&app, &shizhong, &code, ID, "张三").await;
    verified.expect(201);
    assert_eq!(verified.body["level"], "staff_verified");
    assert_eq!(verified.body["verified_at"].as_i64(), Some(app.clock.now_ms()));
    let after = profile(&app, &p).await;
    assert_eq!(after.body["assurance"]["level"], "staff_verified");
    assert_eq!(
        after.body["assurance"]["established_at"].as_i64(),
        Some(app.clock.now_ms())
    );
    // The code is spent.
    verify_at_desk(&app, &city, &code, ID, "张三")
        .await
        .expect_problem(422, "challenge.used");

    // Recorded with who, and audited as the act of that staff member on that person.
    let (staff_id, by): (String, String) = sqlx::query_as(
        "SELECT a.staff_id, s.username FROM identity_assurances a JOIN staff s ON s.id = a.staff_id WHERE a.person_id = $1",
    )
    .bind(after.body["id"].as_str().unwrap())
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        (verified.body["verified_by"].as_str().unwrap(), by.as_str()),
        (staff_id.as_str(), "shizhong")
    );
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE target = $1 AND actor_id = $2")
        .bind(format!("person:{}", after.body["id"].as_str().unwrap()))
        .bind(&staff_id)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(events, 1);

    // Verified again at the city's desk: recorded, the level stays.
    let again = verify_at_desk(&app, &city, &desk_code(&app, &p).await, ID, "张三").await;
    again.expect(201);
    assert_eq!(level(&app, &p).await, "staff_verified");
}

async fn desk_refusals(engine: Engine) {
    let app = TestApp::start(engine).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let supervisor = app.staff_token("jiandu", "supervisor", Some("370102")).await;
    let sysadmin = app.staff_token("admin", "sysadmin", None).await;
    let p = person(&app, "openid-p").await;
    register(&app, &p, photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg"))
        .await
        .expect(200);
    let q = person(&app, "openid-q").await;
    register_as(&app, &q, Q_ID, photo("person-b.jpg"), photo("person-b.jpg"))
        .await
        .expect(200);
    let code = desk_code(&app, &p).await;

    // Only the desk's staff roles.
    for token in [&supervisor, &sysadmin, &p] {
        verify_at_desk(&app, token, &code, ID, "张三")
            .await
            .expect_problem(403, "auth.forbidden_role");
    }
    // Q's card with P's code: the account shown is not the card holder's.
    verify_at_desk(&app, &lixia, &code, Q_ID, "张三")
        .await
        .expect_problem(422, "identity.desk_code_invalid");
    // A card nobody registered.
    verify_at_desk(&app, &lixia, &code, "110101199003070011", "张三")
        .await
        .expect_problem(404, "person.not_registered");
    // Another name on the card than registered.
    verify_at_desk(&app, &lixia, &code, ID, "李四")
        .await
        .expect_problem(422, "identity.desk_name_mismatch");
    // An expired code.
    let late = desk_code(&app, &p).await;
    app.clock.advance_secs(601);
    let lixia = app.staff_token("lixia2", "district", Some("370102")).await;
    verify_at_desk(&app, &lixia, &late, ID, "张三")
        .await
        .expect_problem(422, "challenge.expired");
    let p = person(&app, "openid-p").await;
    assert_eq!(level(&app, &p).await, "self_declared");
    let q = person(&app, "openid-q").await;
    assert_eq!(level(&app, &q).await, "self_declared");
}
