//! SMS: the `SmsSender` trait, Tencent Cloud's SendSms API (TC3-HMAC-SHA256 signed), and a
//! development sender that appends to a file instead of sending.

use std::path::PathBuf;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::platform::config::{SmsProvider, SmsSettings};
use crate::platform::types::Phone;
use crate::BoxFuture;

/// What a message says; each maps to a template approved with the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsTemplate {
    /// {1} the code, {2} its validity in minutes.
    ResetCode,
    /// {1} the credit code (account), {2} the initial password.
    InitialPassword,
    /// {1} the event, {2} its detail.
    Notice,
}

#[derive(Debug, Clone)]
pub struct SmsMessage {
    pub phone: Phone,
    pub template: SmsTemplate,
    pub params: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("SMS provider unreachable: {0}")]
    Unreachable(String),
    #[error("SMS provider refused the message: {code} {message}")]
    Refused { code: String, message: String },
}

pub trait SmsSender: Send + Sync {
    fn send<'a>(&'a self, message: &'a SmsMessage) -> BoxFuture<'a, Result<(), SmsError>>;
}

/// Builds the sender the settings ask for.
pub fn sender(settings: &SmsSettings, storage_dir: &std::path::Path, http: reqwest::Client) -> Box<dyn SmsSender> {
    match settings.provider {
        SmsProvider::File => Box::new(FileSms {
            path: storage_dir.join("sms.log"),
        }),
        SmsProvider::Tencent => Box::new(TencentSms {
            settings: settings.clone(),
            http,
        }),
    }
}

/// Development only: appends each message as a JSON line to `<storage>/sms.log`.
pub struct FileSms {
    path: PathBuf,
}

impl SmsSender for FileSms {
    fn send<'a>(&'a self, message: &'a SmsMessage) -> BoxFuture<'a, Result<(), SmsError>> {
        Box::pin(async move {
            use tokio::io::AsyncWriteExt;
            let line = json!({
                "to": message.phone.as_str(),
                "template": format!("{:?}", message.template),
                "params": message.params,
            });
            let mut file = tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .await
                .map_err(|e| SmsError::Unreachable(e.to_string()))?;
            // tokio's File hands the write to a blocking thread: without the flush the line
            // may not be in the file yet when the sender returns (and the reader looks).
            let written = file.write_all(format!("{line}\n").as_bytes()).await;
            written
                .and(file.flush().await)
                .map_err(|e| SmsError::Unreachable(e.to_string()))
        })
    }
}

/// Tencent Cloud SMS, API version 2021-01-11, action SendSms.
pub struct TencentSms {
    settings: SmsSettings,
    http: reqwest::Client,
}

const TENCENT_SERVICE: &str = "sms";
const TENCENT_VERSION: &str = "2021-01-11";
const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TencentEnvelope {
    response: TencentResponse,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TencentResponse {
    error: Option<TencentError>,
    #[serde(default)]
    send_status_set: Vec<TencentStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TencentError {
    code: String,
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TencentStatus {
    code: String,
    message: String,
}

impl TencentSms {
    fn template_id(&self, template: SmsTemplate) -> &str {
        match template {
            SmsTemplate::ResetCode => &self.settings.template_reset_code,
            SmsTemplate::InitialPassword => &self.settings.template_initial_password,
            SmsTemplate::Notice => &self.settings.template_notice,
        }
    }

    async fn send_now(&self, message: &SmsMessage) -> Result<(), SmsError> {
        let body = json!({
            "PhoneNumberSet": [message.phone.e164()],
            "SmsSdkAppId": self.settings.sdk_app_id,
            "SignName": self.settings.sign_name,
            "TemplateId": self.template_id(message.template),
            "TemplateParamSet": message.params,
        })
        .to_string();
        let url = reqwest::Url::parse(&self.settings.endpoint).map_err(|e| SmsError::Unreachable(e.to_string()))?;
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let timestamp = crate::platform::clock::system_now_ms() / 1000;
        let authorization = tc3_authorization(
            &self.settings.secret_id,
            &self.settings.secret_key,
            &host,
            timestamp,
            &body,
        );
        let response = self
            .http
            .post(url)
            .header("Content-Type", JSON_CONTENT_TYPE)
            .header("Authorization", authorization)
            .header("X-TC-Action", "SendSms")
            .header("X-TC-Version", TENCENT_VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &self.settings.region)
            .body(body)
            .send()
            .await
            .map_err(|e| SmsError::Unreachable(e.to_string()))?;
        let envelope: TencentEnvelope = response
            .json()
            .await
            .map_err(|e| SmsError::Unreachable(e.to_string()))?;
        if let Some(error) = envelope.response.error {
            return Err(SmsError::Refused {
                code: error.code,
                message: error.message,
            });
        }
        match envelope.response.send_status_set.first() {
            Some(status) if status.code == "Ok" => Ok(()),
            Some(status) => Err(SmsError::Refused {
                code: status.code.clone(),
                message: status.message.clone(),
            }),
            None => Err(SmsError::Refused {
                code: "NoStatus".into(),
                message: "empty SendStatusSet".into(),
            }),
        }
    }
}

impl SmsSender for TencentSms {
    fn send<'a>(&'a self, message: &'a SmsMessage) -> BoxFuture<'a, Result<(), SmsError>> {
        Box::pin(self.send_now(message))
    }
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The `Authorization` header of Tencent Cloud API v3 (TC3-HMAC-SHA256) for a POST of `body`
/// with the signed headers `content-type;host`.
pub fn tc3_authorization(secret_id: &str, secret_key: &str, host: &str, timestamp: i64, body: &str) -> String {
    let date = crate::platform::clock::utc_date(timestamp);
    let canonical_request = format!(
        "POST\n/\n\ncontent-type:{JSON_CONTENT_TYPE}\nhost:{host}\n\ncontent-type;host\n{}",
        hex::encode(Sha256::digest(body))
    );
    let scope = format!("{date}/{TENCENT_SERVICE}/tc3_request");
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(&canonical_request))
    );
    let k_date = hmac(format!("TC3{secret_key}").as_bytes(), &date);
    let k_service = hmac(&k_date, TENCENT_SERVICE);
    let k_signing = hmac(&k_service, "tc3_request");
    let signature = hex::encode(hmac(&k_signing, &string_to_sign));
    format!("TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}")
}
