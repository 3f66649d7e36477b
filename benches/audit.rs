//! Audit benchmark: what one act, one transaction costs, and how fast the chain verifies.
//!
//! - A minimal change committed alone, against the same change committed with its audit event
//!   (what every act now does), one writer and eight concurrent writers: the ratio is the
//!   price of never losing an event.
//! - `audit verify` over the whole chain, and one signed checkpoint.
//!
//! Run with `./scripts/bench.sh audit` (SQLite in a temporary folder; PostgreSQL too when
//! `BENCH_POSTGRES_URL` names a server to create a scratch database on).

#[path = "common/postgres.rs"]
mod postgres;

use std::sync::Arc;
use std::time::Instant;

use zhujian::audit::chain::{AuditKey, Event, Keyring};
use zhujian::platform::config::Settings;
use zhujian::platform::db::Db;

const CHANGES: usize = 4000;
const WRITERS: usize = 8;

fn event(n: usize) -> Event {
    Event {
        seq: 0,
        at: n as i64,
        request_id: format!("bench-{n}"),
        actor_kind: "staff".into(),
        actor_id: "bench".into(),
        role: "city".into(),
        action: "PUT /api/v1/bench".into(),
        target: format!("bench:{n}"),
        outcome: "ok".into(),
        status: 0,
    }
}

/// The smallest real change: one upsert of a lease row.
async fn change(conn: &mut zhujian::platform::db::Conn, n: usize) {
    sqlx::query(
        "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, 'bench', $2) \
         ON CONFLICT (name) DO UPDATE SET expires_at = $2",
    )
    .bind(format!("bench-{}", n % 64))
    .bind(n as i64)
    .execute(conn)
    .await
    .unwrap();
}

/// Commits `CHANGES` changes from `writers` concurrent tasks, with or without the event;
/// returns changes per second.
async fn run(db: &Db, keys: &Arc<Keyring>, writers: usize, with_event: bool) -> f64 {
    let started = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let (db, keys) = (db.clone(), keys.clone());
            tokio::spawn(async move {
                for n in (w..CHANGES).step_by(writers) {
                    let mut tx = db.begin().await.unwrap();
                    change(&mut tx, n).await;
                    if with_event {
                        zhujian::audit::store::append(&mut tx, &keys, event(n)).await.unwrap();
                    }
                    tx.commit().await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    CHANGES as f64 / started.elapsed().as_secs_f64()
}

async fn bench(engine_name: &str, url: &str, storage: &std::path::Path) {
    let mut settings = Settings::default();
    settings.database.url = url.to_owned();
    settings.database.max_connections = WRITERS as u32 + 2;
    settings.storage.dir = storage.to_path_buf();
    let (db, engine) = zhujian::platform::db::connect(&settings).await.unwrap();
    zhujian::platform::db::migrate(&db, engine).await.unwrap();
    let keys = Arc::new(Keyring {
        current: AuditKey::new(vec![42; 32]),
        retired: vec![],
    });
    println!("\n{engine_name}: {CHANGES} changes per run");
    println!("| writers | change alone /s | change + event /s | ratio |");
    println!("|---|---|---|---|");
    for writers in [1, WRITERS] {
        let alone = run(&db, &keys, writers, false).await;
        let with_event = run(&db, &keys, writers, true).await;
        println!(
            "| {writers} | {alone:.0} | {with_event:.0} | {:.0} % |",
            100.0 * with_event / alone
        );
    }
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&db)
        .await
        .unwrap();
    let started = Instant::now();
    let report = zhujian::audit::verify(&db, &keys, &[]).await.unwrap();
    let verify = started.elapsed().as_secs_f64();
    assert_eq!(report, zhujian::audit::VerifyReport::Intact { events });
    let objects = zhujian::platform::objects::ObjectStore::from_settings(&settings).unwrap();
    let prefix = format!("audit/checkpoints/{engine_name}/");
    let anchor = zhujian::audit::checkpoint::Anchor {
        objects: &objects,
        prefix: &prefix,
    };
    let started = Instant::now();
    zhujian::audit::checkpoint::take(&db, anchor, &keys, 1)
        .await
        .unwrap()
        .unwrap();
    let checkpoint = started.elapsed().as_secs_f64() * 1000.0;
    println!(
        "audit verify: {events} events in {verify:.2} s ({:.0} events/s); a checkpoint: {checkpoint:.1} ms",
        events as f64 / verify
    );
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    bench("SQLite", &sqlite, dir.path()).await;
    if let Ok(server) = std::env::var("BENCH_POSTGRES_URL") {
        let url = postgres::scratch_database(&server).await;
        bench("PostgreSQL", &url, dir.path()).await;
    }
}
