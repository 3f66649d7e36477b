//! Check-in benchmark: a seeded database (thousands of enterprises and tasks in their check-in
//! window), the release server, and concurrent clients each doing challenge + selfie upload +
//! check-in over HTTP with real photos; in the same run, the bare face engine's verifications
//! per second on the same photos. Each database is measured twice: with an empty history, and
//! after a city's worth of history (a million earlier photos and a million earlier check-in
//! attempts) has been generated in it.
//!
//! Run with `./scripts/bench.sh checkin` (SQLite; set `BENCH_POSTGRES_URL` to a server to also
//! measure PostgreSQL on a scratch database). Targets: end-to-end throughput at least 80 % of
//! the bare face engine's, the large-history p99 within 10 % of the empty-history p99, no
//! errors.

mod seed;
mod selfies;
mod server;

#[path = "../common/postgres.rs"]
mod postgres;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use zhujian::auth::{tokens::Subject, Channel, Role, Scope};
use zhujian::platform::config::Settings;

use server::{command, models, start_server};

/// Check-ins measured per phase, after `WARM_UP` unmeasured ones on the freshly started server.
const CHECK_INS: usize = 300;
const WARM_UP: usize = 16;
/// Registry searches timed directly per phase.
const SEARCHES: usize = 2000;
const CLIENTS: usize = 8;
/// Earlier photos and earlier check-in attempts in the large history.
const HISTORY: usize = 1_000_000;
pub const SITE: (f64, f64) = (36.6512, 117.1201);

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/faces")
        .join(name)
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0
}

/// One measured phase.
struct Phase {
    rate: f64,
    p50: f64,
    p95: f64,
    p99: f64,
    errors: Vec<String>,
}

/// One check-in to make: the task, the person's token and a fresh selfie; `n` places it.
struct Job {
    n: usize,
    task: String,
    token: String,
    selfie: Vec<u8>,
}

/// Runs the jobs through `CLIENTS` concurrent clients against the server at `base`, the first
/// `WARM_UP` of them unmeasured.
async fn measure(base: &str, mut jobs: Vec<Job>) -> Phase {
    let measured = jobs.split_off(WARM_UP);
    let warm = run(base, jobs).await;
    assert!(warm.errors.is_empty(), "warm-up failed: {:?}", warm.errors);
    run(base, measured).await
}

async fn run(base: &str, jobs: Vec<Job>) -> Phase {
    let count = jobs.len();
    let queue = Arc::new(std::sync::Mutex::new(jobs));
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..CLIENTS {
        let (queue, client, base) = (queue.clone(), client.clone(), base.to_owned());
        handles.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), Vec::new());
            loop {
                let Some(job) = queue.lock().unwrap().pop() else { break };
                let t0 = Instant::now();
                if let Err(e) = check_in(&client, &base, job).await {
                    errors.push(e);
                }
                latencies.push(t0.elapsed());
            }
            (latencies, errors)
        }));
    }
    let (mut latencies, mut errors) = (Vec::new(), Vec::new());
    for h in handles {
        let (l, e) = h.await.unwrap();
        latencies.extend(l);
        errors.extend(e);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    Phase {
        rate: count as f64 / elapsed,
        p50: percentile(&latencies, 0.5),
        p95: percentile(&latencies, 0.95),
        p99: percentile(&latencies, 0.99),
        errors,
    }
}

/// Challenge, selfie upload, check-in: as the mini-program does it.
async fn check_in(client: &reqwest::Client, base: &str, job: Job) -> Result<(), String> {
    let post = |path: String, body: Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&job.token)
            .json(&body)
            .send()
    };
    let task = &job.task;
    let challenge: Value = post(
        format!("/api/v1/verification/tasks/{task}/check-in/challenge"),
        json!({}),
    )
    .await
    .map_err(|e| e.to_string())?
    .json()
    .await
    .map_err(|e| e.to_string())?;
    let part = reqwest::multipart::Part::bytes(job.selfie).file_name("selfie.jpg");
    let upload: Value = client
        .post(format!("{base}/api/v1/documents?purpose=selfie"))
        .bearer_auth(&job.token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let site_lat = SITE.0 + (job.n % 50) as f64 * 0.01;
    let body = json!({"challenge_id": challenge["challenge_id"], "selfie_document_id": upload["id"],
                      "latitude": site_lat + (job.n as f64) * 1e-6, "longitude": SITE.1 + 1e-5, "system": "wgs84", "accuracy_m": 15.0});
    let answer = post(format!("/api/v1/verification/tasks/{task}/check-in"), body)
        .await
        .map_err(|e| e.to_string())?;
    let status = answer.status().as_u16();
    if status == 201 {
        Ok(())
    } else {
        Err(format!("{status} {}", answer.text().await.unwrap_or_default()))
    }
}

/// The measured photos of a phase (after the warm-up).
fn selfies_of(jobs: &[Job]) -> Vec<Vec<u8>> {
    jobs.iter().skip(WARM_UP).map(|j| j.selfie.clone()).collect()
}

/// The bare engine on the same photos, 2 threads: verifications per second.
fn bare_engine_rate(engine: &zhujian_face::Engine, enrolled: &zhujian_face::Descriptor, selfies: &[Vec<u8>]) -> f64 {
    let quality = zhujian_face::Quality::default();
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..2 {
            let quality = &quality;
            s.spawn(move || {
                for selfie in selfies.iter().skip(t).step_by(2) {
                    let d = zhujian::face::describe(engine, quality, selfie).expect("a usable selfie");
                    let _ = zhujian_face::distance(enrolled, &d);
                }
            });
        }
    });
    selfies.len() as f64 / started.elapsed().as_secs_f64()
}

