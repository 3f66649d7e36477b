//! The audit chain: acts append their events inside their transactions, refusals and security
//! events are recorded too, and every kind of tampering is named by `audit verify`.

use serde_json::json;
use zhujian::audit::chain::{link, unkeyed_link, AuditKey, Event};
use zhujian::audit::VerifyReport;
use zhujian::platform::clock::Clock;

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    state_changes_are_audited,
    security_refusals_are_audited_whatever_the_method,
    edited_and_deleted_rows_are_named,
    a_chain_rewritten_without_the_key_is_named,
    a_tail_cut_back_below_a_checkpoint_is_named,
    retired_keys_still_verify_their_rows,
    spooled_events_are_appended_once,
    fifty_concurrent_acts_keep_one_chain
);

/// Fifty acts at once (sign-outs: a transaction holding only the event) queue on the chain's
/// head; none is lost and the chain stays one unbroken line.
async fn fifty_concurrent_acts_keep_one_chain(engine: Engine) {
    let app = TestApp::start(engine).await;
    let signouts = (0..50).map(|n| {
        app.post(
            "/api/v1/auth/logout",
            json!({"refresh_token": format!("unknown-{n}")}),
            None,
        )
    });
    let answers = futures_util::future::join_all(signouts).await;
    assert!(
        answers.iter().all(|a| a.status == 204),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'POST /api/v1/auth/logout'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(events, 50);
    assert_eq!(app.verify_audit().await, VerifyReport::Intact { events: 50 });
}

/// A database outage: the act fails, the event of the failure cannot be appended either, so
/// it is spooled to disk and appended once the database answers again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_during_an_outage_are_spooled_then_appended() {
    let app = TestApp::start_with(Engine::Sqlite, |s| s.database.sqlite_busy_timeout_ms = 100).await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    // Another process holds the database's write lock: every write times out.
    let mut blocker = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query("BEGIN EXCLUSIVE").execute(&mut blocker).await.unwrap();
    let body = json!({"username": "city1", "display_name": "市站", "role": "city", "password": "Initial123"});
    let failed = app.post("/api/v1/staff", body, Some(&admin)).await;
    failed.expect_problem(503, "service.database_busy");
    assert!(failed.header("retry-after").is_some());
    let spool = zhujian::audit::spool::path(&app.settings.storage.dir);
    let spooled = std::fs::read_to_string(&spool).expect("the failure's event is spooled");
    assert!(spooled.contains("POST /api/v1/staff"), "{spooled}");

    sqlx::query("ROLLBACK").execute(&mut blocker).await.unwrap();
    assert_eq!(zhujian::audit::spool::drain(&app.state).await.unwrap(), 1);
    assert!(!spool.exists());
    let (outcome, status): (String, i64) =
        sqlx::query_as("SELECT outcome, status FROM audit_events WHERE action = 'POST /api/v1/staff'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((outcome.as_str(), status), ("failed", i64::from(failed.status)));
    let created: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE username = 'city1'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(created, 0);
    assert_eq!(app.verify_audit().await, VerifyReport::Intact { events: 2 });
}

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
    // Recorded inside the act's transaction, before any response existed.
    assert_eq!((outcome.as_str(), *status), ("ok", 0));
    let (_, kind, _, action, target, outcome, status) = &rows[2];
    assert_eq!(
        (kind.as_str(), action.as_str(), target.as_str()),
        ("anonymous", "POST /api/v1/auth/staff/login", "staff:root")
    );
    assert_eq!((outcome.as_str(), *status), ("refused", 401));
    assert_eq!(app.verify_audit().await, VerifyReport::Intact { events: 3 });

    // A refused act leaves no change and one refusal event.
    let taken = json!({"username": "city1", "display_name": "市站", "role": "city", "password": "Initial123"});
    app.post("/api/v1/staff", taken, Some(&admin)).await.expect(409);
    let last: (String, String, i64) =
        sqlx::query_as("SELECT action, outcome, status FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(last, ("POST /api/v1/staff".into(), "refused".into(), 409));

    // Every row names the key that linked it.
    let unkeyed: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE key_id IS NULL")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(unkeyed.0, 0);

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

async fn security_refusals_are_audited_whatever_the_method(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city", "city", None).await;
    app.get("/api/v1/staff", None).await.expect(401);
    app.get("/api/v1/staff", Some("not-a-token")).await.expect(401);
    let (enterprise, password) = app
        .enterprise_account(&city, "91350100M000100Y43", "370102", "13800000001")
        .await;
    let token = app.enterprise_token("91350100M000100Y43", &password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get("/api/v1/staff", Some(&token)).await.expect(403);
    // An ordinary read is not an event.
    app.get(&format!("/api/v1/enterprises/{enterprise}"), Some(&token))
        .await
        .expect(200);

    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT actor_kind, action, outcome, status FROM audit_events WHERE action LIKE 'GET %' ORDER BY seq",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("anonymous".into(), "GET /api/v1/staff".into(), "refused".into(), 401),
            ("anonymous".into(), "GET /api/v1/staff".into(), "refused".into(), 401),
            ("enterprise".into(), "GET /api/v1/staff".into(), "refused".into(), 403),
        ]
    );
}

/// Creates `n` staff accounts through the API (the harness's sign-in is event 1).
async fn app_with_events(engine: Engine, n: usize) -> TestApp {
    let app = TestApp::start(engine).await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    for i in 0..n {
        let body =
            json!({"username": format!("city{i}"), "display_name": "市站", "role": "city", "password": "Initial123"});
        app.post("/api/v1/staff", body, Some(&admin)).await.expect(201);
    }
    app
}

/// What someone with write access to the database does first.
async fn drop_guard(app: &TestApp, engine: Engine) {
    let statements: &[&str] = match engine {
        Engine::Sqlite => &[
            "DROP TRIGGER audit_events_no_update",
            "DROP TRIGGER audit_events_no_delete",
        ],
        Engine::Postgres => &["DROP TRIGGER audit_events_no_change ON audit_events"],
    };
    for statement in statements {
        sqlx::query(statement).execute(&app.state.db).await.unwrap();
    }
}

async fn edited_and_deleted_rows_are_named(engine: Engine) {
    let app = app_with_events(engine, 4).await;
    assert_eq!(app.verify_audit().await, VerifyReport::Intact { events: 5 });
    drop_guard(&app, engine).await;

    sqlx::query("UPDATE audit_events SET outcome = 'refused' WHERE seq = 3")
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        app.verify_audit().await,
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

    sqlx::query("UPDATE audit_events SET outcome = 'ok' WHERE seq = 3")
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(app.verify_audit().await, VerifyReport::Intact { events: 5 });
    sqlx::query("DELETE FROM audit_events WHERE seq = 2")
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        app.verify_audit().await,
        VerifyReport::Broken {
            seq: 2,
            reason: "the row is missing"
        }
    );
}

