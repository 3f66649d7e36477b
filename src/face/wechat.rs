//! WeChat face verification (微信人脸核身) as a face-check provider.
//!
//! The flow, as WeChat documents it: the server asks `getverifyid` for a session with the
//! person's name and ID number (`cert_info`), its own serial number (`out_seq_no`) and the
//! person's openid; the mini-program runs `wx.requestFacialVerify({verifyId})`, which compares
//! the live face with the national database's photo of that ID; the server then asks
//! `queryverifyinfo` for the result. Only `errcode` 0 with `verify_ret` 10000 is a pass.
//! `queryverifyinfo` takes `cert_hash` in place of the ID data (`cert_hash` below).
//!
//! Both calls carry the mini-program's access token, kept and refreshed by the shared client
//! (`platform::wechat::WechatClient`).

use std::sync::Arc;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use axum::http::StatusCode;

use super::FaceError;
use crate::platform::error::ApiError;
use crate::platform::wechat::{WechatClient, WechatError};
use crate::BoxFuture;

/// `verify_ret` of a passed verification.
pub const PASSED: i64 = 10_000;

/// A session as `queryverifyinfo` needs it: what `getverifyid` was called with, and its answer.
#[derive(Debug, Clone)]
pub struct Session {
    pub verify_id: String,
    pub out_seq_no: String,
    pub openid: String,
    pub cert_hash: String,
}

/// A new session's id and lifetime, from `getverifyid`.
#[derive(Debug, Clone)]
pub struct Issued {
    pub verify_id: String,
    pub expires_in_secs: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum WechatFaceError {
    #[error("wechat.app_id / wechat.app_secret are not set")]
    NotConfigured,
    /// Network failure, an unreadable answer, or an access token WeChat keeps refusing.
    #[error("WeChat is unavailable: {0}")]
    Unavailable(String),
    /// WeChat refused the call with an errcode other than a token's.
    #[error("WeChat refused the call: errcode {errcode}: {errmsg}")]
    Refused { errcode: i64, errmsg: String },
}

pub trait WechatFaceApi: Send + Sync {
    /// `getverifyid` for the person with this openid, name and ID number.
    fn get_verify_id<'a>(
        &'a self,
        out_seq_no: &'a str,
        openid: &'a str,
        name: &'a str,
        id_number: &'a str,
    ) -> BoxFuture<'a, Result<Issued, WechatFaceError>>;

    /// `queryverifyinfo`: the session's `verify_ret` (10000 = passed).
    fn query<'a>(&'a self, session: &'a Session) -> BoxFuture<'a, Result<i64, WechatFaceError>>;
}

/// `cert_hash` as WeChat documents it: each of cert_type, cert_name and cert_no in standard
/// base64, joined as `cert_type=…&cert_name=…&cert_no=…`, SHA-256, lowercase hex.
pub fn cert_hash(name: &str, id_number: &str) -> String {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
    let joined = format!(
        "cert_type={}&cert_name={}&cert_no={}",
        b64(CERT_TYPE),
        b64(name),
        b64(id_number)
    );
    hex::encode(Sha256::digest(joined.as_bytes()))
}

const CERT_TYPE: &str = "IDENTITY_CARD";

/// Face verification over the shared WeChat client (`platform::wechat`: one access token
/// per mini-program).
pub struct WechatFaceHttp {
    client: Arc<WechatClient>,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    expires_in: Option<i64>,
    verify_id: Option<String>,
    verify_ret: Option<i64>,
}

impl From<WechatError> for WechatFaceError {
    fn from(error: WechatError) -> Self {
        match error {
            WechatError::NotConfigured => WechatFaceError::NotConfigured,
            WechatError::Unavailable(why) => WechatFaceError::Unavailable(why),
            WechatError::Refused { errcode, errmsg } => WechatFaceError::Refused { errcode, errmsg },
        }
    }
}

impl WechatFaceHttp {
    pub fn new(client: Arc<WechatClient>) -> Self {
        WechatFaceHttp { client }
    }

    /// Calls `path` through the shared client and reads its answer.
    async fn call(&self, path: &str, body: serde_json::Value) -> Result<Answer, WechatFaceError> {
        let answer = self.client.call(path, &body).await?;
        serde_json::from_value(answer).map_err(|e| WechatFaceError::Unavailable(format!("unexpected answer: {e}")))
    }
}

