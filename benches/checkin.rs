//! Check-in benchmark: a seeded database (thousands of enterprises and tasks in their check-in
//! window), the release server on the embedded default, and concurrent clients each doing
//! challenge + selfie upload + check-in over HTTP with real photos; in the same run, the bare
//! face engine's verifications per second on the same photos.
//!
//! Run with `./scripts/bench.sh checkin`. Target: end-to-end throughput at least 80 % of the
//! bare face engine's, no errors.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use image::{imageops, Rgb, RgbImage};
use serde_json::{json, Value};
use zhujian::auth::{tokens::Subject, Channel, Role, Scope};
use zhujian::platform::config::Settings;

const ENTERPRISES: usize = 2000;
const CHECK_INS: usize = 160;
const CLIENTS: usize = 8;
const SITE: (f64, f64) = (36.6512, 117.1201);

fn models() -> PathBuf {
    std::env::var("ZHUJIAN_FACE_MODELS_DIR")
        .expect("ZHUJIAN_FACE_MODELS_DIR is not set; run ./scripts/bench.sh checkin")
        .into()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/faces")
        .join(name)
}

/// A valid ID number for a sequence number (GB 11643 check character).
fn id_number(n: usize) -> String {
    let body = format!("110105198{:01}{:07}", n % 10, n);
    let body = &body[..17];
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(weights).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// A different photo of the same face: a tight crop around the face (so it stays large), in a
/// frame of blocks on the 9×8 grid a difference hash sees, each bright or dark by a
/// pseudo-random pattern of `n` — as different to the hash as two real selfies are.
fn variant(face: &RgbImage, n: usize) -> Vec<u8> {
    let (w, h) = face.dimensions();
    let (cw, ch) = (w * 9 / 7, h * 8 / 6);
    let (bw, bh) = (cw / 9, ch / 8);
    let mut seed = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut canvas = RgbImage::new(bw * 9, bh * 8);
    for row in 0..8 {
        for col in 0..9 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let level = if seed & 1 == 1 { 230 } else { 25 };
            for y in row * bh..(row + 1) * bh {
                for x in col * bw..(col + 1) * bw {
                    canvas.put_pixel(x, y, Rgb([level, level, level]));
                }
            }
        }
    }
    imageops::overlay(&mut canvas, face, i64::from(bw), i64::from(bh));
    let mut out = std::io::Cursor::new(Vec::new());
    canvas.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// `CHECK_INS` variants, each at least 9 bits of difference hash from every other (the server
/// refuses 6 or fewer as a reused photo; the margin covers its re-encoding), chosen greedily.
fn distinct_selfies(face: &RgbImage) -> Vec<Vec<u8>> {
    use zhujian::photos::rules::{difference_hash, hamming};
    let mirrored = imageops::flip_horizontal(face);
    let mut chosen: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut n = 0;
    while chosen.len() < CHECK_INS {
        let jpeg = variant(if n % 2 == 0 { face } else { &mirrored }, n);
        let hash = difference_hash(&zhujian::face::decode(&jpeg).unwrap());
        if chosen.iter().all(|(h, _)| hamming(*h, hash) >= 9) {
            chosen.push((hash, jpeg));
        }
        n += 1;
    }
    chosen.into_iter().map(|(_, jpeg)| jpeg).collect()
}

/// The selfie cropped to a square around its face, the face about 45 % of its width.
fn face_crop(engine: &zhujian_face::Engine, selfie: &RgbImage) -> RgbImage {
    let (rect, _) = engine.detect(selfie)[0];
    let side = (rect.width() as f64 * 2.2) as u32;
    let (cx, cy) = ((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2);
    let left = (cx - i64::from(side / 2)).clamp(0, i64::from(selfie.width() - side)) as u32;
    let top = (cy - i64::from(side / 2)).clamp(0, i64::from(selfie.height().saturating_sub(side))) as u32;
    imageops::crop_imm(selfie, left, top, side.min(selfie.width()), side.min(selfie.height())).to_image()
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

fn command(storage: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhujian"));
    c.env("ZHUJIAN_STORAGE_DIR", storage)
        .env("ZHUJIAN_FACE_MODELS_DIR", models())
        .env("ZHUJIAN_FACE_QUEUE", "64");
    c
}

fn start_server(storage: &Path) -> Server {
    let mut child = command(storage)
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

/// Seeds enterprises, tasks in their window, and one selected, registered person per
/// measured check-in; returns (task id, person id) pairs to check in with.
async fn seed(state: &zhujian::AppState, enrolled: &zhujian_face::Descriptor) -> Vec<(String, String)> {
    let db = &state.db;
    let now = zhujian::platform::clock::system_now_ms();
    let today = zhujian::platform::types::Date::today_in_china(now);
    let window_end = today.add_months(1).to_string();
    let mut pairs = Vec::new();
    let mut tx = db.begin().await.unwrap();
    for n in 0..ENTERPRISES {
        let (enterprise, qualification, task) = (format!("e{n}"), format!("q{n}"), format!("t{n}"));
        sqlx::query(
            "INSERT INTO enterprises (id, credit_code, name, district_code, contact_name, contact_phone, password_hash, status, created_at, updated_at, \
             registered_address, site_latitude, site_longitude, site_crs, locality) \
             VALUES ($1, $2, $3, '370102', '联系人', '13900000000', '!', 'active', $4, $4, '地址', $5, $6, 'wgs84', 'local')",
        )
        .bind(&enterprise)
        .bind(format!("BENCH{n:013}"))
        .bind(format!("基准企业{n}"))
        .bind(now)
        .bind(SITE.0 + (n % 50) as f64 * 0.01)
        .bind(SITE.1)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query("INSERT INTO enterprise_qualifications (id, enterprise_id, category, grade, issued_on, created_at) VALUES ($1, $2, '建筑工程施工总承包', '三级', '2026-03-01', $3)")
            .bind(&qualification)
            .bind(&enterprise)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO verification_tasks (id, enterprise_id, qualification_id, kind, state, round, notice_date, start_deadline, window_end, opened_by, opened_at, updated_at) \
             VALUES ($1, $2, $3, 'first_time', 'checking_in', 1, $4, $5, $6, 'bench', $7, $7)",
        )
        .bind(&task)
        .bind(&enterprise)
        .bind(&qualification)
        .bind(today.to_string())
        .bind(today.add_months(10).to_string())
        .bind(&window_end)
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    for n in 0..CHECK_INS {
        let person = zhujian::people::store::find_or_create_by_openid(
            &mut *db.acquire().await.unwrap(),
            &format!("bench-openid-{n}"),
            now,
        )
        .await
        .unwrap();
        let id_number = id_number(n);
        let id_number_hash = zhujian::people::store::id_number_hash(&state.keys, &id_number);
        let new = zhujian::people::store::NewIdentity {
            person_id: &person,
            id_number: &id_number,
            id_number_hash: &id_number_hash,
            id_number_masked: "110105********0000",
            name: "基准人员",
            phone: "13900000000",
            phone_masked: "139****0000",
            portrait_document_id: &"bench-portrait".into(),
            selfie_document_id: &"bench-selfie".into(),
            face: enrolled,
        };
        // The portrait and selfie rows the identity refers to.
        for doc in ["bench-portrait", "bench-selfie"] {
            sqlx::query(
                "INSERT INTO documents (id, owner_kind, owner_id, purpose, content_type, size, sha256, object_key, file_name, uploaded_by, created_at, state) \
                 VALUES ($1, 'person', 'bench', 'selfie', 'image/jpeg', 0, '', $2, 'x', 'bench', 0, 'locked') ON CONFLICT (id) DO NOTHING",
            )
            .bind(doc)
            .bind(format!("bench/{doc}"))
            .execute(db)
            .await
            .unwrap();
        }
        zhujian::people::store::register(&mut *db.acquire().await.unwrap(), &state.keys, &new, now)
            .await
            .unwrap();
        let (task, enterprise) = (format!("t{n}"), format!("e{n}"));
        let employment = format!("m{n}");
        sqlx::query(
            "INSERT INTO employment_requests (id, enterprise_id, person_id, position, contract_start, contract_end, state, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, '项目负责人', '2026-01-01', '2029-12-31', 'accepted', 'bench', $4, $4)",
        )
        .bind(&employment)
        .bind(&enterprise)
        .bind(&person)
        .bind(now)
        .execute(db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO employments (id, enterprise_id, person_id, request_id, position, contract_start, contract_end, state, started_at) \
             VALUES ($1, $2, $3, $1, '项目负责人', '2026-01-01', '2029-12-31', 'active', $4)",
        )
        .bind(&employment)
        .bind(&enterprise)
        .bind(&person)
        .bind(now)
        .execute(db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO verification_selections (task_id, round, employment_id, person_id) VALUES ($1, 1, $2, $3)",
        )
        .bind(&task)
        .bind(&employment)
        .bind(&person)
        .execute(db)
        .await
        .unwrap();
        pairs.push((task, person.into_string()));
    }
    pairs
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    assert!(command(&storage).arg("migrate").status().unwrap().success());
    let mut settings = Settings {
        storage: zhujian::platform::config::StorageSettings { dir: storage.clone() },
        ..Settings::default()
    };
    settings.face.models_dir = models();
    settings.ensure_secrets().unwrap();
    let (db, engine_kind) = zhujian::platform::db::connect(&settings).await.unwrap();
    let state = zhujian::AppState::new(
        settings.clone(),
        db,
        engine_kind,
        Arc::new(zhujian::platform::clock::SystemClock),
    )
    .unwrap();

    let engine = zhujian::face::load_engine(&models()).unwrap();
    let quality = zhujian_face::Quality::default();
    let portrait = std::fs::read(fixture("person-a-portrait.jpg")).unwrap();
    let enrolled = zhujian::face::describe(&engine, &quality, &portrait).unwrap();
    let base = face_crop(&engine, &image::open(fixture("person-a-selfie.jpg")).unwrap().to_rgb8());
    let selfies = distinct_selfies(&base);

    let started = Instant::now();
    let pairs = seed(&state, &enrolled).await;
    println!(
        "seeded {ENTERPRISES} enterprises and tasks, {CHECK_INS} selected people in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The bare engine on the same photos, 2 threads.
    let bare_started = Instant::now();
    let workers: Vec<_> = (0..2)
        .map(|t| {
            let (engine, quality, selfies) = (engine.clone(), quality.clone(), selfies.clone());
            std::thread::spawn(move || {
                for selfie in selfies.iter().skip(t).step_by(2) {
                    let d = zhujian::face::describe(&engine, &quality, selfie).expect("a usable selfie");
                    let _ = zhujian_face::distance(&enrolled, &d);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let bare_rate = CHECK_INS as f64 / bare_started.elapsed().as_secs_f64();

    let server = start_server(&storage);
    let client = reqwest::Client::new();
    let jobs: Vec<(String, String, Vec<u8>, String)> = pairs
        .into_iter()
        .zip(selfies)
        .map(|((task, person), selfie)| {
            let subject = Subject {
                account_id: person.clone(),
                role: Role::Person,
                scope: Scope::Person(person.clone().into()),
                channel: Channel::MiniProgram,
            };
            (
                task,
                person,
                selfie,
                state.tokens.issue(&subject, zhujian::platform::clock::system_now_ms()),
            )
        })
        .collect();
    let queue = Arc::new(std::sync::Mutex::new(jobs.into_iter().enumerate().collect::<Vec<_>>()));
    let run_started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..CLIENTS {
        let (queue, client, base) = (queue.clone(), client.clone(), server.base.clone());
        handles.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = Vec::new();
            loop {
                let Some((n, (task, _person, selfie, token))) = queue.lock().unwrap().pop() else { break };
                let t0 = Instant::now();
                let post = |path: String, body: Value| client.post(format!("{base}{path}")).bearer_auth(&token).json(&body).send();
                let challenge: Value = post(format!("/api/v1/verification/tasks/{task}/check-in/challenge"), json!({})).await.unwrap().json().await.unwrap();
                let part = reqwest::multipart::Part::bytes(selfie).file_name("selfie.jpg");
                let upload: Value = client
                    .post(format!("{base}/api/v1/documents?purpose=selfie"))
                    .bearer_auth(&token)
                    .multipart(reqwest::multipart::Form::new().part("file", part))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let site_lat = SITE.0 + (n % 50) as f64 * 0.01;
                let body = json!({"challenge_id": challenge["challenge_id"], "selfie_document_id": upload["id"],
                                  "latitude": site_lat + (n as f64) * 1e-6, "longitude": SITE.1 + 1e-5, "system": "wgs84", "accuracy_m": 15.0});
                let answer = post(format!("/api/v1/verification/tasks/{task}/check-in"), body).await.unwrap();
                let status = answer.status().as_u16();
                let text = answer.text().await.unwrap();
                if status != 201 {
                    errors.push(format!("{status} {text}"));
                }
                latencies.push(t0.elapsed());
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for h in handles {
        let (l, e) = h.await.unwrap();
        latencies.extend(l);
        errors.extend(e);
    }
    let elapsed = run_started.elapsed().as_secs_f64();
    latencies.sort();
    let rate = latencies.len() as f64 / elapsed;
    println!("check-in benchmark: release server, SQLite, {CLIENTS} concurrent clients, {CHECK_INS} check-ins (challenge + selfie upload + check-in)");
    println!("  check-ins per second        {rate:.1}");
    println!(
        "  latency p50 / p95 / p99     {:.0} / {:.0} / {:.0} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99)
    );
    println!("  bare face engine (2 threads) {bare_rate:.1} verifications per second");
    println!(
        "  end-to-end / bare engine    {:.0}% (target >= 80%)",
        100.0 * rate / bare_rate
    );
    println!("  errors                      {}", errors.len());
    for e in errors.iter().take(5) {
        println!("    {e}");
    }
}
