//! The `zhujian` binary as an operator runs it: help, operator commands, logs, shutdown.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::fakes::{FakeSms, FakeWechat, SMS_SECRET_ID, SMS_SECRET_KEY, WECHAT_APP_ID, WECHAT_APP_SECRET};
use crate::harness::{Engine, TestApp, DATA_SECRET, TOKEN_SECRET};

/// The binary, pointed at the test app's database, with no settings from the outer environment.
pub fn zhujian_command(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zhujian"));
    for (name, _) in std::env::vars() {
        if name.starts_with("ZHUJIAN_") || name == "DATABASE_URL" {
            command.env_remove(name);
        }
    }
    command
        .env("DATABASE_URL", &app.database_url)
        .env("ZHUJIAN_STORAGE_DIR", &app.settings.storage.dir)
        .env("ZHUJIAN_SECRETS_TOKEN_KEY", TOKEN_SECRET)
        .env("ZHUJIAN_SECRETS_DATA_KEY", DATA_SECRET)
        .env("ZHUJIAN_FACE_MODELS_DIR", crate::harness::models_dir());
    command
}

#[test]
fn help_documents_every_command_and_setting() {
    let output = Command::new(env!("CARGO_BIN_EXE_zhujian"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "serve",
        "migrate",
        "admin",
        "audit",
        "openapi",
        "demo",
        "--config",
        "server.listen",
        "DATABASE_URL",
        "secrets.token_key",
        "sms.provider",
    ] {
        assert!(help.contains(needle), "--help does not mention {needle}");
    }
}

crate::both_engines!(
    operator_commands_logs_and_shutdown,
    migrations_are_checked_and_production_refuses_defaults
);

fn face_photo(name: &str) -> String {
    format!("{}/tests/fixtures/faces/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn face_compare_prints_distance_and_verdict() {
    let compare = |a: &str, b: &str, json: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_zhujian"));
        command
            .env("ZHUJIAN_FACE_MODELS_DIR", crate::harness::models_dir())
            .args(["face", "compare", &face_photo(a), &face_photo(b)]);
        if json {
            command.arg("--json");
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(compare("person-a-portrait.jpg", "person-a-selfie.jpg", false).contains("same person"));
    let line: serde_json::Value =
        serde_json::from_str(&compare("person-a-portrait.jpg", "person-b.jpg", true)).unwrap();
    assert_eq!(line["same_person"], false);
    assert!(line["distance"].as_f64().unwrap() > line["threshold"].as_f64().unwrap());
}

/// `face compare` reads a photo's header before decoding it: a 20000×20000 PNG of 1 KB is
/// refused at once with its size, not decoded into gigabytes.
#[test]
fn face_compare_refuses_an_oversized_photo_before_decoding() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.png");
    std::fs::write(&bomb, crate::files::png_bomb()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_zhujian"))
        .env("ZHUJIAN_FACE_MODELS_DIR", crate::harness::models_dir())
        .args(["face", "compare"])
        .arg(&bomb)
        .arg(face_photo("person-a-selfie.jpg"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("30000×30000"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn missing_models_are_a_clear_start_up_error() {
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_zhujian"))
        .env("ZHUJIAN_STORAGE_DIR", empty.path())
        .env("ZHUJIAN_FACE_MODELS_DIR", empty.path().join("models"))
        .env("ZHUJIAN_FACE_FETCH_MODELS", "false")
        .env("ZHUJIAN_SERVER_LISTEN", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("face models") && stderr.contains("not usable"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

async fn migrations_are_checked_and_production_refuses_defaults(engine: Engine) {
    let app = TestApp::start(engine).await;
    let again = zhujian_command(&app).arg("migrate").output().unwrap();
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(String::from_utf8_lossy(&again.stdout).contains("migrations applied"));

    let production = zhujian_command(&app)
        .arg("migrate")
        .env("ZHUJIAN_PROFILE", "production")
        .output()
        .unwrap();
    assert!(!production.status.success());
    assert!(String::from_utf8_lossy(&production.stderr).contains("requires a real SMS provider"));
    let no_secrets = zhujian_command(&app)
        .arg("migrate")
        .env("ZHUJIAN_PROFILE", "production")
        .env_remove("ZHUJIAN_SECRETS_TOKEN_KEY")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&no_secrets.stderr).contains("secrets.token_key"));

    sqlx::query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
        .execute(&app.state.db)
        .await
        .unwrap();
    let edited = zhujian_command(&app).arg("migrate").output().unwrap();
    assert!(!edited.status.success());
    assert!(String::from_utf8_lossy(&edited.stderr).contains("was edited after it was applied"));
}

/// The real binary serving on a free port, its log collected.
pub struct Server {
    pub child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    pub base: String,
}

impl Server {
    pub fn start(mut command: Command) -> Server {
        let mut child = command
            .env("ZHUJIAN_SERVER_LISTEN", "127.0.0.1:0")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let started = Instant::now();
        let base = loop {
            let address = lines.lock().unwrap().iter().find_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).ok()?;
                (v["message"] == "zhujian is serving").then(|| v["address"].as_str().unwrap().to_owned())
            });
            if let Some(address) = address {
                break format!("http://{address}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "server did not start: {:?}",
                lines.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Server { child, lines, base }
    }

    fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    /// A test that fails midway leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates the first sysadmin with the CLI, drives sign-ins and a password reset through the
/// binary's HTTP API, then checks the log holds no phone, password, code or token, and that
/// SIGTERM shuts the server down cleanly.
async fn operator_commands_logs_and_shutdown(engine: Engine) {
    let app = TestApp::start(engine).await;
    let sms = FakeSms::start().await;
    let wechat = FakeWechat::start().await;

    let admin_password = "Root-passw0rd";
    let mut create = zhujian_command(&app)
        .args([
            "admin",
            "create-staff",
            "--username",
            "root",
            "--name",
            "管理员",
            "--role",
            "sysadmin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(create.stdin.take().unwrap(), "{admin_password}").unwrap();
    let created = create.wait_with_output().unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stdout));
    assert!(String::from_utf8_lossy(&created.stdout).contains("created sysadmin account root"));

    let mut command = zhujian_command(&app);
    command
        .env("ZHUJIAN_LOG_FORMAT", "json")
        .env("ZHUJIAN_LOG_LEVEL", "debug")
        .env("ZHUJIAN_SMS_PROVIDER", "tencent")
        .env("ZHUJIAN_SMS_ENDPOINT", &sms.base)
        .env("ZHUJIAN_SMS_SECRET_ID", SMS_SECRET_ID)
        .env("ZHUJIAN_SMS_SECRET_KEY", SMS_SECRET_KEY)
        .env("ZHUJIAN_WECHAT_BASE_URL", &wechat.base)
        .env("ZHUJIAN_WECHAT_APP_ID", WECHAT_APP_ID)
        .env("ZHUJIAN_WECHAT_APP_SECRET", WECHAT_APP_SECRET);
    let mut server = Server::start(command);
    let client = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value, token: Option<&str>| {
        let request = client.post(format!("{}{path}", server.base)).json(&body);
        let request = if let Some(t) = token {
            request.bearer_auth(t)
        } else {
            request
        };
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };

    let (status, admin) = post(
        "/api/v1/auth/staff/login",
        json!({"username": "root", "password": admin_password}),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let admin_token = admin["access_token"].as_str().unwrap().to_owned();
    let phone = "13987654321";
    let enterprise = json!({"credit_code": "91350100M000100Y43", "name": "某建筑公司", "district_code": "370102", "contact_name": "王五", "contact_phone": phone});
    assert_eq!(post("/api/v1/enterprises", enterprise, Some(&admin_token)).await.0, 201);
    let initial_password = sms.last_to(phone).unwrap().params[1].clone();
    let (status, session) = post(
        "/api/v1/auth/enterprise/login",
        json!({"credit_code": "91350100M000100Y43", "password": initial_password}),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let sent_before = sms.count();
    assert_eq!(
        post(
            "/api/v1/auth/enterprise/password-reset",
            json!({"credit_code": "91350100M000100Y43"}),
            None
        )
        .await
        .0,
        202
    );
    // The reset code goes out after the answer.
    let started = Instant::now();
    let code = loop {
        if sms.count() > sent_before {
            break sms.last_to(phone).unwrap().params[0].clone();
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no reset SMS");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let confirm = json!({"credit_code": "91350100M000100Y43", "code": code, "new_password": "Secret-new-9"});
    assert_eq!(
        post("/api/v1/auth/enterprise/password-reset/confirm", confirm, None)
            .await
            .0,
        204
    );
    let wx_code = wechat.code_for("openid-of-a-worker");
    let (status, person) = post("/api/v1/auth/wechat/login", json!({"code": wx_code}), None).await;
    assert_eq!(status, 200);

    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "exit after SIGTERM: {exit:?}");
    std::thread::sleep(Duration::from_millis(200));
    let log = server.log();
    assert!(
        log.contains("request finished") && log.contains("shutting down"),
        "{log}"
    );
    let secrets = [
        phone.to_owned(),
        admin_password.to_owned(),
        initial_password,
        code,
        "Secret-new-9".to_owned(),
        "openid-of-a-worker".to_owned(),
        admin_token,
        session["access_token"].as_str().unwrap().to_owned(),
        session["refresh_token"].as_str().unwrap().to_owned(),
        person["refresh_token"].as_str().unwrap().to_owned(),
    ];
    for secret in secrets {
        assert!(!log.contains(&secret), "the log contains a secret: {secret}");
    }
}
