//! Several instances behind a real load balancer (issue 19, part 3): three release `zhujian`
//! instances on one PostgreSQL and one Garage, behind HAProxy configured as
//! docs/operations.md configures it.
//!
//! 1. Throughput of the non-face hot paths through the balancer with 1, 2 and 3 instances (on
//!    a two-core machine the instances share the cores: the figures show the overhead of the
//!    balancer and the shared database, not a gain in CPU).
//! 2. Writers upload documents and make and withdraw employment requests while the instance
//!    delivering the SMS outbox is killed with SIGKILL. Every acknowledged write must be there
//!    afterwards (documents read back through the balancer, requests in the database), writes
//!    are sent again only when no instance answered them, and every notice of the outbox
//!    reaches the (fake) SMS provider, once: the delivery is taken over by another instance
//!    when the dead one's lease runs out, and a notice the dead one had claimed is sent when
//!    its claim runs out (`outbox::CLAIM_MS`) — twice if the provider had it before the kill,
//!    the one duplicate a crash between sending and recording can make. `audit verify` checks
//!    the audit chain afterwards.
//! 3. Sign-in throttling and logout across instances: parallel wrong passwords for one account
//!    through the balancer lock it after exactly `max_failed_logins_per_account` failures, and a
//!    token signed out on one instance is refused by every instance.
//!
//! Run with `./scripts/bench.sh balanced` (PostgreSQL, Garage and Debian's haproxy started or
//! installed first). `BENCH_BALANCED_WINDOW` (default 4) seconds per path and instance count;
//! `BENCH_BALANCED_SECONDS` (default 20) of writing, the kill after a third of them.

#[allow(dead_code)]
#[path = "../city/copy.rs"]
mod copy;
#[path = "../city/fixtures.rs"]
mod fixtures;
#[allow(dead_code)]
#[path = "../city/measure.rs"]
mod measure;
#[allow(dead_code)]
#[path = "../checkin/server.rs"]
mod server;
#[path = "../city/support.rs"]
mod support;

#[path = "../common/postgres.rs"]
mod postgres;

mod balancer;
mod fakes;
mod writes;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use measure::Case;
use serde_json::json;
use zhujian::notify::outbox::{enqueue, Recipient};
use zhujian::platform::ids::EnterpriseId;

const CLIENTS: usize = 8;
const WRITERS: usize = 8;
const NOTICES: usize = 300;
/// The fake provider's answer time: the outbox's delivery lasts through the kill.
const SMS_DELAY: Duration = Duration::from_millis(40);
const PATHS: [Case; 6] = [
    Case::EnterpriseSignIn,
    Case::Me,
    Case::PersonTasks,
    Case::CheckIn,
    Case::EmploymentRequest,
    Case::Inbox,
];

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set; run ./scripts/bench.sh balanced"))
}

/// One instance's command: the shared database, storage (keys) and Garage bucket, the fake
/// WeChat and SMS provider, the outbox delivered every second.
fn instance(storage: &Path, url: &str, wechat: &str, sms: &str) -> Command {
    let mut command = server::command(storage, url);
    command
        .env("ZHUJIAN_OBJECTS_BACKEND", "s3")
        .env("ZHUJIAN_OBJECTS_S3_ENDPOINT", env("TEST_S3_ENDPOINT"))
        .env("ZHUJIAN_OBJECTS_S3_REGION", env("TEST_S3_REGION"))
        .env("ZHUJIAN_OBJECTS_S3_BUCKET", env("TEST_S3_BUCKET"))
        .env("ZHUJIAN_OBJECTS_S3_ACCESS_KEY", env("TEST_S3_ACCESS_KEY"))
        .env("ZHUJIAN_OBJECTS_S3_SECRET_KEY", env("TEST_S3_SECRET_KEY"))
        .env("ZHUJIAN_WECHAT_BASE_URL", wechat)
        .env("ZHUJIAN_WECHAT_APP_ID", "wxbench")
        .env("ZHUJIAN_WECHAT_APP_SECRET", "bench-secret")
        .env("ZHUJIAN_LIVENESS_CHECK_IN", "false")
        .env("ZHUJIAN_SMS_PROVIDER", "tencent")
        .env("ZHUJIAN_SMS_ENDPOINT", sms)
        .env("ZHUJIAN_SMS_SECRET_ID", "bench-id")
        .env("ZHUJIAN_SMS_SECRET_KEY", "bench-key")
        .env("ZHUJIAN_SMS_SDK_APP_ID", "bench-app")
        .env("ZHUJIAN_SMS_SIGN_NAME", "住建")
        .env("ZHUJIAN_SMS_TEMPLATE_RESET_CODE", "tpl-reset")
        .env("ZHUJIAN_SMS_TEMPLATE_INITIAL_PASSWORD", "tpl-password")
        .env("ZHUJIAN_SMS_TEMPLATE_NOTICE", "tpl-notice")
        .env("ZHUJIAN_SMS_DELIVER_INTERVAL_SECS", "1");
    command
}

