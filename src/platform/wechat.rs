//! WeChat's server API as every domain calls it: one client per mini-program (AppID) with one
//! access token, shared by face verification (`face::wechat`) and subscription messages
//! (`notify`). WeChat invalidates tokens fetched too often, so there is exactly one cache.
//!
//! The token comes from `POST /cgi-bin/stable_token` (normal mode) and is kept until five
//! minutes before it expires (by the injectable clock). When WeChat says the token is invalid
//! or expired (errcode 40001, 40014, 42001) it is fetched again and the call retried once.
//!
//! `subscribe` holds `subscribeMessage.send` and the limits WeChat puts on template values.

pub mod subscribe;

use std::sync::Arc;

use serde_json::{json, Value};

use crate::platform::clock::Clock;
use crate::platform::config::WechatSettings;

#[derive(Debug, thiserror::Error)]
pub enum WechatError {
    #[error("wechat.app_id / wechat.app_secret are not set")]
    NotConfigured,
    /// Network failure, an unreadable answer, or an access token WeChat keeps refusing.
    #[error("WeChat is unavailable: {0}")]
    Unavailable(String),
    /// WeChat refused the call with an errcode other than a token's.
    #[error("WeChat refused the call: errcode {errcode}: {errmsg}")]
    Refused { errcode: i64, errmsg: String },
}

/// Errcodes of an access token that is invalid (40001, 40014) or expired (42001).
pub fn token_refused(errcode: i64) -> bool {
    matches!(errcode, 40001 | 40014 | 42001)
}

/// The client of one mini-program: its settings, and its access token.
pub struct WechatClient {
    settings: WechatSettings,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    /// The access token and when it stops being used (Unix ms).
    token: tokio::sync::Mutex<Option<(String, i64)>>,
}

impl WechatClient {
    pub fn new(settings: &WechatSettings, http: reqwest::Client, clock: Arc<dyn Clock>) -> Self {
        WechatClient {
            settings: settings.clone(),
            http,
            clock,
            token: tokio::sync::Mutex::new(None),
        }
    }

    pub fn settings(&self) -> &WechatSettings {
        &self.settings
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.base_url.trim_end_matches('/'))
    }

    async fn post(&self, url: String, body: &Value) -> Result<Value, WechatError> {
        let response = self
            .http
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| WechatError::Unavailable(e.without_url().to_string()))?;
        // WeChat answers JSON, sometimes labelled text/plain, so the body is parsed as is.
        let bytes = response
            .bytes()
            .await
            .map_err(|e| WechatError::Unavailable(e.without_url().to_string()))?;
        serde_json::from_slice(&bytes).map_err(|e| WechatError::Unavailable(format!("unexpected answer: {e}")))
    }

    /// The cached access token, or a new one from `stable_token` when there is none, it has
    /// expired, or `stale` is the one WeChat just refused.
    async fn access_token(&self, stale: Option<&str>) -> Result<String, WechatError> {
        if self.settings.app_id.is_empty() || self.settings.app_secret.is_empty() {
            return Err(WechatError::NotConfigured);
        }
        let mut cached = self.token.lock().await;
        let now = self.clock.now_ms();
        if let Some((token, until)) = cached.as_ref() {
            if *until > now && Some(token.as_str()) != stale {
                return Ok(token.clone());
            }
        }
        let body = json!({
            "grant_type": "client_credential",
            "appid": self.settings.app_id,
            "secret": self.settings.app_secret,
        });
        let answer = self.post(self.url("/cgi-bin/stable_token"), &body).await?;
        let errcode = errcode(&answer);
        match answer.get("access_token").and_then(Value::as_str) {
            Some(token) if errcode == 0 && !token.is_empty() => {
                // WeChat renews a stable token five minutes before it expires; so do we.
                let lifetime = answer.get("expires_in").and_then(Value::as_i64).unwrap_or(7200);
                let keep = if lifetime > 600 { lifetime - 300 } else { lifetime };
                *cached = Some((token.to_owned(), now + keep * 1000));
                Ok(token.to_owned())
            }
            _ => {
                *cached = None;
                Err(WechatError::Unavailable(format!(
                    "stable_token: errcode {errcode}: {}",
                    errmsg(&answer)
                )))
            }
        }
    }

    /// Calls `path` with the access token (once more with a new token when it was refused);
    /// the answer when its errcode is 0.
    pub async fn call(&self, path: &str, body: &Value) -> Result<Value, WechatError> {
        let mut token = self.access_token(None).await?;
        for attempt in 0..2 {
            let url = format!("{}?access_token={token}", self.url(path));
            let answer = self.post(url, body).await?;
            match errcode(&answer) {
                0 => return Ok(answer),
                code if token_refused(code) => {}
                errcode => {
                    return Err(WechatError::Refused {
                        errcode,
                        errmsg: errmsg(&answer),
                    })
                }
            }
            if attempt == 0 {
                token = self.access_token(Some(&token)).await?;
            }
        }
        Err(WechatError::Unavailable(format!(
            "{path}: the access token was refused twice"
        )))
    }
}

fn errcode(answer: &Value) -> i64 {
    answer.get("errcode").and_then(Value::as_i64).unwrap_or(0)
}

fn errmsg(answer: &Value) -> String {
    answer
        .get("errmsg")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_token_errcodes_refresh_the_token() {
        assert!(token_refused(40001) && token_refused(40014) && token_refused(42001));
        assert!(!token_refused(0) && !token_refused(40003) && !token_refused(43101) && !token_refused(-1));
    }
}
