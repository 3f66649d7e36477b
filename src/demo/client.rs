//! The demo's HTTP client. The demo fills its city through the API it serves to itself on a
//! loopback port, as the mini-program, the enterprises and the staff would: every change is
//! the API's own act, checked by the same rules and recorded with its audit event.

use anyhow::{bail, Context};
use reqwest::Method;
use serde_json::Value;

pub struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    pub fn new(base: String) -> anyhow::Result<Api> {
        let http = reqwest::Client::builder()
            .pool_idle_timeout(std::time::Duration::from_secs(4))
            .build()?;
        Ok(Api { base, http })
    }

    /// Sends a request with a bearer token (none when empty) and an optional JSON body; a
    /// refusal is an error naming the call and the API's code and detail.
    pub async fn call(&self, method: Method, path: &str, token: &str, body: Option<&Value>) -> anyhow::Result<Value> {
        let mut request = self.http.request(method.clone(), format!("{}/api/v1{path}", self.base));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        answer(&format!("{method} {path}"), request.send().await?).await
    }

    pub async fn get(&self, token: &str, path: &str) -> anyhow::Result<Value> {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(Method::POST, path, token, Some(&body)).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(Method::PUT, path, token, Some(&body)).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(Method::PATCH, path, token, Some(&body)).await
    }

    /// Uploads a file as `wx.uploadFile` does; returns the document's id.
    pub async fn upload(&self, token: &str, purpose: &str, name: &str, bytes: Vec<u8>) -> anyhow::Result<String> {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str("application/octet-stream")?;
        let form = reqwest::multipart::Form::new().part("file", part);
        let request = self
            .http
            .post(format!("{}/api/v1/documents?purpose={purpose}", self.base))
            .bearer_auth(token)
            .multipart(form);
        let body = answer(&format!("upload {purpose}"), request.send().await?).await?;
        id_of(&body)
    }

    /// Signs in and returns the access token.
    pub async fn sign_in(&self, path: &str, body: Value) -> anyhow::Result<String> {
        let answer = self.call(Method::POST, path, "", Some(&body)).await?;
        text_of(&answer, "access_token")
    }
}

async fn answer(what: &str, response: reqwest::Response) -> anyhow::Result<Value> {
    let status = response.status();
    let text = response.text().await?;
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    if !status.is_success() {
        let fields = body.get("errors").map(Value::to_string).unwrap_or_default();
        bail!(
            "{what} was refused ({status}, {}): {} {fields}",
            body["code"].as_str().unwrap_or("?"),
            body["detail"].as_str().unwrap_or(&text)
        );
    }
    Ok(body)
}

/// A text field of an answer.
pub fn text_of(body: &Value, field: &str) -> anyhow::Result<String> {
    body[field]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("the answer has no {field}: {body}"))
}

/// The `id` of an answer.
pub fn id_of(body: &Value) -> anyhow::Result<String> {
    text_of(body, "id")
}
