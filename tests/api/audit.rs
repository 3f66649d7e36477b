//! The audit chain: state-changing requests append events; tampering is named.

use serde_json::json;
use zhujian::audit::VerifyReport;

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(state_changes_are_audited, tampering_is_detected_and_named);

async fn state_changes_are_audited(engine: Engine) {
    let app = TestApp::start(engine).await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    let body = json!({"username": "city1", "display_name": "市站", "role": "city", "password": "Initial123"});
    let created = app.post("/api/v1/staff", body, Some(&admin)).await;
    let created_id = created.body["id"].as_str().unwrap().to_owned();
    app.post(
        "/api/v1/auth/staff/login",
        json!({"username": "root", "password": "wrong"}),
        None,
    )
    .await
    .expect(401);
    app.get("/api/v1/staff", Some(&admin)).await.expect(200);

    let rows: Vec<(i64, String, String, String, String, String, i64)> =
        sqlx::query_as("SELECT seq, actor_kind, role, action, target, outcome, status FROM audit_events ORDER BY seq")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    // The harness's sign-in, the creation, the failed sign-in; the GET is not audited.
    assert_eq!(rows.len(), 3, "{rows:?}");
    let (_, kind, role, action, target, outcome, status) = &rows[1];
    assert_eq!((kind.as_str(), role.as_str()), ("staff", "sysadmin"));
    assert_eq!(action, "POST /api/v1/staff");
    assert_eq!(target, &format!("staff:{created_id}"));
    assert_eq!((outcome.as_str(), *status), ("ok", 201));
    let (_, kind, _, action, target, outcome, status) = &rows[2];
    assert_eq!(
        (kind.as_str(), action.as_str(), target.as_str()),
        ("anonymous", "POST /api/v1/auth/staff/login", "staff:root")
    );
    assert_eq!((outcome.as_str(), *status), ("refused", 401));
    assert_eq!(
        zhujian::audit::verify(&app.state.db).await.unwrap(),
        VerifyReport::Intact { events: 3 }
    );

    // The table refuses changes.
    let update = sqlx::query("UPDATE audit_events SET outcome = 'ok' WHERE seq = 3")
        .execute(&app.state.db)
        .await;
    assert!(update.is_err(), "audit_events must be append-only");
    assert!(sqlx::query("DELETE FROM audit_events")
        .execute(&app.state.db)
        .await
        .is_err());
}

async fn tampering_is_detected_and_named(engine: Engine) {
    let app = TestApp::start(engine).await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    for name in ["city1", "city2", "city3"] {
        let body = json!({"username": name, "display_name": "市站", "role": "city", "password": "Initial123"});
        app.post("/api/v1/staff", body, Some(&admin)).await.expect(201);
    }
    assert_eq!(
        zhujian::audit::verify(&app.state.db).await.unwrap(),
        VerifyReport::Intact { events: 4 }
    );

    // Someone with database access removes the guard and rewrites row 3.
    let drop_guard = match engine {
        Engine::Sqlite => "DROP TRIGGER audit_events_no_update",
        Engine::Postgres => "DROP TRIGGER audit_events_no_change ON audit_events",
    };
    sqlx::query(drop_guard).execute(&app.state.db).await.unwrap();
    sqlx::query("UPDATE audit_events SET outcome = 'refused' WHERE seq = 3")
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        zhujian::audit::verify(&app.state.db).await.unwrap(),
        VerifyReport::Broken {
            seq: 3,
            reason: "its contents no longer match its hash"
        }
    );

    // The operator command names the same row and fails.
    let output = crate::process::zhujian_command(&app)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("broken at row 3"), "{stdout}");
}
