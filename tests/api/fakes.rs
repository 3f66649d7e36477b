//! Fakes of the third-party services we cannot run here, speaking their real wire formats over
//! HTTP: WeChat's `jscode2session`, face verification (`face`) and subscription messages
//! (`subscribe`), and Tencent Cloud's SMS
//! `SendSms` (TC3-HMAC-SHA256 signed, checked here with an implementation of the fake's own).

mod face;
mod subscribe;
pub use face::FakeFace;
pub use subscribe::FakeSubscribe;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Router,
};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const WECHAT_APP_ID: &str = "wx0123456789abcdef";
pub const WECHAT_APP_SECRET: &str = "fake-app-secret";
pub const SMS_SECRET_ID: &str = "AKIDfakeSecretId";
pub const SMS_SECRET_KEY: &str = "fakeSecretKey";

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

#[derive(Default)]
struct WechatInner {
    /// code → openid; removed when used.
    codes: HashMap<String, String>,
    used: Vec<String>,
}

#[derive(Clone)]
pub struct FakeWechat {
    pub base: String,
    inner: Arc<Mutex<WechatInner>>,
    /// Face verification (人脸核身) on the same server.
    pub face: FakeFace,
    /// Subscription messages on the same server, with the same access token.
    pub subscribe: FakeSubscribe,
}

impl FakeWechat {
    pub async fn start() -> FakeWechat {
        let inner = Arc::new(Mutex::new(WechatInner::default()));
        let face = FakeFace::default();
        let subscribe = FakeSubscribe::new(face.clone());
        let router = Router::new()
            .route("/sns/jscode2session", get(code2session))
            .with_state(inner.clone())
            .merge(face.router())
            .merge(subscribe.router());
        FakeWechat {
            base: serve(router).await,
            inner,
            face,
            subscribe,
        }
    }

    /// A fresh one-time login code for `openid`, as `wx.login()` would give the client.
    pub fn code_for(&self, openid: &str) -> String {
        let code = format!("code-{}", uuid::Uuid::now_v7().simple());
        self.inner.lock().unwrap().codes.insert(code.clone(), openid.to_owned());
        code
    }
}

async fn code2session(
    State(inner): State<Arc<Mutex<WechatInner>>>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    let mut inner = inner.lock().unwrap();
    let answer = if q.get("appid").map(String::as_str) != Some(WECHAT_APP_ID) {
        json!({"errcode": 40013, "errmsg": "invalid appid"})
    } else if q.get("secret").map(String::as_str) != Some(WECHAT_APP_SECRET) {
        json!({"errcode": 40125, "errmsg": "invalid appsecret"})
    } else if q.get("grant_type").map(String::as_str) != Some("authorization_code") {
        json!({"errcode": 40002, "errmsg": "invalid grant_type"})
    } else {
        let code = q.get("js_code").cloned().unwrap_or_default();
        match inner.codes.remove(&code) {
            Some(openid) => {
                inner.used.push(code);
                json!({"openid": openid, "session_key": "tiihtNczf5v6AKRyjwEUhQ=="})
            }
            None if inner.used.contains(&code) => {
                json!({"errcode": 40163, "errmsg": "code been used"})
            }
            None => json!({"errcode": 40029, "errmsg": "invalid code"}),
        }
    };
    // WeChat labels this JSON as text/plain.
    ([("content-type", "text/plain")], answer.to_string())
}

#[derive(Debug, Clone)]
pub struct SentSms {
    pub phone: String,
    pub template_id: String,
    pub params: Vec<String>,
}

#[derive(Default)]
struct SmsInner {
    sent: Vec<SentSms>,
    /// When set, every message is refused with this error code.
    failing: Option<String>,
    /// How long each message takes to answer (a slow provider).
    delay: std::time::Duration,
}

#[derive(Clone)]
pub struct FakeSms {
    pub base: String,
    inner: Arc<Mutex<SmsInner>>,
}

impl FakeSms {
    pub async fn start() -> FakeSms {
        let inner = Arc::new(Mutex::new(SmsInner::default()));
        let router = Router::new().route("/", post(send_sms)).with_state(inner.clone());
        FakeSms {
            base: serve(router).await,
            inner,
        }
    }

    /// The last message sent to the 11-digit `phone`.
    /// The messages sent to `phone` once sending has settled (none more for 300 ms, at most
    /// 10 s): the server sends a reset code after it has answered.
    pub async fn settled_to(&self, phone: &str) -> Vec<SentSms> {
        let started = std::time::Instant::now();
        let (mut seen, mut quiet_since) = (self.sent_to(phone).len(), std::time::Instant::now());
        while quiet_since.elapsed() < std::time::Duration::from_millis(300)
            && started.elapsed() < std::time::Duration::from_secs(10)
        {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            let now = self.sent_to(phone).len();
            if now != seen {
                (seen, quiet_since) = (now, std::time::Instant::now());
            }
        }
        self.sent_to(phone)
    }

