//! The attack program of issue 14 (item 9): starts the release server on loopback (SQLite, a
//! temporary data directory), reproduces every row of the table against it and prints,
//! per row, what it tried, what happened and whether the defence held.
//!
//! Run with `./scripts/attack.sh` (builds release, fetches the face models, runs this). Every
//! request goes to 127.0.0.1; rows that trip per-address limits send from their own loopback
//! source address (127.0.0.3, .4, …) so that one row's lock does not bias the next. Counts and
//! times are bounded: the whole run takes about a minute.

use std::io::{BufRead, BufReader, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

mod rows;

/// Settings the run changes from the defaults, so each row finishes in seconds; printed first.
const SETTINGS: &[(&str, &str)] = &[
    ("ZHUJIAN_SERVER_HEADER_READ_TIMEOUT_SECS", "3"),
    ("ZHUJIAN_AUTH_SMS_PER_ADDRESS_PER_DAY", "5"),
    ("ZHUJIAN_UPLOADS_IMAGE_DECODE_WAIT_MS", "300"),
];

pub struct Server {
    child: Child,
    pub base: String,
    pub pid: u32,
    pub storage: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(storage: &Path) -> Server {
    let models = std::env::var("ZHUJIAN_FACE_MODELS_DIR").expect("ZHUJIAN_FACE_MODELS_DIR; run scripts/attack.sh");
    let mut command = Command::new(env!("CARGO_BIN_EXE_zhujian"));
    command
        .env_remove("DATABASE_URL")
        .env("ZHUJIAN_STORAGE_DIR", storage)
        .env("ZHUJIAN_SERVER_LISTEN", "127.0.0.1:0")
        .env("ZHUJIAN_LOG_FORMAT", "json")
        .env("ZHUJIAN_LOG_LEVEL", "warn,zhujian::platform::observe=off,zhujian=info")
        .env("ZHUJIAN_FACE_MODELS_DIR", models)
        .stderr(Stdio::piped());
    for (k, v) in SETTINGS {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the release binary starts");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut lines = stderr.lines().map_while(Result::ok);
    let mut base = None;
    for line in lines.by_ref() {
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            if v["message"] == "zhujian is serving" {
                base = Some(format!("http://{}", v["address"].as_str().unwrap()));
                break;
            }
        }
    }
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let pid = child.id();
    Server {
        child,
        base: base.expect("server start line"),
        pid,
        storage: storage.to_owned(),
    }
}

/// Resident memory now and at its peak (VmRSS, VmHWM), in MB.
pub fn rss_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// An HTTP client sending from a loopback source address of its own.
pub fn client_from(source: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from(source))
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

/// An answer: status, Retry-After, body as JSON (or Null) and as text.
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub disposition: Option<String>,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

pub async fn send(request: reqwest::RequestBuilder) -> Answer {
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let header = |n: &str| {
                response
                    .headers()
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let retry_after = header("retry-after");
            let disposition = header("content-disposition");
            let text = response.text().await.unwrap_or_default();
            Answer {
                status,
                retry_after,
                disposition,
                body: serde_json::from_str(&text).unwrap_or(Value::Null),
                text,
            }
        }
        Err(e) => Answer {
            status: 0,
            retry_after: None,
            disposition: None,
            body: Value::Null,
            text: format!("connection: {e}"),
        },
    }
}

/// What the rows share: the server, the default client, a city staff token, accounts.
pub struct World {
    pub server: Server,
    pub http: reqwest::Client,
    pub city: String,
}

impl World {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.server.base)
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Answer {
        self.post_from(&self.http, path, body, token).await
    }

    pub async fn post_from(&self, client: &reqwest::Client, path: &str, body: Value, token: Option<&str>) -> Answer {
        let mut request = client.post(self.url(path)).json(&body);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        send(request).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        send(self.http.get(self.url(path)).bearer_auth(token)).await
    }

    /// The development SMS sent so far (`storage/sms.log`).
    pub fn sms(&self) -> Vec<Value> {
        std::fs::read_to_string(self.server.storage.join("sms.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Opens an enterprise account as city staff; its id and initial password.
    pub async fn enterprise(&self, credit_code: &str, phone: &str) -> (String, String) {
        let body = json!({"credit_code": credit_code, "name": format!("攻击测试{credit_code}"), "district_code": "370102",
                          "contact_name": "王五", "contact_phone": phone});
        let created = self.post("/enterprises", body, Some(&self.city)).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let mut password = None;
        for _ in 0..100 {
            password = self
                .sms()
                .iter()
                .rev()
                .find(|m| m["to"] == phone && m["template"] == "InitialPassword")
                .map(|m| m["params"][1].as_str().unwrap().to_owned());
            if password.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let password = password.expect("initial password SMS");
        (created.body["id"].as_str().unwrap().to_owned(), password)
    }

    pub async fn enterprise_token(&self, credit_code: &str, password: &str) -> Value {
        let login = self
            .post(
                "/auth/enterprise/login",
                json!({"credit_code": credit_code, "password": password}),
                None,
            )
            .await;
        assert_eq!(login.status, 200, "{}", login.text);
        login.body
    }

    pub async fn upload(&self, token: &str, purpose: &str, name: &str, bytes: Vec<u8>) -> Answer {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        let request = self
            .http
            .post(self.url(&format!("/documents?purpose={purpose}")))
            .bearer_auth(token)
            .multipart(form);
        send(request).await
    }
}

/// A valid unified social credit code ending in `n` (GB 32100 check character).
pub fn credit_code(n: usize) -> String {
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let prefix = format!("91370102MA3C4{:04}", n);
    let sum: usize = prefix
        .bytes()
        .enumerate()
        .map(|(i, c)| CHARSET.iter().position(|x| *x == c).unwrap() * (3usize.pow(i as u32) % 31))
        .sum();
    format!("{prefix}{}", CHARSET[(31 - sum % 31) % 31] as char)
}

/// One row of the table.
pub struct Row {
    pub tried: String,
    pub happened: String,
    pub held: Option<bool>,
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    println!(
        "zhujian {} on {} (SQLite in {})",
        if cfg!(debug_assertions) {
            "debug (unoptimised) build"
        } else {
            "release build"
        },
        server.base,
        dir.path().display()
    );
    let changed: Vec<String> = SETTINGS.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("settings changed for the run: {}\n", changed.join(" "));
    let http = client_from([127, 0, 0, 1]);
    let mut create = Command::new(env!("CARGO_BIN_EXE_zhujian"))
        .env("ZHUJIAN_STORAGE_DIR", &server.storage)
        .args([
            "admin",
            "create-staff",
            "--username",
            "city",
            "--name",
            "市级",
            "--role",
            "city",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(create.stdin.take().unwrap(), "Attack-passw0rd").unwrap();
    assert!(create.wait().unwrap().success());
    let login = send(
        http.post(format!("{}/api/v1/auth/staff/login", server.base))
            .json(&json!({"username": "city", "password": "Attack-passw0rd"})),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let city = login.body["access_token"].as_str().unwrap().to_owned();
    let world = World { server, http, city };
    let results = rows::run_all(&world).await;
    print_table(&results);
    let failed = results.iter().filter(|r| r.held == Some(false)).count();
    println!(
        "\n{} rows, {} held, {} failed, {} covered elsewhere",
        results.len(),
        results.iter().filter(|r| r.held == Some(true)).count(),
        failed,
        results.iter().filter(|r| r.held.is_none()).count()
    );
    if failed > 0 {
        std::process::exit(1);
    }
}

fn print_table(rows: &[Row]) {
    println!("| # | what was tried | what happened | held |");
    println!("|---|---|---|---|");
    for (i, row) in rows.iter().enumerate() {
        let held = match row.held {
            Some(true) => "HELD",
            Some(false) => "FAILED",
            None => "TEST",
        };
        println!(
            "| {} | {} | {} | {held} |",
            i + 1,
            row.tried,
            row.happened.replace('\n', " ")
        );
    }
}
