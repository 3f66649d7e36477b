//! `AppState`: everything a handler may use, built once at start-up and shared.

use std::sync::Arc;

use crate::audit::chain::{AuditKey, Keyring};
use crate::auth::tokens::TokenKeys;
use crate::auth::wechat::WechatApi;
use crate::auth::Accounts;
use crate::face::wechat::WechatFaceApi;
use crate::face::FaceVerifier;
use crate::platform::clock::Clock;
use crate::platform::config::Settings;
use crate::platform::crypto::Keys;
use crate::platform::db::{Db, Engine};
use crate::platform::objects::ObjectStore;
use crate::platform::observe::Metrics;
use crate::platform::sms::SmsSender;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub engine: Engine,
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<Keys>,
    pub tokens: Arc<TokenKeys>,
    /// The account domains as auth signs them in: one port per account kind.
    pub accounts: Arc<Accounts>,
    pub metrics: Arc<Metrics>,
    pub sms: Arc<dyn SmsSender>,
    pub wechat: Arc<dyn WechatApi>,
    pub objects: Arc<ObjectStore>,
    pub face: Arc<dyn FaceVerifier>,
    /// WeChat's face verification (人脸核身), for issuing sessions; `face` checks them.
    pub wechat_face: Arc<dyn WechatFaceApi>,
    /// This instance's 1:N index of every enrolled face (`people::one_face`).
    pub face_index: Arc<crate::people::SharedIndex>,
    /// The keys of the audit chain: the current one links new rows.
    pub audit_keys: Arc<Keyring>,
    /// This process's name in job leases.
    pub instance_id: String,
    /// Sessions ended by sign-out, password change or reset (`auth::sessions`).
    pub ended_sessions: Arc<crate::auth::sessions::EndedSessions>,
}

impl AppState {
    /// Builds the state from settings whose secrets are already ensured, over an open pool.
    pub fn new(settings: Settings, db: Db, engine: Engine, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
        let token_key = settings.token_key()?;
        let keys = Keys::new(token_key.clone(), settings.data_key()?);
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        let sms = crate::platform::sms::sender(&settings.sms, &settings.storage.dir, http.clone());
        let wechat = crate::auth::wechat::WechatHttp::new(&settings.wechat, http.clone());
        let wechat_face: Arc<dyn WechatFaceApi> = Arc::new(crate::face::wechat::WechatFaceHttp::new(
            &settings.wechat,
            http,
            clock.clone(),
        ));
        Ok(AppState {
            tokens: Arc::new(TokenKeys::new(&token_key, &settings.auth)?),
            accounts: Arc::new(accounts()),
            keys: Arc::new(keys),
            audit_keys: Arc::new(audit_keyring(&settings)?),
            db,
            engine,
            clock,
            metrics: Arc::new(Metrics::default()),
            sms: Arc::from(sms),
            wechat: Arc::new(wechat),
            objects: Arc::new(ObjectStore::from_settings(&settings)?),
            face: Arc::new(crate::face::Providers {
                local: crate::face::LocalVerifier::new(&settings.face, &settings.models_dir())?,
                wechat: wechat_face.clone(),
            }),
            wechat_face,
            face_index: Arc::default(),
            instance_id: uuid::Uuid::now_v7().simple().to_string(),
            ended_sessions: Arc::default(),
            settings: Arc::new(settings),
        })
    }
}

/// Auth's ports to the account domains. This is the one place that names them together.
fn accounts() -> Accounts {
    Accounts {
        staff: Arc::new(crate::staff::accounts::StaffAccounts),
        enterprises: Arc::new(crate::enterprises::accounts::EnterpriseAccounts),
        people: Arc::new(crate::people::accounts::PersonAccounts),
    }
}

/// The audit chain's keys from the settings. Development derives the current key from the
/// token key; production configures its own (`secrets.audit_key`).
pub fn audit_keyring(settings: &Settings) -> anyhow::Result<Keyring> {
    let (current, retired) = settings.audit_keys()?;
    let current = match current {
        Some(key) => key,
        None => Keys::new(settings.token_key()?, settings.data_key()?).mac_bytes("audit-chain", b""),
    };
    Ok(Keyring {
        current: AuditKey::new(current),
        retired: retired.into_iter().map(AuditKey::new).collect(),
    })
}

// What the platform's extractors and endpoints take from the state, without knowing it.
macro_rules! parts_of_state {
    ($($part:ty => $field:ident),* $(,)?) => {$(
        impl axum::extract::FromRef<AppState> for $part {
            fn from_ref(state: &AppState) -> $part {
                state.$field.clone()
            }
        }
    )*};
}

parts_of_state!(Arc<Settings> => settings, Db => db, Arc<ObjectStore> => objects, Arc<Metrics> => metrics);
