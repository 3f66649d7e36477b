//! WeChat's `subscribeMessage.send` as its server speaks it: `POST
//! /cgi-bin/message/subscribe/send?access_token=` (the token of `FakeFace`, the same server's)
//! with `{touser, template_id, page, data: {key: {value}}, miniprogram_state, lang}`, answered
//! `{errcode, errmsg}`: 40003 for an unknown openid, 40037 for an unknown template, 47003 for
//! data that misses a key of the template or breaks its type's limits, 43101 when the person
//! has no subscription left for the template (each `wx.requestSubscribeMessage` consent is one
//! message).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::{
    extract::{Query, State},
    response::IntoResponse,
    routing::post,
    Json, Router,
};
use serde_json::{json, Value};

use super::FakeFace;

#[derive(Debug, Clone)]
pub struct SentMessage {
    pub touser: String,
    pub template_id: String,
    pub page: String,
    pub miniprogram_state: String,
    /// key → value
    pub data: HashMap<String, String>,
}

#[derive(Default)]
struct Inner {
    /// template id → its data keys
    templates: HashMap<String, Vec<String>>,
    /// (openid, template id) → messages the person subscribed to and not yet received
    quota: HashMap<(String, String), usize>,
    sent: Vec<SentMessage>,
    /// Every call, whatever its answer.
    calls: usize,
}

#[derive(Clone)]
pub struct FakeSubscribe {
    inner: Arc<Mutex<Inner>>,
    face: FakeFace,
}

impl FakeSubscribe {
    pub fn new(face: FakeFace) -> FakeSubscribe {
        FakeSubscribe {
            inner: Arc::default(),
            face,
        }
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/cgi-bin/message/subscribe/send", post(send))
            .with_state(self.clone())
    }

    /// A template of the mini-program's, with its data keys (`thing1`, `time2`…).
    pub fn add_template(&self, template_id: &str, keys: &[&str]) {
        let keys = keys.iter().map(|k| (*k).to_owned()).collect();
        self.inner
            .lock()
            .unwrap()
            .templates
            .insert(template_id.to_owned(), keys);
    }

    /// The person consented to `n` more messages of the template.
    pub fn subscribe(&self, openid: &str, template_id: &str, n: usize) {
        *self
            .inner
            .lock()
            .unwrap()
            .quota
            .entry((openid.to_owned(), template_id.to_owned()))
            .or_default() += n;
    }

    pub fn sent_to(&self, openid: &str) -> Vec<SentMessage> {
        let inner = self.inner.lock().unwrap();
        inner.sent.iter().filter(|m| m.touser == openid).cloned().collect()
    }

    pub fn calls(&self) -> usize {
        self.inner.lock().unwrap().calls
    }
}

/// Whether `value` keeps the limits WeChat puts on the type its key names.
fn within_limits(key: &str, value: &str) -> bool {
    let chars = value.chars().count();
    let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
    !value.is_empty()
        && match kind {
            "thing" => chars <= 20,
            "character_string" => chars <= 32 && value.chars().all(|c| c.is_ascii_graphic()),
            "number" => chars <= 32 && value.chars().all(|c| c.is_ascii_digit() || c == '.'),
            "phrase" => chars <= 5 && value.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "name" => chars <= 20 && (chars <= 10 || value.is_ascii()),
            "time" | "date" => value.contains('年') && value.contains('月') && value.contains('日'),
            _ => chars <= 20,
        }
}

fn answer(value: Value) -> impl IntoResponse {
    ([("content-type", "text/plain")], value.to_string())
}

async fn send(
    State(fake): State<FakeSubscribe>,
    Query(query): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> impl IntoResponse {
    let token_error = fake.face.token_error(&query);
    let mut inner = fake.inner.lock().unwrap();
    inner.calls += 1;
    if let Some(error) = token_error {
        return answer(error);
    }
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let (touser, template_id) = (text(&body["touser"]), text(&body["template_id"]));
    if touser.is_empty() {
        return answer(json!({"errcode": 40003, "errmsg": "invalid openid"}));
    }
    let Some(keys) = inner.templates.get(&template_id).cloned() else {
        return answer(json!({"errcode": 40037, "errmsg": "invalid template id"}));
    };
    if !["developer", "trial", "formal"].contains(&body["miniprogram_state"].as_str().unwrap_or("formal"))
        || !["zh_CN", "en_US", "zh_HK", "zh_TW"].contains(&body["lang"].as_str().unwrap_or("zh_CN"))
    {
        return answer(json!({"errcode": 47003, "errmsg": "argument invalid! miniprogram_state or lang"}));
    }
    let mut data = HashMap::new();
    for key in &keys {
        let value = text(&body["data"][key]["value"]);
        if !within_limits(key, &value) {
            return answer(json!({"errcode": 47003, "errmsg": format!("argument invalid! data.{key}.value")}));
        }
        data.insert(key.clone(), value);
    }
    let left = inner.quota.entry((touser.clone(), template_id.clone())).or_default();
    if *left == 0 {
        return answer(json!({"errcode": 43101, "errmsg": "user refuse to accept the msg"}));
    }
    *left -= 1;
    inner.sent.push(SentMessage {
        touser,
        template_id,
        page: text(&body["page"]),
        miniprogram_state: text(&body["miniprogram_state"]),
        data,
    });
    answer(json!({"errcode": 0, "errmsg": "ok"}))
}