/// Runs `case` from `CLIENTS` clients for `window`: its timings and the seconds it took.
async fn for_a_while(
    client: &Arc<measure::Client>,
    tokens: &Arc<measure::Tokens>,
    case: Case,
    window: Duration,
) -> (measure::Timings, f64) {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..CLIENTS {
        let (client, tokens, next) = (client.clone(), tokens.clone(), next.clone());
        handles.push(tokio::spawn(async move {
            let (mut took, mut errors) = (Vec::new(), Vec::new());
            while started.elapsed() < window {
                match client.one(case, next.fetch_add(1, Ordering::Relaxed), &tokens).await {
                    Ok(d) => took.push(d),
                    Err(e) => errors.push(e),
                }
            }
            (took, errors)
        }));
    }
    let mut timings = measure::Timings {
        sorted: Vec::new(),
        errors: Vec::new(),
    };
    for handle in handles {
        let (took, errors) = handle.await.unwrap();
        timings.sorted.extend(took);
        timings.errors.extend(errors);
    }
    timings.sorted.sort();
    (timings, started.elapsed().as_secs_f64())
}

/// Throughput (requests per second) and p99 of each path through a balancer over `servers`.
async fn throughput(dir: &Path, servers: &[String], window: Duration) -> Vec<(f64, f64)> {
    let balancer = balancer::start(dir, servers).await;
    let selfie = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faces/person-a-selfie.jpg"));
    let client = Arc::new(measure::Client {
        http: measure::http(),
        base: balancer.base.clone(),
        selfie: Arc::new(selfie.unwrap()),
    });
    let tokens = Arc::new(client.tokens().await);
    let mut figures = Vec::new();
    for case in PATHS {
        for_a_while(&client, &tokens, case, window / 4).await;
        let (timings, seconds) = for_a_while(&client, &tokens, case, window).await;
        if let Some(error) = timings.errors.first() {
            println!("    {}: {} errors, e.g. {error}", case.name(), timings.errors.len());
        }
        figures.push((timings.sorted.len() as f64 / seconds, timings.ms(0.99)));
    }
    figures
}

/// The SMS notices the outbox will deliver, each with its own detail.
async fn enqueue_notices(state: &zhujian::AppState) {
    let enterprise = EnterpriseId::from(fixtures::enterprise_id(1));
    let now = zhujian::platform::clock::system_now_ms();
    let mut conn = state.db.acquire().await.unwrap();
    for i in 0..NOTICES {
        let params = json!({"enterprise": "基准建设集团1", "qualification": format!("notice-{i}")});
        enqueue(
            &mut conn,
            Recipient::EnterpriseContact(&enterprise),
            "verification.passed",
            params,
            now,
        )
        .await
        .unwrap();
    }
}

