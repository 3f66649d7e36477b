//! WeChat's face verification (人脸核身) as its server speaks it: `POST /cgi-bin/stable_token`
//! (normal mode: the same token until it expires or is invalidated), then
//! `POST /cityservice/face/identify/getverifyid` and `…/queryverifyinfo`, both with
//! `?access_token=`; errcode 40001 for a token that is not the current one, 42001 for an
//! expired one. `queryverifyinfo` checks `out_seq_no`, `openid` and `cert_hash` (computed here
//! from the `cert_info` getverifyid was given) against the session, as WeChat does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::{
    extract::{Query, State},
    response::IntoResponse,
    routing::post,
    Json, Router,
};
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{WECHAT_APP_ID, WECHAT_APP_SECRET};

#[derive(Default)]
struct Session {
    out_seq_no: String,
    openid: String,
    cert_name: String,
    cert_no: String,
    /// What `wx.requestFacialVerify` ended with; `None`: the person never finished.
    verify_ret: Option<i64>,
}

#[derive(Default)]
struct Inner {
    token: Option<String>,
    /// An invalidated token answers 42001 (expired) when true, else 40001.
    expired_tokens: Vec<String>,
    token_calls: usize,
    /// getverifyid / queryverifyinfo calls, whatever their answer.
    api_calls: usize,
    sessions: HashMap<String, Session>,
    /// The errcode the next getverifyid or queryverifyinfo answers, once.
    fail_next: Option<i64>,
}

#[derive(Clone, Default)]
pub struct FakeFace {
    inner: Arc<Mutex<Inner>>,
}

impl FakeFace {
    pub fn router(&self) -> Router {
        Router::new()
            .route("/cgi-bin/stable_token", post(stable_token))
            .route("/cityservice/face/identify/getverifyid", post(get_verify_id))
            .route("/cityservice/face/identify/queryverifyinfo", post(query_verify_info))
            .with_state(self.inner.clone())
    }

    /// The person of `verify_id` finished `wx.requestFacialVerify` with this result
    /// (10000: passed).
    pub fn finish(&self, verify_id: &str, verify_ret: i64) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .sessions
            .get_mut(verify_id)
            .expect("a session getverifyid issued")
            .verify_ret = Some(verify_ret);
    }

    /// The ID number and name getverifyid was given for `verify_id`.
    pub fn cert_of(&self, verify_id: &str) -> (String, String) {
        let inner = self.inner.lock().unwrap();
        let s = &inner.sessions[verify_id];
        (s.cert_no.clone(), s.cert_name.clone())
    }

    /// The current access token stops working, as if it expired (42001) or another server
    /// force-refreshed it (40001); stable_token then hands out a new one.
    pub fn drop_token(&self, expired: bool) {
        let mut inner = self.inner.lock().unwrap();
        if let Some(token) = inner.token.take() {
            if expired {
                inner.expired_tokens.push(token);
            }
        }
    }

    pub fn fail_next(&self, errcode: i64) {
        self.inner.lock().unwrap().fail_next = Some(errcode);
    }

    /// WeChat's errcode for the request's access token, if it is not the current one (for the
    /// other APIs of the same server, `subscribe`).
    pub fn token_error(&self, query: &HashMap<String, String>) -> Option<Value> {
        token_error(&self.inner.lock().unwrap(), query)
    }

    pub fn token_calls(&self) -> usize {
        self.inner.lock().unwrap().token_calls
    }

    pub fn api_calls(&self) -> usize {
        self.inner.lock().unwrap().api_calls
    }
}

/// WeChat labels its JSON as text/plain.
fn answer(value: Value) -> impl IntoResponse {
    ([("content-type", "text/plain")], value.to_string())
}

