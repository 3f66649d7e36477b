//! The hot paths over HTTP against the release server: each case run `REQUESTS` times in a
//! row and `REQUESTS` times from `CLIENTS` concurrent clients, after a warm-up.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::fixtures::{self, PASSWORD};

pub const CLIENTS: usize = 4;
const WARM_UP: u64 = 5;

/// Latencies of one case in one mode, sorted, with the errors seen.
pub struct Timings {
    pub sorted: Vec<Duration>,
    pub errors: Vec<String>,
}

impl Timings {
    pub fn ms(&self, q: f64) -> f64 {
        if self.sorted.is_empty() {
            return f64::NAN;
        }
        self.sorted[((self.sorted.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0
    }
}

/// What a run signs in with, obtained by the sign-in cases themselves.
pub struct Tokens {
    pub district: String,
    pub enterprise: String,
    pub person: String,
    pub console: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Case {
    StaffSignIn,
    EnterpriseSignIn,
    PersonSignIn,
    Me,
    PersonTasks,
    PersonNotifications,
    CheckIn,
    EmploymentRequest,
    Inbox,
    Reviews,
    DistrictRequests,
    DistrictTasks,
    DistrictAssessments,
    DistrictApplications,
    EnterpriseList,
    EnterpriseSearch,
    ResultsPage,
    DistrictExport,
}

pub const CASES: [Case; 18] = [
    Case::StaffSignIn,
    Case::EnterpriseSignIn,
    Case::PersonSignIn,
    Case::Me,
    Case::PersonTasks,
    Case::PersonNotifications,
    Case::CheckIn,
    Case::EmploymentRequest,
    Case::Inbox,
    Case::Reviews,
    Case::DistrictRequests,
    Case::DistrictTasks,
    Case::DistrictAssessments,
    Case::DistrictApplications,
    Case::EnterpriseList,
    Case::EnterpriseSearch,
    Case::ResultsPage,
    Case::DistrictExport,
];

impl Case {
    pub fn name(self) -> &'static str {
        match self {
            Case::StaffSignIn => "sign-in: staff (POST /auth/staff/login)",
            Case::EnterpriseSignIn => "sign-in: enterprise (POST /auth/enterprise/login)",
            Case::PersonSignIn => "sign-in: person (POST /auth/wechat/login)",
            Case::Me => "GET /auth/me (person)",
            Case::PersonTasks => "person's tasks (GET /verification/tasks)",
            Case::PersonNotifications => "person's notifications (GET /notifications)",
            Case::CheckIn => "check-in without the face: challenge + check-in refused by the fence",
            Case::EmploymentRequest => "employment request (POST /employment/requests)",
            Case::Inbox => "district reviewer: GET /staff/inbox",
            Case::Reviews => "district reviewer: GET /verification/reviews",
            Case::DistrictRequests => "district reviewer: GET /employment/requests",
            Case::DistrictTasks => "district reviewer: GET /verification/tasks",
            Case::DistrictAssessments => "district reviewer: GET /assessments",
            Case::DistrictApplications => "district desk: GET /applications?waiting_for=district",
            Case::EnterpriseList => "district: GET /enterprises (first page)",
            Case::EnterpriseSearch => "enterprise search (console, name text + district)",
            Case::ResultsPage => "results page (construction_enterprise, district, 50)",
            Case::DistrictExport => "whole-district XLSX export (construction_enterprise)",
        }
    }

    /// Requests per mode: exports of a city district are large.
    pub fn requests(self, base: u64) -> u64 {
        if self == Case::DistrictExport {
            (base / 5).max(5)
        } else {
            base
        }
    }
}

/// The measuring client's connections: kept idle for less than the server's
/// `header_read_timeout_secs` (10 s), after which the server closes an idle connection. A
/// connection kept longer is reused just as the server closes it now and then, and the request
/// fails to send (a run of slow exports after a one-client phase left three connections idle).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(5))
        .build()
        .expect("a client with default TLS settings")
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub selfie: Arc<Vec<u8>>,
}

fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

async fn answer(response: reqwest::Response, expected: u16) -> Result<Value, String> {
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(fail)?;
    if status != expected {
        return Err(format!(
            "{status} {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ));
    }
    Ok(serde_json::from_slice(&body).unwrap_or(Value::Null))
}

impl Client {
    async fn post(&self, path: &str, token: Option<&str>, body: Value, expected: u16) -> Result<Value, String> {
        let mut request = self.http.post(format!("{}/api/v1{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.map_err(fail)?, expected).await
    }

    async fn get(&self, path: &str, token: &str) -> Result<Value, String> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .map_err(fail)?;
        answer(response, 200).await
    }

    pub async fn sign_in(&self, case: Case, n: u64) -> Result<String, String> {
        let answer = match case {
            Case::StaffSignIn => {
                let body = json!({"username": fixtures::staff_username(if n.is_multiple_of(2) { "city" } else { "d370102" }), "password": PASSWORD});
                self.post("/auth/staff/login", None, body, 200).await?
            }
            Case::EnterpriseSignIn => {
                let body = json!({"credit_code": fixtures::enterprise_credit_code(n % fixtures::ENTERPRISES), "password": PASSWORD});
                self.post("/auth/enterprise/login", None, body, 200).await?
            }
            _ => {
                let body = json!({"code": fixtures::worker_openid(n % fixtures::WORKERS)});
                self.post("/auth/wechat/login", None, body, 200).await?
            }
        };
        answer["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no access token in {answer}"))
    }

    /// The tokens of the cases' callers, and a console session for the city staff member.
    pub async fn tokens(&self) -> Tokens {
        Tokens {
            district: self.sign_in(Case::StaffSignIn, 1).await.unwrap(),
            enterprise: self.sign_in(Case::EnterpriseSignIn, 0).await.unwrap(),
            person: self.sign_in(Case::PersonSignIn, 0).await.unwrap(),
            console: crate::support::console_session(&self.base).await,
        }
    }

    /// One request (or the timed requests of one act) of `case`; `n` varies the caller.
    pub async fn one(&self, case: Case, n: u64, t: &Tokens) -> Result<Duration, String> {
        let started = Instant::now();
        let district = fixtures::DISTRICT;
        match case {
            Case::StaffSignIn | Case::EnterpriseSignIn | Case::PersonSignIn => {
                self.sign_in(case, n).await.map(|_| ())?
            }
            Case::Me => self.get("/api/v1/auth/me", &t.person).await.map(|_| ())?,
            Case::PersonTasks => self.get("/api/v1/verification/tasks", &t.person).await.map(|_| ())?,
            Case::PersonNotifications => self.get("/api/v1/notifications", &t.person).await.map(|_| ())?,
            Case::CheckIn => return self.check_in(n).await,
            Case::EmploymentRequest => return self.employment_request(n, &t.enterprise).await,
            Case::Inbox => self.get("/api/v1/staff/inbox", &t.district).await.map(|_| ())?,
            Case::Reviews => self
                .get("/api/v1/verification/reviews", &t.district)
                .await
                .map(|_| ())?,
            Case::DistrictRequests => self.get("/api/v1/employment/requests", &t.district).await.map(|_| ())?,
            Case::DistrictTasks => self.get("/api/v1/verification/tasks", &t.district).await.map(|_| ())?,
            Case::DistrictAssessments => self.get("/api/v1/assessments", &t.district).await.map(|_| ())?,
            Case::DistrictApplications => self
                .get("/api/v1/applications?waiting_for=district", &t.district)
                .await
                .map(|_| ())?,
            Case::EnterpriseList => self.get("/api/v1/enterprises", &t.district).await.map(|_| ())?,
            Case::EnterpriseSearch => {
                let path = format!("/console/enterprises?q=%E5%9F%BA%E5%87%86%E5%BB%BA%E8%AE%BE&district={district}");
                let response = self
                    .http
                    .get(format!("{}{path}", self.base))
                    .header("cookie", format!("zj_console={}", t.console))
                    .send()
                    .await
                    .map_err(fail)?;
                let status = response.status().as_u16();
                let body = response.text().await.map_err(fail)?;
                if status != 200 || !body.contains("基准建设集团") {
                    return Err(format!("search: {status}, fixture enterprise not found"));
                }
            }
            Case::ResultsPage => {
                let path =
                    format!("/api/v1/results/construction_enterprise?period=2026&district={district}&per_page=50");
                self.get(&path, &t.district).await.map(|_| ())?
            }
            Case::DistrictExport => {
                let path = format!(
                    "/api/v1/results/construction_enterprise/export?format=xlsx&period=2026&district={district}"
                );
                let response = self
                    .http
                    .get(format!("{}{path}", self.base))
                    .bearer_auth(&t.district)
                    .send()
                    .await
                    .map_err(fail)?;
                if response.status() != 200 {
                    return Err(format!("export: {}", response.status()));
                }
                response.bytes().await.map_err(fail)?;
            }
        }
        Ok(started.elapsed())
    }

    /// Challenge (timed), selfie upload (not timed: image work, not the check-in's), check-in
    /// 2 km from the site (timed): every fact is loaded (employment, earlier check-ins, the
    /// challenge spent, the selfie fingerprinted and searched among earlier photos, the fence,
    /// the review signals) and the refused attempt is written; only the face comparison,
    /// which the rule asks for last, is left out.
    async fn check_in(&self, n: u64) -> Result<Duration, String> {
        let token = self.sign_in(Case::PersonSignIn, n).await?;
        let task = fixtures::task_id();
        let started = Instant::now();
        let challenge = self
            .post(
                &format!("/verification/tasks/{task}/check-in/challenge"),
                Some(&token),
                json!({}),
                201,
            )
            .await?;
        let mut timed = started.elapsed();
        let part = reqwest::multipart::Part::bytes(self.selfie.to_vec()).file_name("selfie.jpg");
        let upload = self
            .http
            .post(format!("{}/api/v1/documents?purpose=selfie", self.base))
            .bearer_auth(&token)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .map_err(fail)?;
        let upload = answer(upload, 201).await?;
        let body = json!({"challenge_id": challenge["challenge_id"], "selfie_document_id": upload["id"],
            "latitude": fixtures::SITE.0 + 0.02 + n as f64 * 1e-6, "longitude": fixtures::SITE.1, "system": "wgs84", "accuracy_m": 15.0});
        let started = Instant::now();
        let refused = self
            .post(&format!("/verification/tasks/{task}/check-in"), Some(&token), body, 422)
            .await?;
        timed += started.elapsed();
        if refused["code"] != "check_in.outside" {
            return Err(format!("expected the fence's refusal, got {refused}"));
        }
        Ok(timed)
    }

    /// The request (timed), then its withdrawal (not timed) so the next can be made.
    async fn employment_request(&self, n: u64, token: &str) -> Result<Duration, String> {
        let target = fixtures::WORKERS + n % fixtures::TARGETS;
        let body = json!({"id_number": fixtures::target_id_number(target), "position": "安全员",
            "contract_start": "2026-01-01", "contract_end": "2028-12-31"});
        let started = Instant::now();
        let made = self.post("/employment/requests", Some(token), body, 201).await?;
        let took = started.elapsed();
        let id = made["id"].as_str().ok_or("no request id")?;
        self.post(
            &format!("/employment/requests/{id}/withdraw"),
            Some(token),
            json!({}),
            200,
        )
        .await?;
        Ok(took)
    }
}

/// Runs `count` requests of `case` from `clients` concurrent clients.
pub async fn run(client: &Arc<Client>, tokens: &Arc<Tokens>, case: Case, count: u64, clients: usize) -> Timings {
    let next = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::new();
    for _ in 0..clients {
        let (client, tokens, next) = (client.clone(), tokens.clone(), next.clone());
        handles.push(tokio::spawn(async move {
            let (mut took, mut errors) = (Vec::new(), Vec::new());
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    break;
                }
                match client.one(case, n, &tokens).await {
                    Ok(d) => took.push(d),
                    Err(e) => errors.push(e),
                }
            }
            (took, errors)
        }));
    }
    let mut timings = Timings {
        sorted: Vec::new(),
        errors: Vec::new(),
    };
    for h in handles {
        let (took, errors) = h.await.unwrap();
        timings.sorted.extend(took);
        timings.errors.extend(errors);
    }
    timings.sorted.sort();
    timings
}

/// Every case, sequential then concurrent, after a warm-up of each.
pub async fn all(client: Arc<Client>, requests: u64) -> Vec<(Case, Timings, Timings)> {
    let tokens = Arc::new(client.tokens().await);
    let mut results = Vec::new();
    for case in CASES {
        let warm = run(&client, &tokens, case, WARM_UP, 1).await;
        if let Some(e) = warm.errors.first() {
            println!("    warm-up of {}: {e}", case.name());
        }
        let sequential = run(&client, &tokens, case, case.requests(requests), 1).await;
        let concurrent = run(&client, &tokens, case, case.requests(requests), CLIENTS).await;
        results.push((case, sequential, concurrent));
    }
    results
}
