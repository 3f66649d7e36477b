//! Writers through the balancer while an instance is killed: each uploads a document and makes
//! and withdraws an employment request, again and again, remembering every write the API
//! acknowledged. A request is sent again only when no instance answered it (the connection
//! broke, or HAProxy answered 502/503/504 for the instance that died with it in flight).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::fixtures;

/// What the writers did.
#[derive(Default)]
pub struct Written {
    pub documents: Vec<String>,
    pub requests: Vec<String>,
    /// Writes that were refused or failed after their retries (reported, never expected).
    pub failures: Vec<String>,
}

pub struct Writer {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    /// Requests sent again because no instance answered them.
    pub retried: Arc<AtomicU64>,
}

/// A small PDF, distinct for each `n` (uploads are not deduplicated, but distinct bytes make
/// each object its own).
fn pdf(n: u64) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% bench {n}\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

/// Whether the answer says that no instance handled the request.
fn unanswered(result: &Result<reqwest::Response, reqwest::Error>) -> bool {
    match result {
        Err(_) => true,
        Ok(response) => matches!(response.status().as_u16(), 502..=504),
    }
}

impl Writer {
    /// Sends what `build` makes until an instance answers it (at most ten times, 200 ms apart).
    async fn send(&self, build: impl Fn() -> reqwest::RequestBuilder) -> Result<(u16, Value), String> {
        for attempt in 0..10 {
            if attempt > 0 {
                self.retried.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let result = build().bearer_auth(&self.token).send().await;
            if unanswered(&result) {
                continue;
            }
            let response = result.unwrap();
            let status = response.status().as_u16();
            let body = response.json().await.unwrap_or(Value::Null);
            return Ok((status, body));
        }
        Err("no instance answered ten times".into())
    }

    async fn upload(&self, n: u64) -> Result<String, String> {
        let url = format!("{}/api/v1/documents?purpose=material_scan", self.base);
        let (status, body) = self
            .send(|| {
                let part = reqwest::multipart::Part::bytes(pdf(n))
                    .file_name(format!("bench-{n}.pdf"))
                    .mime_str("application/pdf")
                    .unwrap();
                self.http
                    .post(&url)
                    .multipart(reqwest::multipart::Form::new().part("file", part))
            })
            .await?;
        match (status, body["id"].as_str()) {
            (201, Some(id)) => Ok(id.to_owned()),
            _ => Err(format!("upload: {status} {body}")),
        }
    }

    /// A request to the writer's own target, then its withdrawal: the request's id. A request
    /// sent again after its first sending was applied meets the pending one (409): it is found
    /// by its position, unique to the writer, and withdrawn.
    async fn employment_request(&self, target: u64, position: &str) -> Result<String, String> {
        let offer = json!({"id_number": fixtures::target_id_number(target), "position": position,
            "contract_start": "2026-01-01", "contract_end": "2028-12-31"});
        let url = format!("{}/api/v1/employment/requests", self.base);
        let (status, body) = self.send(|| self.http.post(&url).json(&offer)).await?;
        let id = match (status, body["id"].as_str()) {
            (201, Some(id)) => id.to_owned(),
            (409, _) => self.pending(position).await?,
            _ => return Err(format!("employment request: {status} {body}")),
        };
        let withdraw = format!("{}/api/v1/employment/requests/{id}/withdraw", self.base);
        let (status, body) = self.send(|| self.http.post(&withdraw).json(&json!({}))).await?;
        // 409: a withdrawal sent again after the first had been applied.
        if status != 200 && status != 409 {
            return Err(format!("withdrawal: {status} {body}"));
        }
        Ok(id)
    }

    /// The enterprise's pending request with `position`.
    async fn pending(&self, position: &str) -> Result<String, String> {
        let url = format!("{}/api/v1/employment/requests?per_page=200", self.base);
        let (_, listed) = self.send(|| self.http.get(&url)).await?;
        listed
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|r| r["state"] == "pending" && r["position"] == position)
            })
            .and_then(|r| r["id"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("409 on a request, and no pending one for {position}"))
    }
}

/// Runs `writers` writers until `stop`, writer k making requests to target k only.
pub async fn run(writers: Vec<Writer>, stop: Arc<AtomicBool>) -> Written {
    let mut handles = Vec::new();
    for (k, writer) in writers.into_iter().enumerate() {
        let stop = stop.clone();
        handles.push(tokio::spawn(async move {
            let mut written = Written::default();
            let mut n = k as u64 * 1_000_000;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                match writer.upload(n).await {
                    Ok(id) => written.documents.push(id),
                    Err(e) => written.failures.push(e),
                }
                match writer
                    .employment_request(fixtures::WORKERS + k as u64, &format!("安全员{k}"))
                    .await
                {
                    Ok(id) => written.requests.push(id),
                    Err(e) => written.failures.push(e),
                }
            }
            written
        }));
    }
    let mut all = Written::default();
    for handle in handles {
        let written = handle.await.unwrap();
        all.documents.extend(written.documents);
        all.requests.extend(written.requests);
        all.failures.extend(written.failures);
    }
    all
}