async fn stable_token(State(inner): State<Arc<Mutex<Inner>>>, Json(body): Json<Value>) -> impl IntoResponse {
    let mut inner = inner.lock().unwrap();
    inner.token_calls += 1;
    if body["grant_type"] != "client_credential" {
        return answer(json!({"errcode": 40002, "errmsg": "invalid grant_type"}));
    }
    if body["appid"] != WECHAT_APP_ID {
        return answer(json!({"errcode": 40013, "errmsg": "invalid appid"}));
    }
    if body["secret"] != WECHAT_APP_SECRET {
        return answer(json!({"errcode": 40125, "errmsg": "invalid appsecret"}));
    }
    let token = inner
        .token
        .get_or_insert_with(|| format!("token-{}", uuid::Uuid::now_v7().simple()))
        .clone();
    answer(json!({"access_token": token, "expires_in": 7200}))
}

/// The errcode for the request's access token, if it is not the current one.
fn token_error(inner: &Inner, query: &HashMap<String, String>) -> Option<Value> {
    let token = query.get("access_token").cloned().unwrap_or_default();
    if inner.token.as_deref() == Some(token.as_str()) && !token.is_empty() {
        return None;
    }
    Some(if inner.expired_tokens.contains(&token) {
        json!({"errcode": 42001, "errmsg": "access_token expired"})
    } else {
        json!({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})
    })
}

/// Counts an API call and answers it with WeChat's error when its access token is bad or a
/// failure was asked for (`fail_next`).
fn refused(inner: &mut Inner, query: &HashMap<String, String>) -> Option<Value> {
    inner.api_calls += 1;
    if let Some(error) = token_error(inner, query) {
        return Some(error);
    }
    let errcode = inner.fail_next.take()?;
    Some(json!({"errcode": errcode, "errmsg": "refused by the fake"}))
}

fn out_seq_no_valid(s: &str) -> bool {
    (5..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

async fn get_verify_id(
    State(inner): State<Arc<Mutex<Inner>>>,
    Query(query): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> impl IntoResponse {
    let mut inner = inner.lock().unwrap();
    if let Some(error) = refused(&mut inner, &query) {
        return answer(error);
    }
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let cert = &body["cert_info"];
    let session = Session {
        out_seq_no: text(&body["out_seq_no"]),
        openid: text(&body["openid"]),
        cert_name: text(&cert["cert_name"]),
        cert_no: text(&cert["cert_no"]),
        verify_ret: None,
    };
    if !out_seq_no_valid(&session.out_seq_no)
        || cert["cert_type"] != "IDENTITY_CARD"
        || session.openid.is_empty()
        || session.cert_name.is_empty()
        || session.cert_no.len() != 18
        || inner.sessions.values().any(|s| s.out_seq_no == session.out_seq_no)
    {
        return answer(json!({"errcode": 40097, "errmsg": "invalid args"}));
    }
    let verify_id = format!("vid-{}", uuid::Uuid::now_v7().simple());
    inner.sessions.insert(verify_id.clone(), session);
    answer(json!({"errcode": 0, "errmsg": "ok", "verify_id": verify_id, "expires_in": 3600}))
}

/// WeChat's documented cert_hash, computed here independently of the server.
fn cert_hash(name: &str, number: &str) -> String {
    let b = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let joined = format!(
        "cert_type={}&cert_name={}&cert_no={}",
        b("IDENTITY_CARD"),
        b(name),
        b(number)
    );
    hex::encode(Sha256::digest(joined.as_bytes()))
}

async fn query_verify_info(
    State(inner): State<Arc<Mutex<Inner>>>,
    Query(query): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> impl IntoResponse {
    let mut inner = inner.lock().unwrap();
    if let Some(error) = refused(&mut inner, &query) {
        return answer(error);
    }
    let Some(session) = inner.sessions.get(body["verify_id"].as_str().unwrap_or_default()) else {
        return answer(json!({"errcode": 40097, "errmsg": "invalid verify_id"}));
    };
    if body["out_seq_no"] != session.out_seq_no.as_str()
        || body["openid"] != session.openid.as_str()
        || body["cert_hash"] != cert_hash(&session.cert_name, &session.cert_no).as_str()
    {
        return answer(json!({"errcode": 40097, "errmsg": "cert_info or openid mismatch"}));
    }
    // Never finished: WeChat reports the user's cancellation.
    let verify_ret = session.verify_ret.unwrap_or(90002);
    answer(json!({"errcode": 0, "errmsg": "ok", "verify_ret": verify_ret}))
}
