//! Certificates benchmark (issue 16, item 7): 500,000 historical certificates imported over
//! HTTP into the release server (CSV files of 50,000 rows, as staff would send them in parts),
//! then "my certificates" and the public lookup measured over HTTP at that size.
//!
//! Run with `./scripts/bench.sh certificates` (SQLite in a temporary folder; PostgreSQL too when
//! `BENCH_POSTGRES_URL` names a server to create a scratch database on; `BENCH_SKIP_SQLITE=1`
//! leaves SQLite out). `CERTIFICATES=n` imports n rows instead (a quick run).

#[path = "common/postgres.rs"]
mod postgres;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use zhujian::auth::{tokens::Subject, Channel, Role, Scope};
use zhujian::platform::config::Settings;

/// Rows per imported file.
const CHUNK: usize = 50_000;
/// Enterprises the holders are registered under.
const ENTERPRISES: usize = 1000;
/// Registered, employed holders: those "my certificates" and the lookup are measured with.
const PEOPLE: usize = 200;
/// Measured requests of each kind.
const REQUESTS: usize = 1000;

const CATEGORIES: [&str; 11] = [
    "electrician",
    "scaffolder",
    "scaffolder_attached",
    "signaller_rigger",
    "tower_crane_driver",
    "hoist_driver",
    "material_hoist_driver",
    "tower_crane_installer",
    "hoist_installer",
    "material_hoist_installer",
    "gondola_installer",
];

fn models() -> PathBuf {
    std::env::var("ZHUJIAN_FACE_MODELS_DIR")
        .expect("ZHUJIAN_FACE_MODELS_DIR is not set; run ./scripts/bench.sh certificates")
        .into()
}

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

fn command(storage: &Path, database_url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhujian"));
    c.env("ZHUJIAN_STORAGE_DIR", storage)
        .env("DATABASE_URL", database_url)
        .env("ZHUJIAN_FACE_MODELS_DIR", models())
        // One client address makes every lookup here.
        .env("ZHUJIAN_CERTIFICATES_PUBLIC_LOOKUPS_PER_ADDRESS_PER_HOUR", "1000000000")
        .env("ZHUJIAN_SERVER_REQUEST_TIMEOUT_SECS", "600");
    c
}

