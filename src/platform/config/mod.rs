//! Settings: built-in defaults < optional TOML file (`--config` / `ZHUJIAN_CONFIG`) <
//! `ZHUJIAN_*` environment variables < `DATABASE_URL`.
//!
//! Environment names are the setting's path in upper case with `_` between section and key:
//! `server.listen` is `ZHUJIAN_SERVER_LISTEN`, `auth.access_token_ttl_secs` is
//! `ZHUJIAN_AUTH_ACCESS_TOKEN_TTL_SECS`. Values are read as TOML when they parse (numbers,
//! booleans, arrays such as `["https://a.example"]`) and as plain strings otherwise. An unknown
//! `ZHUJIAN_*` name is a start-up error, so a typo never goes unnoticed.
//!
//! - this file: `Settings`, loading them from the file and the environment, and their checks;
//! - `sections`: the sections of `Settings`; `defaults`: every default;
//! - `secrets`: the keys, decoded, and the development secrets generated on first start;
//! - `help`: `SETTINGS_HELP`, every setting with its default and meaning.

mod defaults;
mod help;
mod secrets;
mod sections;

pub use help::SETTINGS_HELP;
pub use sections::{
    ApplicationSettings, AssessmentSettings, AssuranceLevel, AuditSettings, AuthSettings, CertificateSettings,
    CheckInSettings, DatabaseSettings, EmploymentSettings, FaceMethods, FaceSettings, IdentitySettings,
    LivenessSettings, LogFormat, LogSettings, ObjectBackend, ObjectSettings, Profile, SecretSettings, ServerSettings,
    SmsProvider, SmsSettings, StorageSettings, UploadSettings, WechatSettings, MAX_PHOTO_HASH_DISTANCE,
};

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

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
    pub identity: IdentitySettings,
    pub employment: EmploymentSettings,
    pub assessments: AssessmentSettings,
    pub check_in: CheckInSettings,
    pub liveness: LivenessSettings,
    pub certificates: CertificateSettings,
    pub applications: ApplicationSettings,
    pub audit: AuditSettings,
    pub log: LogSettings,
}

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
        let w = &self.wechat;
        crate::platform::wechat::subscribe::parse_templates(&w.subscribe_templates)
            .map_err(|e| anyhow::anyhow!("wechat.subscribe_templates: {e}"))?;
        if !["developer", "trial", "formal"].contains(&w.miniprogram_state.as_str()) {
            bail!("wechat.miniprogram_state must be developer, trial or formal");
        }
        let a = &self.assessments;
        if !(0.0..=100.0).contains(&a.basically_qualified_from_percent)
            || !(a.basically_qualified_from_percent..=100.0).contains(&a.qualified_from_percent)
        {
            bail!("assessments: 0 <= basically_qualified_from_percent <= qualified_from_percent <= 100 is required");
        }
        let l = &self.liveness;
        if !(0.0..=45.0).contains(&l.front_max_yaw) || !(5.0..=60.0).contains(&l.turn_min_yaw) {
            bail!("liveness: front_max_yaw must be 0–45 degrees and turn_min_yaw 5–60 degrees");
        }
        if self.check_in.photo_hash_distance > MAX_PHOTO_HASH_DISTANCE {
            bail!("check_in.photo_hash_distance must be at most {MAX_PHOTO_HASH_DISTANCE} bits");
        }
        if !(0..=1000).contains(&self.applications.renewal_education_hours) {
            bail!("applications.renewal_education_hours must be 0–1000");
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
    match section_of(&lower) {
        Some((section, key)) => {
            let entry = tree
                .entry(section)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(table) = entry {
                table.insert(key.to_string(), value);
            }
        }
        None => {
            tree.insert(lower, value);
        }
    }
}

/// The section (a table of `Settings`, read off the struct itself) a lower-case variable name
/// starts with, and the key after it: the longest section that matches, since section names
/// have underscores too (`check_in_max_speed_kmh` is `check_in.max_speed_kmh`).
fn section_of(name: &str) -> Option<(String, &str)> {
    let tree = toml::Value::try_from(Settings::default()).ok()?;
    let sections = tree.as_table()?.iter().filter(|(_, v)| v.is_table()).map(|(k, _)| k);
    sections
        .filter_map(|section| Some((section.clone(), name.strip_prefix(section.as_str())?.strip_prefix('_')?)))
        .max_by_key(|(section, _)| section.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// Every setting of every section can be given as an environment variable: each is set to
    /// its default's value through `ZHUJIAN_<SECTION>_<KEY>`, and the load must accept it.
    #[test]
    fn every_setting_can_come_from_the_environment() {
        let tree = toml::Value::try_from(Settings::default()).unwrap();
        for (section, values) in tree.as_table().unwrap() {
            let Some(values) = values.as_table() else { continue };
            for (key, value) in values {
                let raw = match value {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let name = format!("ZHUJIAN_{}_{}", section.to_uppercase(), key.to_uppercase());
                let loaded = Settings::load_from(None, env(&[(&name, &raw)]));
                assert!(loaded.is_ok(), "{name}={raw}: {:?}", loaded.err());
            }
        }
        let loaded = Settings::load_from(None, env(&[("ZHUJIAN_CHECK_IN_CLOSE_INTERVAL_SECS", "7")])).unwrap();
        assert_eq!(loaded.check_in.close_interval_secs, 7);
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
}