impl WechatFaceApi for WechatFaceHttp {
    fn get_verify_id<'a>(
        &'a self,
        out_seq_no: &'a str,
        openid: &'a str,
        name: &'a str,
        id_number: &'a str,
    ) -> BoxFuture<'a, Result<Issued, WechatFaceError>> {
        Box::pin(async move {
            let body = json!({
                "out_seq_no": out_seq_no,
                "cert_info": {"cert_type": CERT_TYPE, "cert_name": name, "cert_no": id_number},
                "openid": openid,
            });
            let answer = self.call("/cityservice/face/identify/getverifyid", body).await?;
            match answer.verify_id {
                Some(verify_id) if !verify_id.is_empty() => Ok(Issued {
                    verify_id,
                    expires_in_secs: answer.expires_in.unwrap_or(3600),
                }),
                _ => Err(WechatFaceError::Unavailable("getverifyid answered no verify_id".into())),
            }
        })
    }

    fn query<'a>(&'a self, session: &'a Session) -> BoxFuture<'a, Result<i64, WechatFaceError>> {
        Box::pin(async move {
            let body = json!({
                "verify_id": session.verify_id,
                "out_seq_no": session.out_seq_no,
                "cert_hash": session.cert_hash,
                "openid": session.openid,
            });
            let answer = self.call("/cityservice/face/identify/queryverifyinfo", body).await?;
            answer
                .verify_ret
                .ok_or_else(|| WechatFaceError::Unavailable("queryverifyinfo answered no verify_ret".into()))
        })
    }
}

/// A WeChat face verification's failure: not passed (with what to do), WeChat unavailable, or
/// WeChat refusing the call (with its errcode).
pub(super) fn problem(error: FaceError) -> crate::platform::error::ApiError {
    match error {
        FaceError::WechatFailed { verify_ret } if (90_000..100_000).contains(&verify_ret) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wechat_face.failed",
            format!("微信人脸核身未完成（结果码 {verify_ret}：已取消、设备或网络问题），请重新发起人脸核身"),
            format!("The WeChat face verification was not completed (verify_ret {verify_ret}: cancelled, device or network); start a new one"),
        ),
        FaceError::WechatFailed { verify_ret } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wechat_face.failed",
            format!("微信人脸核身未通过（结果码 {verify_ret}），须身份证持有人本人操作；如有疑问请携带身份证到住建主管部门窗口核验"),
            format!("The WeChat face verification did not pass (verify_ret {verify_ret}); only the ID card's holder can pass it. If in doubt, bring the ID card to the authority's desk"),
        ),
        FaceError::Wechat(WechatFaceError::Refused { errcode, .. }) => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "wechat_face.refused",
            format!("微信拒绝了人脸核身请求（错误码 {errcode}），请稍后重新发起"),
            format!("WeChat refused the face verification call (errcode {errcode}); start a new verification later"),
        ),
        other => {
            tracing::warn!(error = %other, "WeChat face verification unavailable");
            ApiError::unavailable(
                "wechat_face.unavailable",
                "微信人脸核身暂不可用，请稍后重试",
                "WeChat face verification is unavailable; try again shortly",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in WeChat's documentation of `queryverifyinfo`.
    #[test]
    fn cert_hash_follows_wechats_example() {
        assert_eq!(
            cert_hash("张三", "310101199801011234"),
            "3c241f7ff324977aeb91f173bb2a7b06569e6fd784d5573db34a636d8671108b"
        );
    }
}

/// The development stand-in for WeChat face verification (same conditions as
/// `auth::wechat::DevelopmentWechat`): every session is issued and passes, so the WeChat
/// flows can be tried locally. Never used on the production profile.
pub struct DevelopmentWechatFace;

impl WechatFaceApi for DevelopmentWechatFace {
    fn get_verify_id<'a>(
        &'a self,
        out_seq_no: &'a str,
        _openid: &'a str,
        _name: &'a str,
        _id_number: &'a str,
    ) -> BoxFuture<'a, Result<Issued, WechatFaceError>> {
        Box::pin(async move {
            Ok(Issued {
                verify_id: format!("dev-{out_seq_no}"),
                expires_in_secs: 600,
            })
        })
    }

    fn query<'a>(&'a self, _session: &'a Session) -> BoxFuture<'a, Result<i64, WechatFaceError>> {
        Box::pin(async { Ok(PASSED) })
    }
}