fn start_server(storage: &Path, database_url: &str) -> Server {
    let mut child = command(storage, database_url)
        .env("ZHUJIAN_SERVER_LISTEN", "127.0.0.1:0")
        .env("ZHUJIAN_LOG_FORMAT", "json")
        .env("ZHUJIAN_LOG_LEVEL", "warn,zhujian::platform::observe=off,zhujian=info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the release binary starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref().map_while(Result::ok) {
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            if v["message"] == "zhujian is serving" {
                let base = format!("http://{}", v["address"].as_str().unwrap());
                // The server's later warnings and errors, shown (and its pipe kept open).
                std::thread::spawn(move || lines.map_while(Result::ok).for_each(|l| eprintln!("server: {l}")));
                return Server { child, base };
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start");
}

/// A unified social credit code for enterprise `n` (GB 32100 check character).
fn credit_code(n: usize) -> String {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let prefix = format!("91360100MA{n:07}");
    let sum: usize = prefix
        .chars()
        .zip([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
        .map(|(c, w)| ALPHABET.find(c).unwrap() * w)
        .sum();
    format!("{prefix}{}", ALPHABET.as_bytes()[(31 - sum % 31) % 31] as char)
}

/// A valid ID number for holder `n` (< 480,000): a birth date and sequence of its own.
fn id_number(n: usize) -> String {
    let (k, seq) = (n / 1000, n % 1000);
    let body = format!("360102{}{:02}15{seq:03}", 1960 + k % 40, 1 + (k / 40) % 12);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(weights).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

fn name(n: usize) -> String {
    format!("基准持证人{n}")
}

/// Holder n holds a safety-management B certificate and one special-operations certificate.
fn row(i: usize) -> String {
    let n = i / 2;
    let e = n % ENTERPRISES;
    let (kind, category, number) = if i.is_multiple_of(2) {
        ("B", "", format!("赣建安B{n:07}"))
    } else {
        ("特种作业", CATEGORIES[n % CATEGORIES.len()], format!("赣建特{n:07}"))
    };
    format!(
        "{kind},{category},{number},{},{},{},基准企业{e},2024-03-01,2035-02-28,\n",
        id_number(n),
        name(n),
        credit_code(e)
    )
}

const HEADER: &str =
    "kind,category,number,id_number,name,enterprise_credit_code,enterprise_name,issued_on,expires_on,origin\n";

/// The enterprises, the city staff account, and `PEOPLE` registered holders employed by the
/// enterprise their certificates name; returns the holders' person ids.
async fn seed(state: &zhujian::AppState) -> Vec<String> {
    let db = &state.db;
    let now = zhujian::platform::clock::system_now_ms();
    let mut tx = db.begin().await.unwrap();
    for e in 0..ENTERPRISES {
        sqlx::query(
            "INSERT INTO enterprises (id, credit_code, name, district_code, contact_name, contact_phone, password_hash, status, created_at, updated_at) \
             VALUES ($1, $2, $3, '360102', '联系人', '13900000000', '!', 'active', $4, $4)",
        )
        .bind(format!("e{e}"))
        .bind(credit_code(e))
        .bind(format!("基准企业{e}"))
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    for doc in ["bench-portrait", "bench-selfie"] {
        sqlx::query(
            "INSERT INTO documents (id, owner_kind, owner_id, purpose, content_type, size, sha256, object_key, file_name, uploaded_by, created_at, state) \
             VALUES ($1, 'person', 'bench', 'selfie', 'image/jpeg', 0, '', $2, 'x', 'bench', 0, 'locked')",
        )
        .bind(doc)
        .bind(format!("bench/{doc}"))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let hash = zhujian::auth::passwords::hash_now("Bench-passw0rd");
    let staff = zhujian::staff::store::NewStaff {
        username: "bench-city",
        display_name: "bench",
        role: Role::City,
        district_code: None,
        password_hash: &hash,
        created_by: None,
    };
    zhujian::staff::store::insert(db, &staff, now).await.unwrap();
    let face = [0.0f32; 128];
    let mut people = Vec::new();
    for n in 0..PEOPLE {
        let mut conn = db.acquire().await.unwrap();
        let person = zhujian::people::store::find_or_create_by_openid(&mut conn, &format!("bench-openid-{n}"), now)
            .await
            .unwrap();
        let id = id_number(n);
        let new = zhujian::people::store::NewIdentity {
            person_id: &person,
            id_number: &id,
            id_number_hash: &zhujian::people::id_number_key(&state.keys, &id),
            id_number_masked: "360102********0000",
            name: &name(n),
            phone: "13900000000",
            phone_masked: "139****0000",
            portrait_document_id: &"bench-portrait".into(),
            selfie_document_id: &"bench-selfie".into(),
            face: &face,
            held: false,
        };
        zhujian::people::store::register(&mut conn, &state.keys, &new, now)
            .await
            .unwrap();
        let employment = format!("m{n}");
        for sql in [
            "INSERT INTO employment_requests (id, enterprise_id, person_id, position, contract_start, contract_end, state, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, '项目负责人', '2026-01-01', '2029-12-31', 'accepted', 'bench', $4, $4)",
            "INSERT INTO employments (id, enterprise_id, person_id, request_id, position, contract_start, contract_end, state, started_at) \
             VALUES ($1, $2, $3, $1, '项目负责人', '2026-01-01', '2029-12-31', 'active', $4)",
        ] {
            sqlx::query(sql)
                .bind(&employment)
                .bind(format!("e{}", n % ENTERPRISES))
                .bind(&person)
                .bind(now)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        people.push(person.into_string());
    }
    people
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0
}

/// `REQUESTS` GETs, one at a time; checks each answer; prints the table row.
async fn measure(
    label: &str,
    what: &str,
    client: &reqwest::Client,
    requests: Vec<(String, Option<String>)>,
    status: u16,
) {
    let mut times = Vec::with_capacity(requests.len());
    for (url, token) in requests {
        let started = Instant::now();
        let mut request = client.get(&url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let code = response.status().as_u16();
        let body = response.bytes().await.unwrap();
        times.push(started.elapsed());
        assert_eq!(code, status, "{url}: {}", String::from_utf8_lossy(&body));
    }
    times.sort();
    println!(
        "| {label} | {what} | {:.2} | {:.2} | {:.2} |",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99)
    );
}

async fn bench(label: &str, database_url: &str, dir: &Path, total: usize) {
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
        db,
        engine,
        Arc::new(zhujian::platform::clock::SystemClock),
    )
    .unwrap();
    let people = seed(&state).await;
    let server = start_server(&storage, database_url);
    // The import, in files of CHUNK rows.
    let files: Vec<String> = (0..total)
        .step_by(CHUNK)
        .map(|start| {
            let mut csv = String::from(HEADER);
            (start..(start + CHUNK).min(total)).for_each(|i| csv.push_str(&row(i)));
            csv
        })
        .collect();
    // The server closes a connection idle for 10 s (server.header_read_timeout_secs): let
    // pooled ones go before that.
    let client = reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(4))
        .build()
        .unwrap();
    let login = client
        .post(format!("{}/api/v1/auth/staff/login", server.base))
        .json(&json!({"username": "bench-city", "password": "Bench-passw0rd"}))
        .send()
        .await
        .unwrap();
    let city = login.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let bytes: usize = files.iter().map(String::len).sum();
    let import = |csv: String| {
        let (client, url, city) = (&client, format!("{}/api/v1/certificates/import", server.base), &city);
        async move {
            let response = client
                .post(url)
                .bearer_auth(city)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    let started = Instant::now();
    let mut created = 0;
    for csv in files.iter().cloned() {
        created += import(csv).await["created"].as_u64().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(created as usize, total);
    println!(
        "| {label} | import {total} rows ({} files, {:.0} MB) | {elapsed:.1} s | {:.0} rows/s |",
        files.len(),
        bytes as f64 / 1e6,
        total as f64 / elapsed
    );
    let started = Instant::now();
    let again = import(files[0].clone()).await;
    assert_eq!(again["unchanged"].as_u64().unwrap() as usize, CHUNK.min(total));
    println!(
        "| {label} | the first file again (all unchanged) | {:.1} s | {:.0} rows/s |",
        started.elapsed().as_secs_f64(),
        CHUNK.min(total) as f64 / started.elapsed().as_secs_f64()
    );

    println!("| {label} | request ({REQUESTS} each, one at a time) | p50 ms | p95 ms | p99 ms |");
    let now = zhujian::platform::clock::system_now_ms();
    let tokens: Vec<String> = people
        .iter()
        .map(|person| {
            let subject = Subject {
                account_id: person.clone(),
                role: Role::Person,
                scope: Scope::Person(person.as_str().into()),
                channel: Channel::MiniProgram,
            };
            state.tokens.issue(&subject, "bench-session", now)
        })
        .collect();
    let mine = format!("{}/api/v1/people/me/certificates", server.base);
    let first = client.get(&mine).bearer_auth(&tokens[0]).send().await.unwrap();
    let first: Value = first.json().await.unwrap();
    assert_eq!(first.as_array().map(Vec::len), Some(2), "{first}");
    assert_eq!(first[0]["certificate"]["status"]["code"], "in_use", "{first}");
    let requests = (0..REQUESTS)
        .map(|i| (mine.clone(), Some(tokens[i % PEOPLE].clone())))
        .collect();
    measure(
        label,
        "GET /people/me/certificates (2 certificates with tracks)",
        &client,
        requests,
        200,
    )
    .await;
    let lookup = |n: usize, name: &str| {
        let number = if n.is_multiple_of(2) {
            format!("赣建安B{:07}", n / 2)
        } else {
            format!("赣建特{:07}", n / 2)
        };
        format!("{}/api/v1/public/certificates?number={number}&name={name}", server.base)
    };
    let requests = (0..REQUESTS)
        .map(|i| (lookup(i % (2 * PEOPLE), &name((i % (2 * PEOPLE)) / 2)), None))
        .collect();
    measure(
        label,
        "GET /public/certificates (in use: found)",
        &client,
        requests,
        200,
    )
    .await;
    let requests = (0..REQUESTS)
        .map(|i| {
            let n = 2 * PEOPLE + (i * 397) % (total - 2 * PEOPLE);
            (lookup(n, &name(n / 2)), None)
        })
        .collect();
    measure(
        label,
        "GET /public/certificates (holder not employed: 404)",
        &client,
        requests,
        404,
    )
    .await;
    let requests = (0..REQUESTS).map(|i| (lookup(i, "别人"), None)).collect();
    measure(
        label,
        "GET /public/certificates (wrong name: 404)",
        &client,
        requests,
        404,
    )
    .await;
    let requests = (0..REQUESTS)
        .map(|i| {
            (
                format!("{}/api/v1/certificates?page={}", server.base, 1 + i % 20),
                Some(city.clone()),
            )
        })
        .collect();
    measure(label, "GET /certificates (city, a page of 50)", &client, requests, 200).await;
    let enterprise = state.tokens.issue(
        &Subject {
            account_id: "e0".into(),
            role: Role::Enterprise,
            scope: Scope::Enterprise("e0".into()),
            channel: Channel::Web,
        },
        "bench-session",
        now,
    );
    let requests = (0..REQUESTS)
        .map(|i| {
            (
                format!("{}/api/v1/certificates?page={}", server.base, 1 + i % 10),
                Some(enterprise.clone()),
            )
        })
        .collect();
    measure(
        label,
        "GET /certificates (an enterprise, a page of 50 of its 500)",
        &client,
        requests,
        200,
    )
    .await;
    drop(server);
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let total: usize = std::env::var("CERTIFICATES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500_000);
    assert!((2 * PEOPLE..=960_000).contains(&total));
    let dir = tempfile::tempdir().unwrap();
    println!(
        "certificates benchmark: release server, {total} certificates ({} holders)",
        total.div_ceil(2)
    );
    println!();
    println!("| engine | what | time | rate |");
    println!("|---|---|---|---|");
    // BENCH_SKIP_SQLITE=1: PostgreSQL only.
    if std::env::var("BENCH_SKIP_SQLITE").is_err() {
        bench("SQLite", "", dir.path(), total).await;
    }
    if let Ok(server) = std::env::var("BENCH_POSTGRES_URL") {
        let url = postgres::scratch_database(&server).await;
        bench("PostgreSQL", &url, dir.path(), total).await;
    }
}
