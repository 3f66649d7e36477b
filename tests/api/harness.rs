//! The test harness: starts the real server on a free port against a throwaway database
//! (a SQLite file, or a fresh PostgreSQL database on the server `TEST_POSTGRES_URL` names) with
//! fake WeChat and SMS providers, and talks to it over HTTP.

use std::sync::Arc;

use axum::Router;
use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use sqlx::Connection;
use zhujian::platform::clock::{Clock, ManualClock};
use zhujian::platform::config::{Settings, SmsProvider};
use zhujian::AppState;

use crate::fakes::{FakeSms, FakeWechat};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs each named test once per database engine: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::harness::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::harness::Engine::Postgres).await
            }
        }
    )*};
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub sms: FakeSms,
    pub wechat: FakeWechat,
    pub database_url: String,
    pub settings: Settings,
    _dir: tempfile::TempDir,
}

/// An answer: status, headers, and the body as JSON (`Value::Null` when it is not JSON).
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The problem document's `code`, asserting the answer is a problem document.
    pub fn code(&self) -> &str {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "not a problem document: {}",
            self.text
        );
        self.body["code"].as_str().unwrap_or_default()
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "unexpected answer: {}", self.text);
        self
    }

    #[track_caller]
    pub fn expect_problem(&self, status: u16, code: &str) -> &Self {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "unexpected answer: {}",
            self.text
        );
        assert!(
            !self.body["detail"].as_str().unwrap_or_default().is_empty(),
            "a problem needs a detail"
        );
        assert_eq!(
            self.body["request_id"].as_str(),
            self.header("x-request-id"),
            "problem and header request ids differ"
        );
        self
    }
}

pub const TOKEN_SECRET: &str = "dGVzdC10b2tlbi1rZXktdGhhdC1pcy1sb25nLWVub3VnaC0xMjM0NTY3ODkw";
pub const DATA_SECRET: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

impl TestApp {
    pub async fn start(engine: Engine) -> TestApp {
        Self::start_with(engine, |_| {}).await
    }

    pub async fn start_with(engine: Engine, configure: impl FnOnce(&mut Settings)) -> TestApp {
        Self::start_full(engine, configure, zhujian::router).await
    }

    /// Starts with custom routes wrapped in the app's middleware (to test the middleware).
    pub async fn start_with_routes(
        engine: Engine,
        configure: impl FnOnce(&mut Settings),
        routes: Router<AppState>,
    ) -> TestApp {
        Self::start_full(engine, configure, move |state| zhujian::with_middleware(routes, state)).await
    }

