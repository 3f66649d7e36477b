//! Results benchmark: a city's worth of enterprises and projects with approved assessments and
//! daily points, the release server on the embedded default, and the result lists and exports
//! the consoles ask for. Results are computed on every request (no stored copy to go stale), so
//! this measures what that costs.
//!
//! Run with `./scripts/bench.sh results`: SQLite in a temporary folder, then PostgreSQL on a
//! scratch database of the server `BENCH_POSTGRES_URL` names (bench.sh starts a throwaway one
//! when it is not set); `BENCH_SKIP_SQLITE=1` leaves SQLite out. Goal: a page of any category under 300 ms and a
//! whole-city XLSX export under 2 s, at 5000 enterprises and 5000 projects.
//!
//! Then the staff console's pages over the same data (issue 17: p95 page render under
//! 300 ms): signed in through the console's own form, the enterprise list (first, sorted,
//! filtered and deep pages) and each category's results, timed whole (HTML rendered and read).

#[path = "common/postgres.rs"]
mod postgres;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use zhujian::platform::config::Settings;

const ENTERPRISES: usize = 5000;
const PROJECTS_PER_ENTERPRISE: usize = 1;
const REQUESTS: usize = 20;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn models() -> std::path::PathBuf {
    std::env::var("ZHUJIAN_FACE_MODELS_DIR")
        .expect("ZHUJIAN_FACE_MODELS_DIR is not set; run ./scripts/bench.sh results")
        .into()
}

