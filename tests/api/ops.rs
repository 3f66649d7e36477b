//! Health, readiness, metrics and the API contract.

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    health_readiness_and_metrics,
    openapi_is_served_and_committed_copy_is_current
);

async fn health_readiness_and_metrics(engine: Engine) {
    let app = TestApp::start(engine).await;
    app.get("/healthz", None).await.expect(200);
    let ready = app.get("/readyz", None).await;
    ready.expect(200);
    assert_eq!(ready.body["status"], "ready");
    app.get("/api/v1/auth/me", None).await.expect(401);
    let metrics = app.get("/metrics", None).await;
    metrics.expect(200);
    assert!(metrics.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        metrics
            .text
            .contains(r#"zhujian_http_requests_total{method="GET",route="/api/v1/auth/me",status="401"} 1"#),
        "{}",
        metrics.text
    );
    assert!(metrics
        .text
        .contains(r#"zhujian_http_request_duration_seconds_count{route="/healthz"} 1"#));
    assert!(metrics.text.contains(r#"zhujian_db_pool_connections{state="max"} 5"#));
    // The face engine's pool, idle: its size, nothing running or waiting.
    let workers = format!(
        r#"zhujian_face_checks{{state="workers"}} {}"#,
        app.state.face.load().unwrap().workers
    );
    assert!(metrics.text.contains(&workers), "{}", metrics.text);
    assert!(metrics.text.contains(r#"zhujian_face_checks{state="running"} 0"#));
    assert!(metrics.text.contains("zhujian_outbox_pending 0"));
    // A pass of a job, counted by outcome and items.
    zhujian::documents::sweeper::sweep_once(&app.state).await.unwrap();
    let metrics = app.get("/metrics", None).await;
    assert!(
        metrics
            .text
            .contains(r#"zhujian_job_passes_total{job="documents.sweep",outcome="worked"} 1"#),
        "{}",
        metrics.text
    );
    assert!(metrics
        .text
        .contains(r#"zhujian_job_items_total{job="documents.sweep"} 0"#));

    app.state.db.close().await;
    app.get("/readyz", None).await.expect_problem(503, "service.not_ready");
    app.get("/healthz", None).await.expect(200);
}

async fn openapi_is_served_and_committed_copy_is_current(engine: Engine) {
    let app = TestApp::start(engine).await;
    let generated = zhujian::openapi::document_json();
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/mini-program-api/openapi.json");
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    assert!(
        committed == generated,
        "mini-program-api/openapi.json is stale; regenerate it with: cargo run -- openapi > mini-program-api/openapi.json"
    );
    let catalogue = zhujian::platform::error::catalogue::catalogue_json();
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/mini-program-api/errors.json");
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    assert!(
        committed == catalogue,
        "mini-program-api/errors.json is stale; regenerate it with: cargo run -- errors > mini-program-api/errors.json"
    );
    let served = app.get("/openapi.json", None).await;
    served.expect(200);
    assert_eq!(
        served.body,
        serde_json::from_str::<serde_json::Value>(&generated).unwrap()
    );
    assert_eq!(served.body["openapi"], "3.1.0");
    for path in served.body["paths"].as_object().unwrap().keys() {
        let ops = ["/healthz", "/readyz", "/metrics"].contains(&path.as_str());
        assert!(path.starts_with("/api/v1/") || ops, "{path} is outside /api/v1/");
    }
    let docs = app.get("/docs/", None).await;
    docs.expect(200);
    assert!(docs.text.contains("swagger"), "interactive docs page");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    let app = TestApp::start(Engine::Sqlite).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(foreign_keys, 1);
}

crate::both_engines!(nullable_floats_bind_in_any_order);

/// NULL first, then a value, on one connection and one statement: the order that a plain
/// `Option<f64>` breaks on PostgreSQL (see `db::NullableF64`).
async fn nullable_floats_bind_in_any_order(engine: Engine) {
    let app = TestApp::start(engine).await;
    let mut conn = app.state.db.acquire().await.unwrap();
    sqlx::query("CREATE TABLE float_probe (v DOUBLE PRECISION)")
        .execute(&mut *conn)
        .await
        .unwrap();
    for v in [None, Some(1.5), None, Some(2.5)] {
        sqlx::query("INSERT INTO float_probe (v) VALUES ($1)")
            .bind(zhujian::platform::db::NullableF64(v))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let (count, sum): (i64, f64) = sqlx::query_as("SELECT COUNT(*), SUM(v) FROM float_probe")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!((count, sum), (4, 4.0));
}