    async fn start_full(
        engine: Engine,
        configure: impl FnOnce(&mut Settings),
        build: impl FnOnce(AppState) -> Router,
    ) -> TestApp {
        // TEST_LOG=debug (or any filter) shows the server's log while debugging a test.
        if let Ok(level) = std::env::var("TEST_LOG") {
            zhujian::platform::observe::init_logging(&zhujian::platform::config::LogSettings {
                format: zhujian::platform::config::LogFormat::Text,
                level,
            });
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let sms = FakeSms::start().await;
        let wechat = FakeWechat::start().await;
        let database_url = match engine {
            Engine::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
            Engine::Postgres => fresh_postgres_database().await,
        };
        let mut settings = Settings::default();
        settings.storage.dir = dir.path().to_path_buf();
        settings.database.url = database_url.clone();
        settings.database.max_connections = 5;
        settings.secrets.token_key = TOKEN_SECRET.into();
        settings.secrets.data_key = DATA_SECRET.into();
        settings.face.models_dir = models_dir();
        settings.wechat.base_url = wechat.base.clone();
        settings.wechat.app_id = crate::fakes::WECHAT_APP_ID.into();
        settings.wechat.app_secret = crate::fakes::WECHAT_APP_SECRET.into();
        settings.sms.provider = SmsProvider::Tencent;
        settings.sms.endpoint = sms.base.clone();
        settings.sms.secret_id = crate::fakes::SMS_SECRET_ID.into();
        settings.sms.secret_key = crate::fakes::SMS_SECRET_KEY.into();
        settings.sms.sdk_app_id = "1400000001".into();
        settings.sms.sign_name = "住建测试".into();
        settings.sms.template_reset_code = "100001".into();
        settings.sms.template_initial_password = "100002".into();
        settings.sms.template_notice = "100003".into();
        if engine == Engine::Postgres {
            use_test_s3(&mut settings);
        }
        // Check-ins here send one selfie; the liveness tests (tests/api/liveness.rs) turn the
        // default liveness challenge back on.
        settings.liveness.check_in = false;
        // Apps share the test bucket: each keeps its audit checkpoints apart.
        settings.audit.checkpoint_prefix = format!("audit/checkpoints/{}/", uuid::Uuid::now_v7().simple());
        configure(&mut settings);

        let (db, db_engine) = zhujian::platform::db::connect(&settings).await.expect("database");
        zhujian::startup::prepare(&db, db_engine)
            .await
            .expect("migrations and reference data");
        let clock = Arc::new(ManualClock::new());
        let state = AppState::new(settings.clone(), db, db_engine, clock.clone()).expect("state");
        zhujian::notify::outbox::install_templates(&state)
            .await
            .expect("WeChat templates installed");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = build(state.clone());
        tokio::spawn(zhujian::platform::server::serve(
            listener,
            router,
            std::future::pending(),
            std::time::Duration::from_secs(1),
            zhujian::platform::server::Limits::from(&settings.server),
        ));
        TestApp {
            base,
            // The server closes a connection idle for `server.header_read_timeout_secs` (10 s);
            // a client reusing one at that moment loses its request. Clients should let idle
            // connections go sooner, and the tests' client does.
            client: reqwest::Client::builder()
                .pool_idle_timeout(std::time::Duration::from_secs(4))
                .build()
                .expect("the test client"),
            state,
            clock,
            sms,
            wechat,
            database_url,
            settings,
            _dir: dir,
        }
    }

    /// A sample's value in this instance's `/metrics` (0 when it has none yet), e.g.
    /// `zhujian_outbox_pending` or `zhujian_job_items_total{job="documents.sweep"}`.
    pub async fn metric(&self, sample: &str) -> f64 {
        let page = self.get("/metrics", None).await;
        page.expect(200);
        page.text
            .lines()
            .find_map(|line| line.strip_prefix(sample)?.strip_prefix(' '))
            .map_or(0.0, |value| value.parse().unwrap())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(with_token(self.client.get(self.url(path)), token)).await
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Answer {
        self.send(with_token(self.client.post(self.url(path)).json(&body), token))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value, token: Option<&str>) -> Answer {
        self.send(with_token(self.client.patch(self.url(path)).json(&body), token))
            .await
    }

    pub async fn put(&self, path: &str, body: Value, token: Option<&str>) -> Answer {
        self.send(with_token(self.client.put(self.url(path)).json(&body), token))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(with_token(self.client.delete(self.url(path)), token)).await
    }

    /// Uploads a file as `wx.uploadFile` does (multipart, part `file`).
    pub async fn upload(&self, token: &str, purpose: &str, name: &str, bytes: Vec<u8>) -> Answer {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str("application/octet-stream")
            .unwrap();
        let form = reqwest::multipart::Form::new()
            .text("note", "ignored")
            .part("file", part);
        let url = self.url(&format!("/api/v1/documents?purpose={purpose}"));
        self.send(self.client.post(url).bearer_auth(token).multipart(form))
            .await
    }

    /// Creates a staff account directly in the database (as `zhujian admin create-staff`
    /// does) and signs in through the API; returns the access token.
    pub async fn staff_token(&self, username: &str, role: &str, district: Option<&str>) -> String {
        let password = "Passw0rd-staff";
        let hash = zhujian::auth::passwords::hash_now(password);
        let new = zhujian::staff::store::NewStaff {
            username,
            display_name: username,
            role: zhujian::auth::Role::parse(role).unwrap(),
            district_code: district,
            password_hash: &hash,
            created_by: None,
        };
        zhujian::staff::store::insert(&self.state.db, &new, self.clock.now_ms())
            .await
            .expect("staff insert");
        self.login_staff(username, password).await
    }

    /// Where this app's audit checkpoints are kept.
    pub fn anchor(&self) -> zhujian::audit::checkpoint::Anchor<'_> {
        zhujian::audit::checkpoint::Anchor::of(&self.state)
    }

    /// `audit verify` as the operator runs it: the chain against the checkpoints in the store.
    pub async fn verify_audit(&self) -> zhujian::audit::VerifyReport {
        let checkpoints = zhujian::audit::checkpoint::load_all(self.anchor()).await.unwrap();
        zhujian::audit::verify(&self.state.db, &self.state.audit_keys, &checkpoints)
            .await
            .unwrap()
    }

    /// The first sign-in of an account whose password someone else set (created through the
    /// API, or reset by a manager): that password has expired, so the sign-in replaces it.
    pub async fn renew_login_staff(&self, username: &str, given: &str, own: &str) -> String {
        let body = json!({"username": username, "password": given, "new_password": own});
        let answer = self.post("/api/v1/auth/staff/login", body, None).await;
        answer.expect(200);
        answer.body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn login_staff(&self, username: &str, password: &str) -> String {
        let answer = self
            .post(
                "/api/v1/auth/staff/login",
                json!({"username": username, "password": password}),
                None,
            )
            .await;
        answer.expect(200);
        answer.body["access_token"].as_str().unwrap().to_owned()
    }

    /// Opens an enterprise account through the API (as city staff) and returns
    /// (id, initial password from the SMS).
    pub async fn enterprise_account(
        &self,
        city_token: &str,
        credit_code: &str,
        district: &str,
        phone: &str,
    ) -> (String, String) {
        let answer = self
            .post(
                "/api/v1/enterprises",
                json!({"credit_code": credit_code, "name": format!("企业{credit_code}"), "district_code": district,
                       "contact_name": "王五", "contact_phone": phone}),
                Some(city_token),
            )
            .await;
        answer.expect(201);
        let message = self.sms.last_to(phone).expect("initial password SMS");
        assert_eq!(message.template_id, "100002");
        assert_eq!(message.params[0], credit_code);
        (
            answer.body["id"].as_str().unwrap().to_owned(),
            message.params[1].clone(),
        )
    }

    pub async fn enterprise_token(&self, credit_code: &str, password: &str) -> Answer {
        self.post(
            "/api/v1/auth/enterprise/login",
            json!({"credit_code": credit_code, "password": password}),
            None,
        )
        .await
    }

    /// Signs a person in through the mini-program login; returns the token pair.
    pub async fn person_login(&self, openid: &str) -> Answer {
        let code = self.wechat.code_for(openid);
        self.post("/api/v1/auth/wechat/login", json!({"code": code}), None)
            .await
    }
}

pub fn with_token(request: reqwest::RequestBuilder, token: Option<&str>) -> reqwest::RequestBuilder {
    match token {
        Some(t) => request.bearer_auth(t),
        None => request,
    }
}

/// The face models, fetched by scripts/test.sh.
pub fn models_dir() -> std::path::PathBuf {
    let dir = std::env::var("ZHUJIAN_FACE_MODELS_DIR");
    dir.expect(
        "ZHUJIAN_FACE_MODELS_DIR is not set: run the test suite with ./scripts/test.sh, which fetches the face models",
    )
    .into()
}

/// Points the object store at the test Garage (started by scripts/test.sh).
fn use_test_s3(settings: &mut Settings) {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: run the test suite with ./scripts/test.sh, which starts Garage")
        })
    };
    settings.objects.backend = zhujian::platform::config::ObjectBackend::S3;
    settings.objects.s3_endpoint = var("TEST_S3_ENDPOINT");
    settings.objects.s3_region = var("TEST_S3_REGION");
    settings.objects.s3_bucket = var("TEST_S3_BUCKET");
    settings.objects.s3_access_key = var("TEST_S3_ACCESS_KEY");
    settings.objects.s3_secret_key = var("TEST_S3_SECRET_KEY");
}

/// A new, empty database on the test PostgreSQL server.
pub async fn fresh_postgres_database() -> String {
    let admin = std::env::var("TEST_POSTGRES_URL").expect(
        "TEST_POSTGRES_URL is not set: run the test suite with ./scripts/test.sh, which starts a throwaway PostgreSQL",
    );
    sqlx::any::install_default_drivers();
    let name = format!("zj_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .expect("connect to TEST_POSTGRES_URL");
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    conn.close().await.ok();
    let (base, _) = admin.rsplit_once('/').expect("TEST_POSTGRES_URL ends with /<database>");
    format!("{base}/{name}")
}
