//! Settings: built-in defaults < optional TOML file (`--config` / `ZHUJIAN_CONFIG`) <
//! `ZHUJIAN_*` environment variables < `DATABASE_URL`.
//!
//! Environment names are the setting's path in upper case with `_` between section and key:
//! `server.listen` is `ZHUJIAN_SERVER_LISTEN`, `auth.access_token_ttl_secs` is
//! `ZHUJIAN_AUTH_ACCESS_TOKEN_TTL_SECS`. Values are read as TOML when they parse (numbers,
//! booleans, arrays such as `["https://a.example"]`) and as plain strings otherwise. An unknown
//! `ZHUJIAN_*` name is a start-up error, so a typo never goes unnoticed.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// Every setting with its default and meaning; shown by `zhujian --help`. A unit test checks
/// that this table and the `Settings` struct name the same keys.
pub const SETTINGS_HELP: &str = "\
SETTINGS (TOML key = default; environment: ZHUJIAN_<SECTION>_<KEY>, e.g. ZHUJIAN_SERVER_LISTEN)
  profile = \"development\"          development | production (production refuses missing secrets
                                     and development-only senders)
  server.listen = \"127.0.0.1:8080\"  address to listen on
  server.body_limit_bytes = 1048576  largest accepted JSON request body
  server.request_timeout_secs = 30   a request running longer answers 408
  server.cors_origins = []           browser origins allowed to call the API (\"*\" for any)
  server.trust_forwarded_for = false take the client address from X-Forwarded-For (behind a proxy)
  server.shutdown_grace_secs = 20    time given to running requests on SIGTERM
  server.public_url = \"\"            this server's external URL, for links it hands out (empty: from the Host header)
  database.url = \"\"                 empty: SQLite at <storage.dir>/zhujian.db; DATABASE_URL overrides
  database.max_connections = 10      connection pool size
  database.acquire_timeout_secs = 5  wait for a pooled connection before answering 503
  database.sqlite_busy_timeout_ms = 5000  SQLite lock wait
  storage.dir = \"storage\"           runtime data of the embedded default
  auth.issuer = \"zhujian\"           JWT iss
  auth.audience = \"zhujian-api\"     JWT aud
  auth.access_token_ttl_secs = 900   access token lifetime
  auth.refresh_token_ttl_secs = 2592000  refresh token lifetime
  auth.max_failed_logins_per_account = 5    failures before an account is locked
  auth.max_failed_logins_per_address = 30   failures before a client address is locked
  auth.lockout_secs = 900            lock duration and the window failures are counted in
  auth.sms_code_ttl_secs = 300       SMS reset code lifetime
  auth.sms_code_max_attempts = 5     wrong entries before an SMS code is void
  auth.sms_code_resend_secs = 60     minimum interval between two codes for one account
  secrets.token_key = \"\"            base64, at least 32 bytes: signs tokens and links
  secrets.data_key = \"\"             base64, exactly 32 bytes: encrypts personal data (AES-256-GCM)
  secrets.audit_key = \"\"            base64, at least 32 bytes: keys the audit chain's links and checkpoints
                                     (development: derived from token_key; production requires it)
  secrets.audit_retired_keys = []    former audit keys (base64), kept so that older rows still verify
  wechat.base_url = \"https://api.weixin.qq.com\"  WeChat API base URL
  wechat.app_id = \"\"                mini-program AppID
  wechat.app_secret = \"\"            mini-program AppSecret
  sms.provider = \"file\"             file (development: appends to <storage.dir>/sms.log) | tencent
  sms.endpoint = \"https://sms.tencentcloudapi.com\"  Tencent Cloud SMS API endpoint
  sms.region = \"ap-guangzhou\"       Tencent Cloud region
  sms.secret_id = \"\"                Tencent Cloud SecretId
  sms.secret_key = \"\"               Tencent Cloud SecretKey
  sms.sdk_app_id = \"\"               SMS SdkAppId
  sms.sign_name = \"\"                approved SMS signature
  sms.template_reset_code = \"\"      template id: {1} code, {2} minutes
  sms.template_initial_password = \"\"  template id: {1} credit code, {2} password
  sms.template_notice = \"\"          template id: {1} event, {2} detail (employment and verification notices)
  sms.deliver_interval_secs = 10     how often the outbox worker sends due SMS notices (0: never)
  sms.max_attempts = 8               failed sends retried with growing delays, then given up
  objects.backend = \"local\"        local (files under <storage.dir>/objects) | s3
  objects.s3_endpoint = \"\"         S3-compatible endpoint URL, e.g. https://cos.ap-guangzhou.myqcloud.com
  objects.s3_region = \"us-east-1\"  S3 region
  objects.s3_bucket = \"\"           bucket name
  objects.s3_access_key = \"\"       access key id
  objects.s3_secret_key = \"\"       secret access key
  objects.s3_path_style = true       path-style addressing (Garage, MinIO); false for virtual-hosted
  objects.s3_part_size_bytes = 8388608  multipart upload part size (at least 5 MiB)
  uploads.pdf_max_bytes = 104857600  largest PDF scan
  uploads.image_max_bytes = 15728640 largest photo (portrait, selfie, licence image)
  uploads.video_max_bytes = 2147483648  largest enterprise video
  uploads.image_max_pixels = 40000000  larger images are refused (decompression bombs)
  uploads.image_min_side = 100       smaller images are refused
  uploads.request_timeout_secs = 3600  timeout of a streamed upload request
  uploads.presign_ttl_secs = 900     lifetime of a presigned upload URL
  uploads.download_ttl_secs = 300    lifetime of a signed download link
  uploads.pending_max_age_secs = 86400  unfinished uploads and orphan objects older than this are swept
  uploads.sweep_interval_secs = 600  how often the sweeper runs (0: never)
  face.models_dir = \"\"             folder of the face models (empty: <storage.dir>/models)
  face.fetch_models = true           fetch missing models with pip on start (false: offline, files provided by hand)
  face.threshold = 0.5               largest descriptor distance that counts as the same person
  face.workers = 0                   face checks running at once (0: one per core)
  face.queue = 32                    face checks waiting at most; more answer 503
  face.min_face_px = 90              narrowest usable face, in pixels of the photo
  face.min_brightness = 45.0         darkest usable face (mean brightness of the face chip, 0-255)
  face.min_sharpness = 40.0          blurriest usable face (variance of the Laplacian of the face chip)
  employment.request_ttl_secs = 604800  an employment request not answered in this time expires
  employment.challenge_ttl_secs = 180   a confirmation challenge must be used within this time
  employment.max_contract_years = 10    longest contract period accepted
  check_in.default_radius_m = 300.0  radius of a site's fence unless staff set one for the site
  check_in.max_accuracy_m = 100.0    a position reported less precisely than this is refused
  check_in.challenge_ttl_secs = 120  a check-in challenge must be used within this time
  check_in.max_speed_kmh = 300.0     faster travel since the person's previous check-in is flagged
  check_in.photo_hash_distance = 6   selfies this close (bits of a 64-bit difference hash) to an earlier one are refused
  check_in.rectification_days = 30   days a rectification notice gives the enterprise
  check_in.close_interval_secs = 600 how often overdue tasks are closed (0: never)
  assessments.city_review_districts = [\"*\"]  districts whose assessments the city station reviews (\"*\": all); it reads every district
  assessments.qualified_from_percent = 80.0  a reviewed self-assessment scoring this share of its maximum or more is qualified
  assessments.basically_qualified_from_percent = 60.0  … basically qualified from this share; below it, unqualified
  audit.checkpoint_interval_secs = 300  how often the audit chain's head is signed into the object store (0: never)
  audit.checkpoint_prefix = \"audit/checkpoints/\"  where in the object store checkpoints are kept (one place per deployment)
  log.format = \"text\"               text | json
  log.level = \"info\"                tracing filter, e.g. \"info,zhujian=debug\"
";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub profile: Profile,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub storage: StorageSettings,
    pub auth: AuthSettings,
    pub secrets: SecretSettings,
    pub wechat: WechatSettings,
    pub sms: SmsSettings,
    pub objects: ObjectSettings,
    pub uploads: UploadSettings,
    pub face: FaceSettings,
    pub employment: EmploymentSettings,
    pub assessments: AssessmentSettings,
    pub check_in: CheckInSettings,
    pub audit: AuditSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditSettings {
    pub checkpoint_interval_secs: u64,
    pub checkpoint_prefix: String,
}

impl Default for AuditSettings {
    fn default() -> Self {
        AuditSettings {
            checkpoint_interval_secs: 300,
            checkpoint_prefix: "audit/checkpoints/".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    #[default]
    Development,
    Production,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: String,
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    pub cors_origins: Vec<String>,
    pub trust_forwarded_for: bool,
    pub shutdown_grace_secs: u64,
    pub public_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
    pub sqlite_busy_timeout_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageSettings {
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    pub issuer: String,
    pub audience: String,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    pub max_failed_logins_per_account: i64,
    pub max_failed_logins_per_address: i64,
    pub lockout_secs: i64,
    pub sms_code_ttl_secs: i64,
    pub sms_code_max_attempts: i64,
    pub sms_code_resend_secs: i64,
}

#[derive(Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SecretSettings {
    pub token_key: String,
    pub data_key: String,
    pub audit_key: String,
    pub audit_retired_keys: Vec<String>,
}

impl std::fmt::Debug for SecretSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretSettings { .. }")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WechatSettings {
    pub base_url: String,
    pub app_id: String,
    pub app_secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsProvider {
    File,
    Tencent,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsSettings {
    pub provider: SmsProvider,
    pub endpoint: String,
    pub region: String,
    pub secret_id: String,
    pub secret_key: String,
    pub sdk_app_id: String,
    pub sign_name: String,
    pub template_reset_code: String,
    pub template_initial_password: String,
    pub template_notice: String,
    pub deliver_interval_secs: u64,
    pub max_attempts: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectBackend {
    Local,
    S3,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ObjectSettings {
    pub backend: ObjectBackend,
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_bucket: String,
    pub s3_access_key: String,
    pub s3_secret_key: String,
    pub s3_path_style: bool,
    pub s3_part_size_bytes: usize,
}

impl std::fmt::Debug for ObjectSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectSettings")
            .field("backend", &self.backend)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_bucket", &self.s3_bucket)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UploadSettings {
    pub pdf_max_bytes: u64,
    pub image_max_bytes: u64,
    pub video_max_bytes: u64,
    pub image_max_pixels: u64,
    pub image_min_side: u32,
    pub request_timeout_secs: u64,
    pub presign_ttl_secs: i64,
    pub download_ttl_secs: i64,
    pub pending_max_age_secs: i64,
    pub sweep_interval_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaceSettings {
    pub models_dir: PathBuf,
    pub fetch_models: bool,
    pub threshold: f32,
    pub workers: usize,
    pub queue: usize,
    pub min_face_px: i64,
    pub min_brightness: f32,
    pub min_sharpness: f32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmploymentSettings {
    pub request_ttl_secs: i64,
    pub challenge_ttl_secs: i64,
    pub max_contract_years: u32,
}

/// Seed 001 §3.3: the city station reviews the assessments of some districts (in Qingdao 市南,
/// 市北 and 李沧) and only reads the others'. Result bands turn a reviewed self-assessment's
/// score into qualified / basically qualified / unqualified (seed 000 §2.5).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssessmentSettings {
    pub city_review_districts: Vec<String>,
    pub qualified_from_percent: f64,
    pub basically_qualified_from_percent: f64,
}

impl AssessmentSettings {
    /// Whether the city station reviews assessments of `district`.
    pub fn city_reviews(&self, district: &str) -> bool {
        self.city_review_districts.iter().any(|d| d == "*" || d == district)
    }

    pub fn result_bands(&self) -> crate::assessments::rules::ResultBands {
        crate::assessments::rules::ResultBands {
            qualified_from_percent: self.qualified_from_percent,
            basically_qualified_from_percent: self.basically_qualified_from_percent,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckInSettings {
    pub default_radius_m: f64,
    pub max_accuracy_m: f64,
    pub challenge_ttl_secs: i64,
    pub max_speed_kmh: f64,
    pub photo_hash_distance: u32,
    pub rectification_days: u32,
    pub close_interval_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            profile: Profile::Development,
            server: ServerSettings {
                listen: "127.0.0.1:8080".into(),
                body_limit_bytes: 1024 * 1024,
                request_timeout_secs: 30,
                cors_origins: Vec::new(),
                trust_forwarded_for: false,
                shutdown_grace_secs: 20,
                public_url: String::new(),
            },
            database: DatabaseSettings {
                url: String::new(),
                max_connections: 10,
                acquire_timeout_secs: 5,
                sqlite_busy_timeout_ms: 5000,
            },
            storage: StorageSettings {
                dir: PathBuf::from("storage"),
            },
            auth: AuthSettings {
                issuer: "zhujian".into(),
                audience: "zhujian-api".into(),
                access_token_ttl_secs: 15 * 60,
                refresh_token_ttl_secs: 30 * 24 * 3600,
                max_failed_logins_per_account: 5,
                max_failed_logins_per_address: 30,
                lockout_secs: 15 * 60,
                sms_code_ttl_secs: 5 * 60,
                sms_code_max_attempts: 5,
                sms_code_resend_secs: 60,
            },
            secrets: SecretSettings::default(),
            wechat: WechatSettings {
                base_url: "https://api.weixin.qq.com".into(),
                app_id: String::new(),
                app_secret: String::new(),
            },
            sms: SmsSettings {
                provider: SmsProvider::File,
                endpoint: "https://sms.tencentcloudapi.com".into(),
                region: "ap-guangzhou".into(),
                secret_id: String::new(),
                secret_key: String::new(),
                sdk_app_id: String::new(),
                sign_name: String::new(),
                template_reset_code: String::new(),
                template_initial_password: String::new(),
                template_notice: String::new(),
                deliver_interval_secs: 10,
                max_attempts: 8,
            },
            objects: ObjectSettings {
                backend: ObjectBackend::Local,
                s3_endpoint: String::new(),
                s3_region: "us-east-1".into(),
                s3_bucket: String::new(),
                s3_access_key: String::new(),
                s3_secret_key: String::new(),
                s3_path_style: true,
                s3_part_size_bytes: 8 * 1024 * 1024,
            },
            uploads: UploadSettings {
                pdf_max_bytes: 100 * 1024 * 1024,
                image_max_bytes: 15 * 1024 * 1024,
                video_max_bytes: 2 * 1024 * 1024 * 1024,
                image_max_pixels: 40_000_000,
                image_min_side: 100,
                request_timeout_secs: 3600,
                presign_ttl_secs: 15 * 60,
                download_ttl_secs: 5 * 60,
                pending_max_age_secs: 24 * 3600,
                sweep_interval_secs: 600,
            },
            face: FaceSettings {
                models_dir: PathBuf::new(),
                fetch_models: true,
                threshold: 0.5,
                workers: 0,
                queue: 32,
                min_face_px: 90,
                min_brightness: 45.0,
                min_sharpness: 40.0,
            },
            employment: EmploymentSettings {
                request_ttl_secs: 7 * 24 * 3600,
                challenge_ttl_secs: 180,
                max_contract_years: 10,
            },
            assessments: AssessmentSettings {
                city_review_districts: vec!["*".into()],
                qualified_from_percent: 80.0,
                basically_qualified_from_percent: 60.0,
            },
            check_in: CheckInSettings {
                default_radius_m: 300.0,
                max_accuracy_m: 100.0,
                challenge_ttl_secs: 120,
                max_speed_kmh: 300.0,
                photo_hash_distance: 6,
                rectification_days: 30,
                close_interval_secs: 600,
            },
            audit: AuditSettings::default(),
            log: LogSettings {
                format: LogFormat::Text,
                level: "info".into(),
            },
        }
    }
}

macro_rules! section_defaults {
    ($($ty:ident => $field:ident),*) => {$(
        impl Default for $ty {
            fn default() -> Self { Settings::default().$field }
        }
    )*};
}
section_defaults!(ServerSettings => server, DatabaseSettings => database,
    StorageSettings => storage, AuthSettings => auth, WechatSettings => wechat,
    SmsSettings => sms, ObjectSettings => objects, UploadSettings => uploads, FaceSettings => face, EmploymentSettings => employment,
    AssessmentSettings => assessments,
    CheckInSettings => check_in, LogSettings => log);

const ENV_PREFIX: &str = "ZHUJIAN_";
const CONFIG_FILE_ENV: &str = "ZHUJIAN_CONFIG";

impl Settings {
    /// Loads settings from the optional file and the process environment.
    pub fn load(config_file: Option<&Path>) -> anyhow::Result<Settings> {
        Self::load_from(config_file, std::env::vars())
    }

    /// Loads settings from the optional file and the given environment (testable).
    pub fn load_from(
        config_file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Settings> {
        let mut tree = toml::Table::new();
        if let Some(path) = config_file {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
            tree = toml::from_str(&text).with_context(|| format!("invalid TOML in {}", path.display()))?;
        }
        let mut database_url = None;
        for (name, value) in env {
            if name == "DATABASE_URL" {
                database_url = Some(value);
            } else if let Some(rest) = name.strip_prefix(ENV_PREFIX) {
                if name != CONFIG_FILE_ENV {
                    overlay_env(&mut tree, rest, &value);
                }
            }
        }
        let mut settings: Settings = toml::Value::Table(tree)
            .try_into()
            .context("invalid settings (see `zhujian --help` for every setting)")?;
        if let Some(url) = database_url.filter(|u| !u.is_empty()) {
            settings.database.url = url;
        }
        Ok(settings)
    }

    /// The database URL in effect: the configured one, or SQLite inside the storage directory.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.storage.dir.join("zhujian.db").display())
        } else {
            self.database.url.clone()
        }
    }

    /// The folder of the face models.
    pub fn models_dir(&self) -> PathBuf {
        if self.face.models_dir.as_os_str().is_empty() {
            self.storage.dir.join("models")
        } else {
            self.face.models_dir.clone()
        }
    }

    /// Makes sure both secrets are present. In development, missing secrets are generated once
    /// and kept in `<storage.dir>/secrets.toml`; production refuses to start without them.
    pub fn ensure_secrets(&mut self) -> anyhow::Result<()> {
        if self.profile == Profile::Production {
            if self.secrets.token_key.is_empty() || self.secrets.data_key.is_empty() {
                bail!("profile = production requires secrets.token_key and secrets.data_key (ZHUJIAN_SECRETS_TOKEN_KEY, ZHUJIAN_SECRETS_DATA_KEY)");
            }
        } else if self.secrets.token_key.is_empty() || self.secrets.data_key.is_empty() {
            let kept = load_or_generate_secrets(&self.storage.dir)?;
            if self.secrets.token_key.is_empty() {
                self.secrets.token_key = kept.token_key;
            }
            if self.secrets.data_key.is_empty() {
                self.secrets.data_key = kept.data_key;
            }
        }
        self.token_key()?;
        self.data_key()?;
        self.audit_keys()?;
        Ok(())
    }

    /// The configured audit key (`None`: derive one from the token key, development only)
    /// and the retired ones, decoded.
    pub fn audit_keys(&self) -> anyhow::Result<(Option<Vec<u8>>, Vec<Vec<u8>>)> {
        let decode = |text: &str| -> anyhow::Result<Vec<u8>> {
            let key = B64.decode(text.trim()).context("an audit key is not base64")?;
            if key.len() < 32 {
                bail!("audit keys must decode to at least 32 bytes");
            }
            Ok(key)
        };
        let current = match self.secrets.audit_key.trim() {
            "" => None,
            text => Some(decode(text).context("secrets.audit_key")?),
        };
        let retired = self
            .secrets
            .audit_retired_keys
            .iter()
            .map(|k| decode(k).context("secrets.audit_retired_keys"))
            .collect::<anyhow::Result<_>>()?;
        Ok((current, retired))
    }

    pub fn token_key(&self) -> anyhow::Result<Vec<u8>> {
        let key = B64
            .decode(self.secrets.token_key.trim())
            .context("secrets.token_key is not base64")?;
        if key.len() < 32 {
            bail!("secrets.token_key must decode to at least 32 bytes");
        }
        Ok(key)
    }

    pub fn data_key(&self) -> anyhow::Result<[u8; 32]> {
        let key = B64
            .decode(self.secrets.data_key.trim())
            .context("secrets.data_key is not base64")?;
        key.try_into()
            .map_err(|_| anyhow::anyhow!("secrets.data_key must decode to exactly 32 bytes"))
    }

    /// Settings a production deployment must not run with.
    pub fn check_production(&self) -> anyhow::Result<()> {
        if self.profile != Profile::Production {
            return Ok(());
        }
        if self.sms.provider == SmsProvider::File {
            bail!("profile = production requires a real SMS provider (sms.provider = \"tencent\")");
        }
        if self.wechat.app_id.is_empty() || self.wechat.app_secret.is_empty() {
            bail!("profile = production requires wechat.app_id and wechat.app_secret");
        }
        if self.secrets.audit_key.is_empty() {
            bail!("profile = production requires secrets.audit_key (ZHUJIAN_SECRETS_AUDIT_KEY), kept apart from the token key");
        }
        Ok(())
    }

    /// Settings that are wrong whatever the profile.
    pub fn check(&self) -> anyhow::Result<()> {
        let o = &self.objects;
        if o.backend == ObjectBackend::S3 && (o.s3_endpoint.is_empty() || o.s3_bucket.is_empty()) {
            bail!("objects.backend = \"s3\" requires objects.s3_endpoint and objects.s3_bucket");
        }
        if o.s3_part_size_bytes < 5 * 1024 * 1024 {
            bail!("objects.s3_part_size_bytes must be at least 5 MiB (S3's smallest part)");
        }
        let a = &self.assessments;
        if !(0.0..=100.0).contains(&a.basically_qualified_from_percent)
            || !(a.basically_qualified_from_percent..=100.0).contains(&a.qualified_from_percent)
        {
            bail!("assessments: 0 <= basically_qualified_from_percent <= qualified_from_percent <= 100 is required");
        }
        Ok(())
    }
}

/// Sets `section.key` (or a top-level key) from one `ZHUJIAN_*` variable.
fn overlay_env(tree: &mut toml::Table, name: &str, raw: &str) {
    let lower = name.to_ascii_lowercase();
    let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()));
    match lower.split_once('_') {
        Some((section, key)) if is_section(section) => {
            let entry = tree
                .entry(section.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(table) = entry {
                table.insert(key.to_string(), value);
            }
        }
        _ => {
            tree.insert(lower, value);
        }
    }
}

/// Whether `name` is a section (a table) of `Settings`, read off the struct itself.
fn is_section(name: &str) -> bool {
    toml::Value::try_from(Settings::default())
        .ok()
        .and_then(|tree| tree.get(name).map(toml::Value::is_table))
        .unwrap_or(false)
}

fn load_or_generate_secrets(dir: &Path) -> anyhow::Result<SecretSettings> {
    let path = dir.join("secrets.toml");
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        return toml::from_str(&text).with_context(|| format!("invalid {}", path.display()));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let secrets = SecretSettings {
        token_key: random_key(48),
        data_key: random_key(32),
        ..SecretSettings::default()
    };
    let text = format!(
        "# Generated on first start of the embedded default. Keep private; losing data_key\n\
         # makes encrypted personal data unreadable. Production sets secrets explicitly.\n{}",
        toml::to_string(&secrets)?
    );
    write_private(&path, &text)?;
    tracing::warn!(path = %path.display(), "generated development secrets; set secrets.* explicitly in production");
    Ok(secrets)
}

fn random_key(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut bytes);
    B64.encode(bytes)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn environment_overrides_file_and_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("z.toml");
        std::fs::write(&file, "[server]\nlisten = \"0.0.0.0:9000\"\nrequest_timeout_secs = 5\n").unwrap();
        let s = Settings::load_from(
            Some(&file),
            env(&[
                ("ZHUJIAN_SERVER_REQUEST_TIMEOUT_SECS", "7"),
                ("ZHUJIAN_AUTH_ACCESS_TOKEN_TTL_SECS", "60"),
                ("ZHUJIAN_SERVER_CORS_ORIGINS", "[\"https://a.example\"]"),
                ("ZHUJIAN_CONFIG", "ignored"),
                ("DATABASE_URL", "postgres://x@localhost/db"),
            ]),
        )
        .unwrap();
        assert_eq!(s.server.listen, "0.0.0.0:9000");
        assert_eq!(s.server.request_timeout_secs, 7);
        assert_eq!(s.auth.access_token_ttl_secs, 60);
        assert_eq!(s.server.cors_origins, vec!["https://a.example".to_string()]);
        assert_eq!(s.database_url(), "postgres://x@localhost/db");
        assert_eq!(s.auth.lockout_secs, Settings::default().auth.lockout_secs);
    }

    #[test]
    fn unknown_environment_setting_is_an_error() {
        let err = Settings::load_from(None, env(&[("ZHUJIAN_SERVER_LISTN", "x")])).unwrap_err();
        assert!(format!("{err:#}").contains("listn"), "{err:#}");
    }

    #[test]
    fn default_database_is_sqlite_in_storage() {
        assert_eq!(
            Settings::default().database_url(),
            "sqlite://storage/zhujian.db?mode=rwc"
        );
    }

    #[test]
    fn help_documents_every_setting() {
        let tree = toml::Value::try_from(Settings::default()).unwrap();
        let mut keys = Vec::new();
        for (k, v) in tree.as_table().unwrap() {
            match v.as_table() {
                Some(section) => keys.extend(section.keys().map(|s| format!("{k}.{s}"))),
                None => keys.push(k.clone()),
            }
        }
        for key in &keys {
            assert!(
                SETTINGS_HELP.contains(&format!("  {key} = ")),
                "{key} is missing from SETTINGS_HELP"
            );
        }
        let documented = SETTINGS_HELP
            .lines()
            .filter(|l| l.starts_with("  ") && l.contains(" = "))
            .count();
        assert_eq!(
            documented,
            keys.len(),
            "SETTINGS_HELP documents a setting that does not exist"
        );
    }

    #[test]
    fn development_secrets_are_generated_once_and_production_refuses_without() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Settings {
            storage: StorageSettings { dir: dir.path().into() },
            ..Default::default()
        };
        a.ensure_secrets().unwrap();
        let mut b = Settings {
            storage: StorageSettings { dir: dir.path().into() },
            ..Default::default()
        };
        b.ensure_secrets().unwrap();
        assert_eq!(a.secrets.token_key, b.secrets.token_key);
        assert_eq!(a.data_key().unwrap(), b.data_key().unwrap());
        let mut p = Settings {
            profile: Profile::Production,
            ..Default::default()
        };
        assert!(p.ensure_secrets().is_err());
    }
}
