//! Upload benchmark: 1 MB, 50 MB and 500 MB files streamed through `POST /api/v1/documents`
//! into Garage by the release server, against a direct aws-sdk-s3 PUT of the same bytes, with
//! the server's peak resident memory after each size.
//!
//! Run with `./scripts/bench.sh upload` (starts Garage, then `cargo bench --bench upload`).
//! Targets: throughput at least 70 % of the direct PUT; peak RSS growing by less than 64 MB
//! from the 1 MB to the 500 MB upload.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_s3::primitives::ByteStream;
use serde_json::{json, Value};

const SIZES_MB: [u64; 3] = [1, 50, 500];
const MB: u64 = 1024 * 1024;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set; run ./scripts/bench.sh upload"))
}

/// A video-like file of `mb` MiB: an MP4 `ftyp` box and pseudo-random payload, written once.
fn sample_file(dir: &Path, mb: u64) -> PathBuf {
    let path = dir.join(format!("sample-{mb}.mp4"));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    file.write_all(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom").unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut block = vec![0u8; 64 * 1024];
    let mut left = mb * MB - 24;
    while left > 0 {
        for chunk in block.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
        }
        let n = left.min(block.len() as u64) as usize;
        file.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
    file.flush().unwrap();
    path
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
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

fn start_server(storage: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhujian"))
        .env("ZHUJIAN_STORAGE_DIR", storage)
        .env("ZHUJIAN_SERVER_LISTEN", "127.0.0.1:0")
        .env("ZHUJIAN_LOG_FORMAT", "json")
        .env("ZHUJIAN_LOG_LEVEL", "warn,zhujian::platform::observe=off,zhujian=info")
        .env("ZHUJIAN_FACE_MODELS_DIR", env("ZHUJIAN_FACE_MODELS_DIR"))
        .env("ZHUJIAN_OBJECTS_BACKEND", "s3")
        .env("ZHUJIAN_OBJECTS_S3_ENDPOINT", env("TEST_S3_ENDPOINT"))
        .env("ZHUJIAN_OBJECTS_S3_REGION", env("TEST_S3_REGION"))
        .env("ZHUJIAN_OBJECTS_S3_BUCKET", env("TEST_S3_BUCKET"))
        .env("ZHUJIAN_OBJECTS_S3_ACCESS_KEY", env("TEST_S3_ACCESS_KEY"))
        .env("ZHUJIAN_OBJECTS_S3_SECRET_KEY", env("TEST_S3_SECRET_KEY"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("the release binary starts");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut base = None;
    for line in stderr.lines().map_while(Result::ok) {
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            if v["message"] == "zhujian is serving" {
                base = Some(format!("http://{}", v["address"].as_str().unwrap()));
                break;
            }
        }
    }
    Server {
        child,
        base: base.expect("server start line"),
    }
}

/// Signs in as an enterprise through the API: a sysadmin from the CLI opens the account; the
/// initial password is read from the development SMS file.
async fn enterprise_token(server: &Server, storage: &Path, client: &reqwest::Client) -> String {
    let mut create = Command::new(env!("CARGO_BIN_EXE_zhujian"))
        .env("ZHUJIAN_STORAGE_DIR", storage)
        .args([
            "admin",
            "create-staff",
            "--username",
            "bench",
            "--name",
            "bench",
            "--role",
            "sysadmin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(create.stdin.take().unwrap(), "Bench-passw0rd").unwrap();
    assert!(create.wait().unwrap().success());
    let post = |path: &str, body: Value, token: Option<&str>| {
        let request = client.post(format!("{}{path}", server.base)).json(&body);
        let request = if let Some(t) = token {
            request.bearer_auth(t)
        } else {
            request
        };
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let staff = post(
        "/api/v1/auth/staff/login",
        json!({"username": "bench", "password": "Bench-passw0rd"}),
        None,
    )
    .await;
    let enterprise = json!({"credit_code": "91350100M000100Y43", "name": "基准测试公司", "district_code": "440304",
                            "contact_name": "测试", "contact_phone": "13900000000"});
    post("/api/v1/enterprises", enterprise, staff["access_token"].as_str()).await;
    let sms = std::fs::read_to_string(storage.join("sms.log")).unwrap();
    let password = serde_json::from_str::<Value>(sms.lines().last().unwrap()).unwrap()["params"][1]
        .as_str()
        .unwrap()
        .to_owned();
    let login = post(
        "/api/v1/auth/enterprise/login",
        json!({"credit_code": "91350100M000100Y43", "password": password}),
        None,
    )
    .await;
    login["access_token"].as_str().unwrap().to_owned()
}

async fn upload_through_server(client: &reqwest::Client, base: &str, token: &str, path: &Path) -> Duration {
    let file = tokio::fs::File::open(path).await.unwrap();
    let length = file.metadata().await.unwrap().len();
    let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024));
    let part = reqwest::multipart::Part::stream_with_length(body, length).file_name("sample.mp4");
    let form = reqwest::multipart::Form::new().part("file", part);
    let started = Instant::now();
    let response = client
        .post(format!("{base}/api/v1/documents?purpose=enterprise_video"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(response.status().as_u16(), 201, "{}", response.text().await.unwrap());
    elapsed
}

async fn direct_put(s3: &aws_sdk_s3::Client, path: &Path, key: &str) -> Duration {
    let started = Instant::now();
    s3.put_object()
        .bucket(env("TEST_S3_BUCKET"))
        .key(key)
        .body(ByteStream::from_path(path).await.unwrap())
        .send()
        .await
        .expect("direct PUT");
    started.elapsed()
}

fn direct_client() -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, RequestChecksumCalculation};
    let config = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(env("TEST_S3_REGION")))
        .endpoint_url(env("TEST_S3_ENDPOINT"))
        .credentials_provider(Credentials::new(
            env("TEST_S3_ACCESS_KEY"),
            env("TEST_S3_SECRET_KEY"),
            None,
            None,
            "bench",
        ))
        .force_path_style(true)
        .http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                    aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https(),
        )
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

fn mb_per_s(mb: u64, elapsed: Duration) -> f64 {
    mb as f64 / elapsed.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    let server = start_server(&storage);
    let client = reqwest::Client::new();
    let token = enterprise_token(&server, &storage, &client).await;
    let s3 = direct_client();
    let pid = server.child.id();

    println!(
        "upload benchmark: release server -> Garage {} (2 cores)",
        env("TEST_S3_ENDPOINT")
    );
    println!(
        "{:>8} {:>16} {:>16} {:>8} {:>16}",
        "size", "server MB/s", "direct PUT MB/s", "ratio", "server peak RSS"
    );
    let mut peaks = Vec::new();
    let mut ratios = Vec::new();
    for mb in SIZES_MB {
        let path = sample_file(dir.path(), mb);
        // Best of two runs each, alternating, so neither side profits from a warmer cache.
        let mut server_best = Duration::MAX;
        let mut direct_best = Duration::MAX;
        for round in 0..2 {
            server_best = server_best.min(upload_through_server(&client, &server.base, &token, &path).await);
            direct_best = direct_best.min(direct_put(&s3, &path, &format!("bench/direct-{mb}-{round}")).await);
        }
        let peak = peak_rss_mb(pid);
        let (server_rate, direct_rate) = (mb_per_s(mb, server_best), mb_per_s(mb, direct_best));
        ratios.push(server_rate / direct_rate);
        peaks.push(peak);
        println!(
            "{:>6}MB {:>16.1} {:>16.1} {:>7.0}% {:>13.1} MB",
            mb,
            server_rate,
            direct_rate,
            100.0 * server_rate / direct_rate,
            peak
        );
        std::fs::remove_file(&path).unwrap();
    }
    let growth = peaks[peaks.len() - 1] - peaks[0];
    println!("peak RSS growth from 1 MB to 500 MB upload: {growth:.1} MB (target < 64 MB)");
    println!(
        "throughput vs direct PUT at 50 MB and 500 MB: {:.0}% and {:.0}% (target >= 70%)",
        100.0 * ratios[1],
        100.0 * ratios[2]
    );
}