type Row = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
);

async fn rows_from(app: &TestApp, seq: i64) -> Vec<(Event, String)> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT seq, at, request_id, actor_kind, actor_id, role, action, target, outcome, status, prev_hash \
         FROM audit_events WHERE seq >= $1 ORDER BY seq",
    )
    .bind(seq)
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    rows.into_iter()
        .map(|r| {
            let event = Event {
                seq: r.0,
                at: r.1,
                request_id: r.2,
                actor_kind: r.3,
                actor_id: r.4,
                role: r.5,
                action: r.6,
                target: r.7,
                outcome: r.8,
                status: r.9,
            };
            (event, r.10)
        })
        .collect()
}

/// Rewrites rows from `from` on with `relink`, recomputing every later link and the head, as
/// an attacker with database access but without the audit key would.
async fn rewrite_chain(app: &TestApp, from: i64, key_id: Option<&str>, relink: impl Fn(&str, &Event) -> String) {
    let mut prev: String = sqlx::query_scalar("SELECT prev_hash FROM audit_events WHERE seq = $1")
        .bind(from)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    for (mut event, _) in rows_from(app, from).await {
        if event.seq == from {
            event.outcome = "refused".into();
        }
        let hash = relink(&prev, &event);
        sqlx::query("UPDATE audit_events SET outcome = $1, prev_hash = $2, hash = $3, key_id = $4 WHERE seq = $5")
            .bind(&event.outcome)
            .bind(&prev)
            .bind(&hash)
            .bind(key_id)
            .bind(event.seq)
            .execute(&app.state.db)
            .await
            .unwrap();
        prev = hash;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&app.state.db)
        .await
        .unwrap();
}

async fn a_chain_rewritten_without_the_key_is_named(engine: Engine) {
    let app = app_with_events(engine, 4).await;
    zhujian::audit::checkpoint::take(&app.state.db, app.anchor(), &app.state.audit_keys, 1)
        .await
        .unwrap()
        .expect("a checkpoint of row 5");
    drop_guard(&app, engine).await;
    // With plain SHA-256, as the chain was linked before it had keys.
    rewrite_chain(&app, 3, None, unkeyed_link).await;
    assert_eq!(
        app.verify_audit().await,
        VerifyReport::Broken {
            seq: 3,
            reason: "it carries no key id, though keyed rows began before it"
        }
    );
    // With a key of the attacker's own, under the real key's id.
    let forged = AuditKey::new(vec![7; 32]);
    let real_id = app.state.audit_keys.current.id.clone();
    rewrite_chain(&app, 3, Some(&real_id), |prev, event| link(&forged, prev, event)).await;
    assert_eq!(
        app.verify_audit().await,
        VerifyReport::Broken {
            seq: 3,
            reason: "its contents no longer match its hash"
        }
    );
    // Even with the real key, rows up to a checkpoint cannot be rewritten unnoticed.
    rewrite_chain(&app, 3, Some(&real_id), |prev, event| {
        link(&app.state.audit_keys.current, prev, event)
    })
    .await;
    assert_eq!(
        app.verify_audit().await,
        VerifyReport::Broken {
            seq: 5,
            reason: "it differs from the signed checkpoint of this row"
        }
    );
}

