//! `AppState`: everything a handler may use, built once at start-up and shared.

use std::sync::Arc;

use crate::audit::chain::{AuditKey, Keyring};
use crate::auth::tokens::TokenKeys;
use crate::auth::wechat::WechatApi;
use crate::auth::Accounts;
use crate::face::wechat::WechatFaceApi;
use crate::face::FaceVerifier;
use crate::platform::clock::Clock;
use crate::platform::config::{Profile, Settings};
use crate::platform::crypto::Keys;
use crate::platform::db::{Db, Engine};
use crate::platform::objects::ObjectStore;
use crate::platform::observe::{Gauges, Metrics, ReadGauges};
use crate::platform::sms::SmsSender;
use crate::platform::wechat::WechatClient;

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
    /// The memory budget of image decoding (`documents::pool`).
    pub images: Arc<crate::documents::ImagePool>,
    /// WeChat's face verification (人脸核身), for issuing sessions; `face` checks them.
    pub wechat_face: Arc<dyn WechatFaceApi>,
    /// The mini-program's WeChat server API with its one access token: face verification
    /// calls through it, and the outbox sends subscription messages with it.
    pub wechat_client: Arc<WechatClient>,
    /// The subscription message templates (`wechat.subscribe_templates`), checked at start.
    pub subscribe_templates: Arc<Vec<crate::platform::wechat::subscribe::Template>>,
    /// The approval chain of every kind of application (`applications.approval_chains` over
    /// the seeds' defaults), checked at start.
    pub approval_chains: Arc<crate::applications::chain::Chains>,
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
        let keys = Arc::new(Keys::new(token_key.clone(), settings.data_key()?));
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        let sms = crate::platform::sms::sender(&settings.sms, &settings.storage.dir, http.clone());
        let wechat_client = Arc::new(WechatClient::new(&settings.wechat, http.clone(), clock.clone()));
        let subscribe_templates = Arc::new(crate::notify::texts::templates(&settings)?);
        let approval_chains = Arc::new(
            crate::applications::chain::configured(&settings.applications.approval_chains)
                .map_err(|e| anyhow::anyhow!("applications.approval_chains: {e}"))?,
        );
        let (wechat, wechat_face) = wechat_providers(&settings, http, wechat_client.clone());
        Ok(AppState {
            tokens: Arc::new(TokenKeys::new(&token_key, &settings.auth)?),
            accounts: Arc::new(accounts(&keys)),
            keys,
            audit_keys: Arc::new(audit_keyring(&settings)?),
            db,
            engine,
            clock,
            metrics: Arc::new(Metrics::default()),
            sms: Arc::from(sms),
            wechat,
            objects: Arc::new(ObjectStore::from_settings(&settings)?),
            face: Arc::new(crate::face::Providers {
                local: crate::face::LocalVerifier::new(&settings.face, &settings.models_dir())?,
                wechat: wechat_face.clone(),
            }),
            wechat_face,
            wechat_client,
            subscribe_templates,
            approval_chains,
            images: Arc::new(crate::documents::ImagePool::new(
                settings.uploads.image_decode_budget_mb,
                settings.uploads.image_decode_wait_ms,
            )),
            face_index: Arc::default(),
            instance_id: uuid::Uuid::now_v7().simple().to_string(),
            ended_sessions: Arc::default(),
            settings: Arc::new(settings),
        })
    }
}

/// Auth's ports to the account domains. This is the one place that names them together.
fn accounts(keys: &Arc<Keys>) -> Accounts {
    Accounts {
        staff: Arc::new(crate::staff::accounts::StaffAccounts),
        enterprises: Arc::new(crate::enterprises::accounts::EnterpriseAccounts { keys: keys.clone() }),
        people: Arc::new(crate::people::accounts::PersonAccounts),
        training: Arc::new(crate::training::accounts::TrainingAccounts),
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

impl axum::extract::FromRef<AppState> for Arc<dyn ReadGauges> {
    fn from_ref(state: &AppState) -> Arc<dyn ReadGauges> {
        Arc::new(state.clone())
    }
}

impl ReadGauges for AppState {
    fn gauges(&self) -> crate::BoxFuture<'_, Gauges> {
        Box::pin(async move {
            let outbox = match crate::notify::outbox::backlog(self).await {
                Ok(backlog) => Some(backlog),
                Err(error) => {
                    tracing::warn!(%error, "metrics: the outbox's backlog could not be read");
                    None
                }
            };
            Gauges {
                pool: (
                    self.db.size(),
                    self.db.num_idle(),
                    self.settings.database.max_connections,
                ),
                face: self.face.load(),
                outbox,
            }
        })
    }
}

/// WeChat login and face verification: WeChat's own APIs, or on the development profile
/// without `wechat.app_id` the development stand-ins (any login code signs in; every face
/// verification passes), so the mini-program flows work locally.
fn wechat_providers(
    settings: &Settings,
    http: reqwest::Client,
    client: Arc<WechatClient>,
) -> (Arc<dyn WechatApi>, Arc<dyn WechatFaceApi>) {
    if settings.profile == Profile::Development && settings.wechat.app_id.is_empty() {
        tracing::warn!("wechat.app_id is not set: WeChat login and face verification use development stand-ins");
        return (
            Arc::new(crate::auth::wechat::DevelopmentWechat),
            Arc::new(crate::face::wechat::DevelopmentWechatFace),
        );
    }
    (
        Arc::new(crate::auth::wechat::WechatHttp::new(&settings.wechat, http)),
        Arc::new(crate::face::wechat::WechatFaceHttp::new(client)),
    )
}
