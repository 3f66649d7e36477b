//! WeChat mini-program login: the client's `wx.login()` code is exchanged at
//! `GET {wechat.base_url}/sns/jscode2session` for the user's `openid`.

use serde::Deserialize;

use crate::platform::config::WechatSettings;
use crate::BoxFuture;

#[derive(Debug, Clone)]
pub struct WechatSession {
    pub openid: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WechatError {
    #[error("wechat.app_id / wechat.app_secret are not set")]
    NotConfigured,
    /// errcode 40029 (invalid code) or 40163 (code already used).
    #[error("the login code is invalid or used")]
    InvalidCode,
    /// errcode 45011: the user asked too often.
    #[error("too many login attempts for this user")]
    RateLimited,
    /// errcode 40226: WeChat's risk control blocks this user.
    #[error("WeChat blocked this user")]
    Blocked,
    #[error("WeChat is unavailable: {0}")]
    Unavailable(String),
}

pub trait WechatApi: Send + Sync {
    fn code_to_session<'a>(&'a self, code: &'a str) -> BoxFuture<'a, Result<WechatSession, WechatError>>;
}

pub struct WechatHttp {
    settings: WechatSettings,
    http: reqwest::Client,
}

impl WechatHttp {
    pub fn new(settings: &WechatSettings, http: reqwest::Client) -> Self {
        WechatHttp {
            settings: settings.clone(),
            http,
        }
    }

    async fn exchange(&self, code: &str) -> Result<WechatSession, WechatError> {
        if self.settings.app_id.is_empty() || self.settings.app_secret.is_empty() {
            return Err(WechatError::NotConfigured);
        }
        let url = format!("{}/sns/jscode2session", self.settings.base_url.trim_end_matches('/'));
        let response = self
            .http
            .get(url)
            .query(&[
                ("appid", self.settings.app_id.as_str()),
                ("secret", self.settings.app_secret.as_str()),
                ("js_code", code),
                ("grant_type", "authorization_code"),
            ])
            .send()
            .await
            .map_err(|e| WechatError::Unavailable(e.without_url().to_string()))?;
        // WeChat answers JSON, sometimes labelled text/plain, so the body is parsed as is.
        let body = response
            .bytes()
            .await
            .map_err(|e| WechatError::Unavailable(e.to_string()))?;
        let answer: Code2SessionAnswer =
            serde_json::from_slice(&body).map_err(|e| WechatError::Unavailable(format!("unexpected answer: {e}")))?;
        match (answer.errcode.unwrap_or(0), answer.openid) {
            (0, Some(openid)) if !openid.is_empty() => Ok(WechatSession { openid }),
            (40029 | 40163, _) => Err(WechatError::InvalidCode),
            (45011, _) => Err(WechatError::RateLimited),
            (40226, _) => Err(WechatError::Blocked),
            (code, _) => Err(WechatError::Unavailable(format!(
                "errcode {code}: {}",
                answer.errmsg.unwrap_or_default()
            ))),
        }
    }
}

#[derive(Deserialize)]
struct Code2SessionAnswer {
    openid: Option<String>,
    errcode: Option<i64>,
    errmsg: Option<String>,
}

impl WechatApi for WechatHttp {
    fn code_to_session<'a>(&'a self, code: &'a str) -> BoxFuture<'a, Result<WechatSession, WechatError>> {
        Box::pin(self.exchange(code))
    }
}

/// The development stand-in for WeChat login, used on the development profile when no
/// `wechat.app_id` is set: any code signs in, the same code always as the same user (its
/// openid is derived from the code), so a newcomer can sign in locally with curl. Never used
/// on the production profile.
pub struct DevelopmentWechat;

impl WechatApi for DevelopmentWechat {
    fn code_to_session<'a>(&'a self, code: &'a str) -> BoxFuture<'a, Result<WechatSession, WechatError>> {
        Box::pin(async move {
            if code.trim().is_empty() {
                return Err(WechatError::InvalidCode);
            }
            use sha2::Digest;
            let digest = sha2::Sha256::digest(code.as_bytes());
            Ok(WechatSession {
                openid: format!("dev-{}", &hex::encode(digest)[..24]),
            })
        })
    }
}