async fn a_tail_cut_back_below_a_checkpoint_is_named(engine: Engine) {
    let app = app_with_events(engine, 4).await;
    let now = app.clock.now_ms();
    let taken = zhujian::audit::checkpoint::take(&app.state.db, app.anchor(), &app.state.audit_keys, now)
        .await
        .unwrap()
        .expect("a checkpoint of the head");
    assert_eq!(taken.seq, 5);
    // Nothing new: no second checkpoint.
    assert!(
        zhujian::audit::checkpoint::take(&app.state.db, app.anchor(), &app.state.audit_keys, now)
            .await
            .unwrap()
            .is_none()
    );
    drop_guard(&app, engine).await;
    let kept: (String,) = sqlx::query_as("SELECT hash FROM audit_events WHERE seq = 3")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_events WHERE seq > 3")
        .execute(&app.state.db)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = 3, hash = $1 WHERE id = 1")
        .bind(&kept.0)
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        app.verify_audit().await,
        VerifyReport::Broken {
            seq: 4,
            reason: "rows at the end of the chain are missing: a signed checkpoint records later rows"
        }
    );
}

async fn retired_keys_still_verify_their_rows(engine: Engine) {
    let old_key = base64_of(&[1u8; 32]);
    let new_key = base64_of(&[2u8; 32]);
    let rotated = TestApp::start_with(engine, |s| {
        s.secrets.audit_key = new_key.clone();
        s.secrets.audit_retired_keys = vec![old_key.clone()];
    })
    .await;
    // Rows linked under the old key, then rows under the new one, in one chain.
    let with_old = TestApp::start_with(engine, |s| {
        s.database.url = rotated.database_url.clone();
        s.secrets.audit_key = old_key.clone();
    })
    .await;
    with_old.staff_token("old", "sysadmin", None).await;
    let admin = rotated.staff_token("root", "sysadmin", None).await;
    let body = json!({"username": "city9", "display_name": "市站", "role": "city", "password": "Initial123"});
    rotated.post("/api/v1/staff", body, Some(&admin)).await.expect(201);
    assert_eq!(rotated.verify_audit().await, VerifyReport::Intact { events: 3 });
    let key_ids: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT key_id FROM audit_events")
        .fetch_all(&rotated.state.db)
        .await
        .unwrap();
    assert_eq!(key_ids.len(), 2);
    // Without the retired key, the old rows are named.
    let forgetful = TestApp::start_with(engine, |s| {
        s.database.url = rotated.database_url.clone();
        s.secrets.audit_key = new_key.clone();
    })
    .await;
    assert_eq!(
        forgetful.verify_audit().await,
        VerifyReport::Broken {
            seq: 1,
            reason: "it names an audit key this server does not hold"
        }
    );
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn spooled_events_are_appended_once(engine: Engine) {
    let app = app_with_events(engine, 1).await;
    let event = Event {
        seq: 0,
        at: app.clock.now_ms(),
        request_id: "spooled-1".into(),
        actor_kind: "anonymous".into(),
        actor_id: String::new(),
        role: String::new(),
        action: "POST /api/v1/auth/staff/login".into(),
        target: "staff:root".into(),
        outcome: "failed".into(),
        status: 503,
    };
    zhujian::audit::spool::keep(&app.settings.storage.dir, &event)
        .await
        .unwrap();
    // A drain cut short after its commit: the event is in the chain and still in the spool.
    zhujian::audit::store::append_alone(&app.state.db, &app.state.audit_keys, event.clone())
        .await
        .unwrap();
    zhujian::audit::spool::keep(
        &app.settings.storage.dir,
        &Event {
            request_id: "spooled-2".into(),
            ..event.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(zhujian::audit::spool::drain(&app.state).await.unwrap(), 1);
    assert_eq!(zhujian::audit::spool::drain(&app.state).await.unwrap(), 0);
    let spooled: Vec<(String,)> =
        sqlx::query_as("SELECT request_id FROM audit_events WHERE request_id LIKE 'spooled-%' ORDER BY seq")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(spooled, vec![("spooled-1".into(),), ("spooled-2".into(),)]);
    assert_eq!(app.verify_audit().await, VerifyReport::Intact { events: 4 });
}