fn start_server(storage: &Path, database_url: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhujian"))
        .env("ZHUJIAN_STORAGE_DIR", storage)
        .env("DATABASE_URL", database_url)
        .env("ZHUJIAN_FACE_MODELS_DIR", models())
        .env("ZHUJIAN_SERVER_LISTEN", "127.0.0.1:0")
        .env("ZHUJIAN_LOG_FORMAT", "json")
        .env("ZHUJIAN_LOG_LEVEL", "warn,zhujian::platform::observe=off,zhujian=info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the release binary starts");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines().map_while(Result::ok) {
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            if v["message"] == "zhujian is serving" {
                let base = format!("http://{}", v["address"].as_str().unwrap());
                return Server { child, base };
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start");
}

async fn template(db: &zhujian::platform::db::Db, kind: &str) -> String {
    sqlx::query_scalar("SELECT id FROM assessment_templates WHERE kind = $1 AND version = 1")
        .bind(kind)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Enterprises (a tenth non-local) in two districts, each with approved general-conditions and
/// director assessments, projects with passed assessments, and a passed bonus for every third.
async fn seed(db: &zhujian::platform::db::Db) {
    let now = zhujian::platform::clock::system_now_ms();
    let general = template(db, "general_conditions").await;
    let director = template(db, "safety_director").await;
    let project_template = template(db, "project").await;
    sqlx::query("INSERT INTO staff (id, username, display_name, role, password_hash, created_at, updated_at) VALUES ('bench-staff', 'bench-seed', 'seed', 'supervisor', '!', 0, 0)")
        .execute(db)
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    for n in 0..ENTERPRISES {
        let enterprise = format!("e{n}");
        let district = if n % 2 == 0 { "370102" } else { "370103" };
        let locality = if n % 10 == 0 { "non_local" } else { "local" };
        sqlx::query(
            "INSERT INTO enterprises (id, credit_code, name, district_code, contact_name, contact_phone, password_hash, status, created_at, updated_at, locality) \
             VALUES ($1, $2, $3, $4, '联系人', '13900000000', '!', 'active', $5, $5, $6)",
        )
        .bind(&enterprise)
        .bind(format!("BENCH{n:013}"))
        .bind(format!("基准企业{n}"))
        .bind(district)
        .bind(now)
        .bind(locality)
        .execute(&mut *tx)
        .await
        .unwrap();
        zhujian::enterprises::index_for_search(&mut tx, &enterprise.as_str().into())
            .await
            .unwrap();
        for (kind, template, total) in [
            ("general_conditions", &general, 60.0 + (n % 40) as f64),
            ("safety_director", &director, 70.0 + (n % 30) as f64),
        ] {
            let id = format!("{kind}-{n}");
            sqlx::query(
                "INSERT INTO assessments (id, enterprise_id, template_id, kind, period, state, round, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, '2026', 'approved', 1, 'bench', $5, $5)",
            )
            .bind(&id)
            .bind(&enterprise)
            .bind(template)
            .bind(kind)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO assessment_rounds (assessment_id, round, submitted_by, submitted_at, submit_opinion, finished_by, finished_at, \
                 finish_opinion, outcome, result, self_total, assessed_total) VALUES ($1, 1, 'bench', $2, '提交', 'bench', $2, '通过', 'approved', 'qualified', $3, $3)",
            )
            .bind(&id)
            .bind(now)
            .bind(total)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        for p in 0..PROJECTS_PER_ENTERPRISE {
            let project = format!("p{n}-{p}");
            sqlx::query(
                "INSERT INTO projects (id, permit_number, name, location, district_code, enterprise_id, project_manager, building_area, created_by, created_at) \
                 VALUES ($1, $1, $2, '地址', $3, $4, '经理', 10000, 'bench', $5)",
            )
            .bind(&project)
            .bind(format!("基准项目{n}-{p}"))
            .bind(district)
            .bind(&enterprise)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO project_assessments (id, project_id, template_id, period, supervisor_id, state, district_code, total_score, created_at, updated_at) \
                 VALUES ($1, $2, $3, '2026', 'bench-staff', 'approved', $4, $5, $6, $6)",
            )
            .bind(format!("pa-{project}"))
            .bind(&project)
            .bind(&project_template)
            .bind(district)
            .bind(50.0 + (n % 50) as f64)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        if n % 3 == 0 {
            sqlx::query(
                "INSERT INTO daily_events (id, enterprise_id, project_id, type_code, occurred_on, description, points, state, reported_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'award_municipal', '2026-05-01', '市级奖项', 1, 'approved', 'bench', $4, $4)",
            )
            .bind(format!("d{n}"))
            .bind(&enterprise)
            .bind(format!("p{n}-0"))
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0
}

async fn timed(client: &reqwest::Client, url: &str, token: &str) -> (Duration, usize) {
    let started = Instant::now();
    let response = client.get(url).bearer_auth(token).send().await.unwrap();
    assert!(response.status().is_success(), "{url}: {}", response.status());
    let size = response.bytes().await.unwrap().len();
    (started.elapsed(), size)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    if std::env::var("BENCH_SKIP_SQLITE").is_err() {
        bench("SQLite", "", dir.path()).await;
    }
    if let Ok(server) = std::env::var("BENCH_POSTGRES_URL") {
        let url = postgres::scratch_database(&server).await;
        bench("PostgreSQL", &url, dir.path()).await;
    }
}

/// The whole run on one engine: `database_url` empty for the embedded SQLite.
async fn bench(label: &str, database_url: &str, dir: &Path) {
    println!("\n## {label}\n");
    let storage = dir.join(format!("storage-{label}"));
    let mut settings = Settings {
        storage: zhujian::platform::config::StorageSettings { dir: storage.clone() },
        ..Settings::default()
    };
    settings.database.url = database_url.to_owned();
    settings.face.models_dir = models();
    settings.ensure_secrets().unwrap();
    let (db, engine) = zhujian::platform::db::connect(&settings).await.unwrap();
    zhujian::startup::prepare(&db, engine).await.unwrap();
    let state = zhujian::AppState::new(
        settings.clone(),
        db.clone(),
        engine,
        Arc::new(zhujian::platform::clock::SystemClock),
    )
    .unwrap();
    let started = Instant::now();
    seed(&db).await;
    println!(
        "seeded {ENTERPRISES} enterprises, {} projects with approved assessments in {:.1} s",
        ENTERPRISES * PROJECTS_PER_ENTERPRISE,
        started.elapsed().as_secs_f64()
    );
    let hash = zhujian::auth::passwords::hash_now("Bench-passw0rd");
    let staff = zhujian::staff::store::NewStaff {
        username: "bench-city",
        display_name: "bench",
        role: zhujian::auth::Role::City,
        district_code: None,
        password_hash: &hash,
        created_by: None,
    };
    zhujian::staff::store::insert(&state.db, &staff, zhujian::platform::clock::system_now_ms())
        .await
        .unwrap();
    drop(state);

    let server = start_server(&storage, database_url);
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{}/api/v1/auth/staff/login", server.base))
        .json(&json!({"username": "bench-city", "password": "Bench-passw0rd"}))
        .send()
        .await
        .unwrap();
    let token = login.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    println!("| request | p50 ms | p95 ms | bytes |");
    println!("|---|---|---|---|");
    let base = format!("{}/api/v1/results", server.base);
    let cases = [
        (
            "construction_enterprise page",
            format!("{base}/construction_enterprise?period=2026&locality=local&per_page=50"),
        ),
        (
            "safety_director, one district, one grade",
            format!("{base}/safety_director?period=2026&district=370102&grade=good"),
        ),
        (
            "project page",
            format!("{base}/project?period=2026&locality=local&per_page=50"),
        ),
        (
            "licence CSV export (all)",
            format!("{base}/licence/export?format=csv&period=2026"),
        ),
        (
            "construction_enterprise XLSX export (all)",
            format!("{base}/construction_enterprise/export?format=xlsx&period=2026"),
        ),
        (
            "project XLSX export (all)",
            format!("{base}/project/export?format=xlsx&period=2026"),
        ),
    ];
    for (name, url) in cases {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..REQUESTS {
            let (elapsed, bytes) = timed(&client, &url, &token).await;
            times.push(elapsed);
            size = bytes;
        }
        times.sort();
        println!(
            "| {name} | {:.1} | {:.1} | {size} |",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
    }
    console_pages(&server.base).await;
}

/// A console session for `bench-city`, signed in through the sign-in form as a browser does.
async fn console_session(base: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = |answer: &reqwest::Response, name: &str| {
        answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.strip_prefix(&format!("{name}="))
                    .map(|v| v.split(';').next().unwrap().to_owned())
            })
            .unwrap_or_else(|| panic!("no {name} cookie"))
    };
    let page = client.get(format!("{base}/console/sign-in")).send().await.unwrap();
    let pre = cookie(&page, "zj_console_pre");
    let form = [
        ("username", "bench-city"),
        ("password", "Bench-passw0rd"),
        ("csrf", pre.as_str()),
    ];
    let signed_in = client
        .post(format!("{base}/console/sign-in"))
        .header("cookie", format!("zj_console_pre={pre}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303, "the console signs in");
    cookie(&signed_in, "zj_console")
}

/// The console's pages, each rendered `REQUESTS` times: p50 and p95 as a table.
async fn console_pages(base: &str) {
    let session = console_session(base).await;
    let client = reqwest::Client::new();
    let mut cases = vec![
        ("enterprises, first page".to_owned(), "/console/enterprises".to_owned()),
        (
            "enterprises, sorted by opening, newest first".to_owned(),
            "/console/enterprises?sort=created_at&dir=desc".to_owned(),
        ),
        (
            "enterprises, filtered (text, district, locality)".to_owned(),
            "/console/enterprises?q=%E5%9F%BA%E5%87%86%E4%BC%81%E4%B8%9A12&district=370102&locality=local".to_owned(),
        ),
        (
            "enterprises, deep page (240 of 250)".to_owned(),
            "/console/enterprises?sort=name&dir=asc&page=240".to_owned(),
        ),
        ("enterprise's page".to_owned(), "/console/enterprises/e4321".to_owned()),
    ];
    for (name, path) in [
        ("self-assessment queue, first page", "/console/assessments"),
        (
            "self-assessments by enterprise, page 100",
            "/console/assessments?sort=enterprise&dir=desc&page=100",
        ),
        (
            "project assessments by project",
            "/console/project-assessments?sort=project",
        ),
        (
            "daily events by enterprise, page 20",
            "/console/daily-events?sort=enterprise&page=20",
        ),
        ("verification tasks, first page", "/console/verification/tasks"),
    ] {
        cases.push((name.to_owned(), path.to_owned()));
    }
    for category in ["safety_director", "licence", "construction_enterprise", "project"] {
        cases.push((
            format!("results {category}, first page"),
            format!("/console/results/{category}?period=2026"),
        ));
        cases.push((
            format!("results {category}, by score, page 50"),
            format!("/console/results/{category}?period=2026&sort=score&dir=desc&page=50"),
        ));
    }
    cases.push((
        "result's page with its breakdown".to_owned(),
        "/console/results/construction_enterprise/e4321?period=2026".to_owned(),
    ));
    println!();
    println!("| console page | p50 ms | p95 ms | bytes |");
    println!("|---|---|---|---|");
    for (name, path) in cases {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..REQUESTS {
            let started = Instant::now();
            let response = client
                .get(format!("{base}{path}"))
                .header("cookie", format!("zj_console={session}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let body = response.text().await.unwrap();
            times.push(started.elapsed());
            assert!(body.contains("<main"), "{path}: a page");
            size = body.len();
        }
        times.sort();
        println!(
            "| {name} | {:.1} | {:.1} | {size} |",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
    }
}
