//! The sections of `Settings`, one struct each; their defaults are in `defaults`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

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
    /// A connection must send a request's headers within this time (`platform::server`).
    pub header_read_timeout_secs: u64,
    pub max_connections: usize,
    /// 0: no cap (behind a proxy, every connection comes from its address).
    pub max_connections_per_address: usize,
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
    /// Reset-code SMS sent to one account within a day.
    pub sms_per_account_per_day: i64,
    /// Reset-code SMS asked for from one client address within a day (known account or not).
    pub sms_per_address_per_day: i64,
    /// Reset-code SMS sent in all within a day.
    pub sms_per_day: i64,
    /// A console session (staff console or enterprise portal) unused this long ends (idle expiry).
    pub console_idle_secs: i64,
    /// A console session (staff console or enterprise portal) ends this long after sign-in, however used (absolute expiry).
    pub console_max_secs: i64,
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
    /// Subscription message templates, one per notification kind:
    /// `"<kind> <template id> <key>=<source> …"` (`platform::wechat::subscribe::Template`).
    pub subscribe_templates: Vec<String>,
    /// The mini-program page a subscription message opens; `?id=<notification id>` is added.
    pub subscribe_page: String,
    /// Which mini-program a message opens: developer | trial | formal.
    pub miniprogram_state: String,
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
    /// Memory all image decodes together may use at once (`documents::pool`).
    pub image_decode_budget_mb: u64,
    /// How long an upload waits for room in that budget before it is refused as busy.
    pub image_decode_wait_ms: u64,
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
    pub max_pixels: u64,
}

/// How a person's identity was established, weakest first (`people::assurance`): their own
/// portrait and selfie matched locally; a staff member at the authority's desk compared the ID
/// card; WeChat's face verification (人脸核身) passed against the national database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssuranceLevel {
    SelfDeclared,
    StaffVerified,
    WechatVerified,
}

/// Which face checks the face-checked acts take: a selfie matched locally with the enrolled
/// face, a passed WeChat face verification (人脸核身), or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaceMethods {
    Local,
    Wechat,
    Both,
}

impl FaceMethods {
    pub fn local(self) -> bool {
        matches!(self, FaceMethods::Local | FaceMethods::Both)
    }

    pub fn wechat(self) -> bool {
        matches!(self, FaceMethods::Wechat | FaceMethods::Both)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentitySettings {
    pub face_methods: FaceMethods,
    pub min_level_acceptance: AssuranceLevel,
    pub min_level_check_in: AssuranceLevel,
    pub desk_code_ttl_secs: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmploymentSettings {
    pub request_ttl_secs: i64,
    pub challenge_ttl_secs: i64,
    pub max_contract_years: u32,
    /// Requests for ID numbers nobody registered, per enterprise and day, before 429.
    pub unregistered_per_day: i64,
}

/// Certificates (`certificates`): the public lookup's cap per client address, and the issuing
/// authority printed on electronic certificates.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CertificateSettings {
    pub public_lookups_per_address_per_hour: i64,
    pub issuer: String,
}

/// Applications (`applications`, 办件): the approval chains that replace the seeds' defaults
/// (`applications::chain`), how long after an employer change another may be applied for, from
/// how many days before expiry a renewal may be applied for, and the continuing education it
/// needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationSettings {
    pub approval_chains: Vec<String>,
    pub employer_change_interval_months: u32,
    pub renewal_window_days: u32,
    /// The fewest hours of passed continuing education (`training::passed_hours`) within the
    /// validity a renewal (延续) needs; 0: none.
    pub renewal_education_hours: i64,
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
}

/// The largest `check_in.photo_hash_distance`: beyond it the photo registry's index probes
/// grow past thousands of values per band, and unrelated photos start to fall within it.
pub const MAX_PHOTO_HASH_DISTANCE: u32 = 15;

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

/// Which face-checked acts ask for a liveness challenge (a short sequence of head poses, one
/// photo each), and how the poses are judged.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LivenessSettings {
    pub check_in: bool,
    pub acceptance: bool,
    pub registration: bool,
    pub registration_challenge_ttl_secs: i64,
    pub front_max_yaw: f64,
    pub turn_min_yaw: f64,
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