/// Both phases on one database; prints its rows of the table.
async fn bench(label: &str, database_url: &str, dir: &Path) {
    let storage = dir.join(format!("storage-{label}"));
    let migrated = command(&storage, database_url).arg("migrate").status().unwrap();
    assert!(migrated.success());
    let mut settings = Settings {
        storage: zhujian::platform::config::StorageSettings { dir: storage.clone() },
        ..Settings::default()
    };
    settings.database.url = database_url.to_owned();
    settings.face.models_dir = models();
    settings.ensure_secrets().unwrap();
    let (db, engine_kind) = zhujian::platform::db::connect(&settings).await.unwrap();
    let clock = Arc::new(zhujian::platform::clock::SystemClock);
    let state = zhujian::AppState::new(settings.clone(), db, engine_kind, clock).unwrap();

    let engine = zhujian::face::load_engine(&models()).unwrap();
    let portrait = std::fs::read(fixture("person-a-portrait.jpg")).unwrap();
    let enrolled = zhujian::face::describe(&engine, &zhujian_face::Quality::default(), &portrait).unwrap();
    let base = selfies::face_crop(
        &engine,
        &zhujian::face::decode(&std::fs::read(fixture("person-a-selfie.jpg")).unwrap()).unwrap(),
    );
    let per_phase = WARM_UP + CHECK_INS;
    let photos = selfies::distinct_selfies(&base, 2 * per_phase);
    let started = Instant::now();
    let pairs = seed::base(&state, &enrolled, 2 * per_phase).await;
    println!(
        "[{label}] seeded {} enterprises and tasks, {} selected people in {:.1} s",
        seed::ENTERPRISES,
        2 * per_phase,
        started.elapsed().as_secs_f64()
    );
    let mut jobs: Vec<Job> = pairs
        .into_iter()
        .zip(photos)
        .enumerate()
        .map(|(n, ((task, person), selfie))| {
            let subject = Subject {
                account_id: person.clone(),
                role: Role::Person,
                scope: Scope::Person(person.into()),
                channel: Channel::MiniProgram,
            };
            let token = state
                .tokens
                .issue(&subject, "bench-session", zhujian::platform::clock::system_now_ms());
            Job { n, task, token, selfie }
        })
        .collect();
    let later = jobs.split_off(per_phase);

    // The bare engine is measured right before each phase, on that phase's photos: the
    // machine's speed drifts over a run, and each ratio compares like with like.
    let bare_empty = bare_engine_rate(&engine, &enrolled, &selfies_of(&jobs));
    let searched_empty = registry_search_us(&state).await;
    let server = start_server(&storage, database_url);
    let empty = measure(&server.base, jobs).await;
    drop(server);
    let seconds = seed::history(&state.db, engine_kind, HISTORY, HISTORY).await;
    println!("[{label}] generated {HISTORY} earlier photos and {HISTORY} earlier check-in attempts in {seconds:.1} s");
    let bare_large = bare_engine_rate(&engine, &enrolled, &selfies_of(&later));
    let searched_large = registry_search_us(&state).await;
    let server = start_server(&storage, database_url);
    let large = measure(&server.base, later).await;
    drop(server);
    report(label, (bare_empty, &empty), (bare_large, &large));
    println!(
        "[{label}] registry near-duplicate search ({SEARCHES} random hashes, radius 6): p50 / p99 {:.0} / {:.0} µs with the \
         empty history, {:.0} / {:.0} µs with 1M photos",
        searched_empty.0, searched_empty.1, searched_large.0, searched_large.1
    );
}

/// p50 and p99 of the registry's near-duplicate search, in microseconds, for random hashes.
async fn registry_search_us(state: &zhujian::AppState) -> (f64, f64) {
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    let mut took = Vec::with_capacity(SEARCHES);
    let mut conn = state.db.acquire().await.unwrap();
    for _ in 0..SEARCHES {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let t0 = Instant::now();
        zhujian::photos::store::find_near(&mut conn, state.engine, seed, 6)
            .await
            .unwrap();
        took.push(t0.elapsed());
    }
    took.sort();
    (percentile(&took, 0.5) * 1000.0, percentile(&took, 0.99) * 1000.0)
}

fn report(label: &str, empty: (f64, &Phase), large: (f64, &Phase)) {
    println!(
        "| {label} | history | check-ins/s | p50 ms | p95 ms | p99 ms | bare engine /s | vs bare engine | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, (bare, p)) in [("empty", empty), ("1M photos + 1M attempts", large)] {
        println!(
            "| | {name} | {:.1} | {:.0} | {:.0} | {:.0} | {bare:.1} | {:.0}% | {} |",
            p.rate,
            p.p50,
            p.p95,
            p.p99,
            100.0 * p.rate / bare,
            p.errors.len()
        );
    }
    println!(
        "[{label}] large-history p99 / empty p99 = {:.2} (target <= 1.10); throughput targets >= 80% of the bare engine \
         (2 threads, measured right before each phase on its photos)",
        large.1.p99 / empty.1.p99
    );
    for e in empty.1.errors.iter().chain(&large.1.errors).take(5) {
        println!("    {e}");
    }
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    println!(
        "check-in benchmark: release server, {CLIENTS} concurrent clients, {CHECK_INS} check-ins per phase after {WARM_UP} \
         unmeasured (challenge + selfie upload + check-in)"
    );
    bench("SQLite", "", dir.path()).await;
    if let Ok(server) = std::env::var("BENCH_POSTGRES_URL") {
        let url = postgres::scratch_database(&server).await;
        bench("PostgreSQL", &url, dir.path()).await;
    }
}
