//! A stand-in for Tencent Cloud SMS (API 2021-01-11, SendSms) that answers as the provider
//! does after a delay, and counts what it was asked to send: the outbox's exactly-once
//! delivery is checked where a duplicate would reach a person.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::{extract::State, routing::post, Json, Router};
use serde_json::{json, Value};

/// How many times each notice (its detail parameter, unique per notice here) was sent.
#[derive(Clone, Default)]
pub struct Sent(Arc<Mutex<HashMap<String, usize>>>);

impl Sent {
    pub fn counts(&self) -> HashMap<String, usize> {
        self.0.lock().unwrap().clone()
    }
}

async fn send_sms(State((sent, delay)): State<(Sent, Duration)>, Json(body): Json<Value>) -> Json<Value> {
    tokio::time::sleep(delay).await;
    let detail = body["TemplateParamSet"][1].as_str().unwrap_or_default().to_owned();
    *sent.0.lock().unwrap().entry(detail).or_default() += 1;
    Json(json!({"Response": {"SendStatusSet": [{"Code": "Ok", "Message": "send success"}], "RequestId": "bench"}}))
}

/// Serves the fake on the loopback: its endpoint and its counter.
pub async fn sms(delay: Duration) -> (String, Sent) {
    let sent = Sent::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/", post(send_sms))
        .with_state((sent.clone(), delay));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/"), sent)
}