/// Which of `servers` delivers the outbox now (its metrics count worked passes of the job).
async fn outbox_holder(servers: &[String]) -> usize {
    for _ in 0..100 {
        for (n, base) in servers.iter().enumerate() {
            let metrics = reqwest::get(format!("{base}/metrics"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let worked = metrics
                .lines()
                .any(|l| l.starts_with(r#"zhujian_job_passes_total{job="notifications.deliver",outcome="worked"}"#));
            if worked {
                return n;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no instance delivers the outbox");
}

async fn pending_sms(state: &zhujian::AppState) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND state = 'pending'")
        .fetch_one(&state.db)
        .await
        .unwrap()
}

/// Whether the document's content comes back through its signed link, as uploaded (a PDF).
async fn readable(http: &reqwest::Client, base: &str, token: &str, id: &str) -> bool {
    let link = http
        .get(format!("{base}/api/v1/documents/{id}/link"))
        .bearer_auth(token)
        .send()
        .await;
    let Ok(link) = link else { return false };
    let link: serde_json::Value = link.json().await.unwrap_or_default();
    let Some(url) = link["url"].as_str() else { return false };
    let url = if url.starts_with('/') {
        format!("{base}{url}")
    } else {
        url.to_owned()
    };
    match http.get(url).send().await {
        Ok(content) if content.status() == 200 => content.bytes().await.is_ok_and(|b| b.starts_with(b"%PDF-")),
        _ => false,
    }
}

/// Every acknowledged document read back through the balancer, every acknowledged request in
/// the database: how many are missing.
async fn missing(base: &str, token: &str, state: &zhujian::AppState, written: &writes::Written) -> (usize, usize) {
    let http = reqwest::Client::new();
    let mut documents = 0;
    for id in &written.documents {
        documents += usize::from(!readable(&http, base, token, id).await);
    }
    let mut requests = 0;
    for id in &written.requests {
        let found: Option<String> = sqlx::query_scalar("SELECT state FROM employment_requests WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.db)
            .await
            .unwrap();
        requests += usize::from(found.is_none());
    }
    (documents, requests)
}

struct KillReport {
    written: writes::Written,
    retried: u64,
    missing: (usize, usize),
    sent_once: usize,
    sent_twice: usize,
    never_sent: usize,
    drained_secs: f64,
}

/// Writers through the balancer over every instance; the outbox's deliverer killed a third of
/// the way through.
async fn kill_one(
    dir: &Path,
    instances: &mut [Option<server::Server>],
    state: &zhujian::AppState,
    sent: &fakes::Sent,
    seconds: u64,
) -> KillReport {
    let servers: Vec<String> = instances.iter().flatten().map(|s| s.base.clone()).collect();
    let balancer = balancer::start(dir, &servers).await;
    let http = reqwest::Client::new();
    let client = measure::Client {
        http: http.clone(),
        base: balancer.base.clone(),
        selfie: Arc::new(Vec::new()),
    };
    let token = client.sign_in(Case::EnterpriseSignIn, 0).await.unwrap();
    let retried = Arc::new(AtomicU64::new(0));
    let writers = (0..WRITERS)
        .map(|_| writes::Writer {
            http: http.clone(),
            base: balancer.base.clone(),
            token: token.clone(),
            retried: retried.clone(),
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let running = tokio::spawn(writes::run(writers, stop.clone()));
    enqueue_notices(state).await;
    let enqueued = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds / 3)).await;
    let holder = outbox_holder(&servers).await;
    println!("killing instance {} (it delivers the outbox) with SIGKILL", holder + 1);
    drop(instances[holder].take());
    tokio::time::sleep(Duration::from_secs(seconds - seconds / 3)).await;
    stop.store(true, Ordering::Relaxed);
    let written = running.await.unwrap();
    // A notice the killed instance had claimed is due again when its claim runs out.
    let patience = Duration::from_millis(zhujian::notify::outbox::CLAIM_MS as u64) + Duration::from_secs(90);
    let mut shown = -1;
    loop {
        let pending = pending_sms(state).await;
        if pending == 0 {
            break;
        }
        if pending != shown {
            println!(
                "    {pending} SMS notices pending after {:.0} s",
                enqueued.elapsed().as_secs_f64()
            );
            shown = pending;
        }
        assert!(enqueued.elapsed() < patience, "the outbox drains");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let drained_secs = enqueued.elapsed().as_secs_f64();
    let counts = sent.counts();
    let missing = missing(&balancer.base, &token, state, &written).await;
    KillReport {
        retried: retried.load(Ordering::Relaxed),
        missing,
        sent_once: counts.values().filter(|n| **n == 1).count(),
        sent_twice: counts.values().filter(|n| **n > 1).count(),
        never_sent: NOTICES - counts.len(),
        drained_secs,
        written,
    }
}

/// Parallel wrong passwords for one enterprise through the balancer: (401s, 429s, the right
/// password's status after them).
async fn throttled(base: &str) -> (usize, usize, u16) {
    let http = reqwest::Client::new();
    let credit_code = fixtures::enterprise_credit_code(fixtures::ENTERPRISES - 1);
    let url = format!("{base}/api/v1/auth/enterprise/login");
    let wrong = json!({"credit_code": credit_code, "password": "Wrong-passw0rd"});
    let answers = futures_util::future::join_all((0..12).map(|_| http.post(&url).json(&wrong).send())).await;
    let statuses: Vec<u16> = answers.into_iter().map(|a| a.unwrap().status().as_u16()).collect();
    let right = json!({"credit_code": credit_code, "password": fixtures::PASSWORD});
    let after = http.post(&url).json(&right).send().await.unwrap().status().as_u16();
    (
        statuses.iter().filter(|s| **s == 401).count(),
        statuses.iter().filter(|s| **s == 429).count(),
        after,
    )
}

/// Signs in and out through the balancer: what each instance answers the access token with
/// once every instance has read the sign-out (`auth::sessions::REFRESH_MS`), and what each
/// answers the refresh token with.
async fn signed_out_everywhere(base: &str, servers: &[String]) -> (Vec<u16>, Vec<u16>) {
    let http = reqwest::Client::new();
    let body = json!({"credit_code": fixtures::enterprise_credit_code(2), "password": fixtures::PASSWORD});
    let signed_in = http
        .post(format!("{base}/api/v1/auth/enterprise/login"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let tokens: serde_json::Value = signed_in.json().await.unwrap();
    let (access, refresh) = (tokens["access_token"].as_str().unwrap(), &tokens["refresh_token"]);
    let out = http
        .post(format!("{base}/api/v1/auth/logout"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success(), "signed out: {}", out.status());
    tokio::time::sleep(Duration::from_millis(zhujian::auth::sessions::REFRESH_MS as u64 + 100)).await;
    let (mut me, mut renewed) = (Vec::new(), Vec::new());
    for server in servers {
        let answer = http
            .get(format!("{server}/api/v1/auth/me"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        me.push(answer.status().as_u16());
        let answer = http
            .post(format!("{server}/api/v1/auth/refresh"))
            .json(&json!({"refresh_token": refresh}))
            .send()
            .await
            .unwrap();
        renewed.push(answer.status().as_u16());
    }
    (me, renewed)
}

fn audit_verified(storage: &Path, url: &str) -> bool {
    let mut command = server::command(storage, url);
    command.args(["audit", "verify"]).status().unwrap().success()
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let pg = env("BENCH_POSTGRES_URL");
    let window = Duration::from_secs(std::env::var("BENCH_BALANCED_WINDOW").map_or(4, |s| s.parse().expect("seconds")));
    let seconds: u64 = std::env::var("BENCH_BALANCED_SECONDS").map_or(20, |s| s.parse().expect("seconds"));
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    let url = postgres::scratch_database(&pg).await;
    assert!(server::command(&storage, &url)
        .arg("migrate")
        .status()
        .unwrap()
        .success());
    let state = support::state_for(&storage, &url).await;
    fixtures::seed(&state).await;
    let wechat = support::fake_wechat().await;
    let (sms, sent) = fakes::sms(SMS_DELAY).await;
    let mut instances: Vec<Option<server::Server>> = (0..3)
        .map(|_| Some(server::spawn(instance(&storage, &url, &wechat, &sms))))
        .collect();
    let servers: Vec<String> = instances.iter().flatten().map(|s| s.base.clone()).collect();
    println!("three instances: {}", servers.join(", "));

    let mut by_count = Vec::new();
    for n in 1..=3 {
        println!("[{n} instance(s)] each path for {window:?} from {CLIENTS} clients through HAProxy");
        by_count.push(throughput(dir.path(), &servers[..n], window).await);
    }
    println!("\n| path | 1 instance req/s (p99 ms) | 2 instances | 3 instances |");
    println!("|---|---|---|---|");
    for (i, case) in PATHS.iter().enumerate() {
        let cell = |n: usize| format!("{:.0} ({:.0})", by_count[n][i].0, by_count[n][i].1);
        println!("| {} | {} | {} | {} |", case.name(), cell(0), cell(1), cell(2));
    }

    let balancer = balancer::start(dir.path(), &servers).await;
    let (refused, locked, after) = throttled(&balancer.base).await;
    let (me_after, renewed_after) = signed_out_everywhere(&balancer.base, &servers).await;
    drop(balancer);

    println!("\n[kill] {WRITERS} writers for {seconds} s; {NOTICES} SMS notices enqueued as they start");
    let report = kill_one(dir.path(), &mut instances, &state, &sent, seconds).await;
    let audit = audit_verified(&storage, &url);
    let w = &report.written;
    println!("\n| across instances | figure |");
    println!("|---|---|");
    println!("| documents uploaded and acknowledged | {} |", w.documents.len());
    println!(
        "| employment requests acknowledged (made and withdrawn) | {} |",
        w.requests.len()
    );
    println!("| requests sent again (no instance answered) | {} |", report.retried);
    println!("| writes failed after retries | {} |", w.failures.len());
    println!(
        "| acknowledged documents missing / requests missing | {} / {} |",
        report.missing.0, report.missing.1
    );
    println!(
        "| SMS notices sent once / more than once / never | {} / {} / {} |",
        report.sent_once, report.sent_twice, report.never_sent
    );
    println!("| outbox drained after (s) | {:.1} |", report.drained_secs);
    println!("| audit verify | {} |", if audit { "ok" } else { "FAILED" });
    println!("| 12 parallel wrong passwords: 401 / 429; then the right one | {refused} / {locked}; {after} |");
    println!("| after logout, per instance: /auth/me; /auth/refresh | {me_after:?}; {renewed_after:?} |");
    for failure in w.failures.iter().take(5) {
        println!("  failure: {failure}");
    }

    // The instances run on the default settings.
    let max_failures = state.settings.auth.max_failed_logins_per_account as usize;
    let ok = report.missing == (0, 0)
        && w.failures.is_empty()
        // Only a notice sent by the killed instance just before it died, not yet recorded as
        // sent, can go out twice: its claim runs out and another instance sends it again.
        && report.sent_twice <= 1
        && report.never_sent == 0
        && audit
        && refused == max_failures
        && after == 429
        && me_after.iter().chain(&renewed_after).all(|s| *s == 401);
    state.db.close().await;
    drop(instances);
    println!("\n{}", if ok { "all held" } else { "FAILED: see the table" });
    if !ok {
        std::process::exit(1);
    }
}