    /// The newest message to `phone` once there are more than `before` to it (at most 5 s).
    pub async fn next_to(&self, phone: &str, before: usize) -> SentSms {
        for _ in 0..250 {
            if self.sent_to(phone).len() > before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        self.last_to(phone)
            .filter(|_| self.sent_to(phone).len() > before)
            .expect("an SMS was sent")
    }

    pub fn last_to(&self, phone: &str) -> Option<SentSms> {
        let e164 = format!("+86{phone}");
        self.inner
            .lock()
            .unwrap()
            .sent
            .iter()
            .rev()
            .find(|m| m.phone == e164)
            .cloned()
    }

    /// Every message sent to the 11-digit `phone`, oldest first.
    pub fn sent_to(&self, phone: &str) -> Vec<SentSms> {
        let e164 = format!("+86{phone}");
        self.inner
            .lock()
            .unwrap()
            .sent
            .iter()
            .filter(|m| m.phone == e164)
            .cloned()
            .collect()
    }

    pub fn count(&self) -> usize {
        self.inner.lock().unwrap().sent.len()
    }

    /// Makes every message take `delay` before it is answered (and counted).
    pub fn set_delay(&self, delay: std::time::Duration) {
        self.inner.lock().unwrap().delay = delay;
    }

    /// Makes the provider refuse every message (`Some(code)`) or accept them again (`None`).
    pub fn set_failing(&self, code: Option<&str>) {
        self.inner.lock().unwrap().failing = code.map(str::to_owned);
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Checks the TC3-HMAC-SHA256 signature as Tencent Cloud documents it.
fn signature_is_valid(headers: &HeaderMap, body: &[u8]) -> bool {
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let authorization = h("authorization");
    let Some(rest) = authorization.strip_prefix("TC3-HMAC-SHA256 ") else {
        return false;
    };
    let fields: HashMap<&str, &str> = rest.split(", ").filter_map(|kv| kv.split_once('=')).collect();
    let (Some(credential), Some(signed), Some(signature)) = (
        fields.get("Credential"),
        fields.get("SignedHeaders"),
        fields.get("Signature"),
    ) else {
        return false;
    };
    let parts: Vec<&str> = credential.split('/').collect();
    if parts.len() != 4
        || parts[0] != SMS_SECRET_ID
        || parts[2] != "sms"
        || parts[3] != "tc3_request"
        || *signed != "content-type;host"
    {
        return false;
    }
    let date = parts[1];
    let canonical = format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        h("content-type"),
        h("host"),
        hex::encode(Sha256::digest(body))
    );
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{}\n{date}/sms/tc3_request\n{}",
        h("x-tc-timestamp"),
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let k = hmac(format!("TC3{SMS_SECRET_KEY}").as_bytes(), date.as_bytes());
    let k = hmac(&k, b"sms");
    let k = hmac(&k, b"tc3_request");
    hex::encode(hmac(&k, to_sign.as_bytes())) == *signature
}

async fn send_sms(
    State(inner): State<Arc<Mutex<SmsInner>>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> impl IntoResponse {
    let request_id = uuid::Uuid::now_v7().to_string();
    let error = |code: &str, message: &str| {
        axum::Json(json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}))
    };
    if headers.get("x-tc-action").and_then(|v| v.to_str().ok()) != Some("SendSms")
        || headers.get("x-tc-version").and_then(|v| v.to_str().ok()) != Some("2021-01-11")
    {
        return (StatusCode::OK, error("InvalidAction", "unknown action or version"));
    }
    if !signature_is_valid(&headers, &body) {
        return (
            StatusCode::OK,
            error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated.",
            ),
        );
    }
    let delay = inner.lock().unwrap().delay;
    tokio::time::sleep(delay).await;
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let phone = request["PhoneNumberSet"][0].as_str().unwrap_or_default().to_owned();
    let mut inner = inner.lock().unwrap();
    let status = match &inner.failing {
        Some(code) => {
            json!({"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "", "Code": code, "Message": "refused", "IsoCode": "CN"})
        }
        None => {
            inner.sent.push(SentSms {
                phone: phone.clone(),
                template_id: request["TemplateId"].as_str().unwrap_or_default().to_owned(),
                params: request["TemplateParamSet"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default(),
            });
            json!({"SerialNo": "2028:f825e6b16e23f73f4123", "PhoneNumber": phone, "Fee": 1, "SessionContext": "", "Code": "Ok", "Message": "send success", "IsoCode": "CN"})
        }
    };
    (
        StatusCode::OK,
        axum::Json(json!({"Response": {"SendStatusSet": [status], "RequestId": request_id}})),
    )
}
