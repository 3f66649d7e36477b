//! The built-in default of every setting (the sections are in `sections`).

use std::path::PathBuf;

use super::sections::*;
use super::Settings;

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
                header_read_timeout_secs: 10,
                max_connections: 4096,
                max_connections_per_address: 256,
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
                sms_per_account_per_day: 10,
                sms_per_address_per_day: 20,
                sms_per_day: 5000,
                console_idle_secs: 30 * 60,
                console_max_secs: 12 * 3600,
            },
            secrets: SecretSettings::default(),
            wechat: WechatSettings {
                base_url: "https://api.weixin.qq.com".into(),
                app_id: String::new(),
                app_secret: String::new(),
                subscribe_templates: Vec::new(),
                subscribe_page: "pages/notifications/index".into(),
                miniprogram_state: "formal".into(),
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
                image_decode_budget_mb: 512,
                image_decode_wait_ms: 3000,
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
                max_pixels: 12_000_000,
            },
            identity: IdentitySettings {
                face_methods: FaceMethods::Local,
                min_level_acceptance: AssuranceLevel::SelfDeclared,
                min_level_check_in: AssuranceLevel::SelfDeclared,
                desk_code_ttl_secs: 600,
            },
            employment: EmploymentSettings {
                request_ttl_secs: 7 * 24 * 3600,
                challenge_ttl_secs: 180,
                max_contract_years: 10,
                unregistered_per_day: 20,
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
            liveness: LivenessSettings {
                check_in: true,
                acceptance: false,
                registration: false,
                registration_challenge_ttl_secs: 180,
                front_max_yaw: 15.0,
                turn_min_yaw: 12.0,
            },
            certificates: CertificateSettings {
                public_lookups_per_address_per_hour: 120,
                issuer: "住房和城乡建设主管部门".to_owned(),
            },
            applications: ApplicationSettings {
                approval_chains: Vec::new(),
                employer_change_interval_months: 6,
                renewal_window_days: 90,
                renewal_education_hours: 24,
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
    SmsSettings => sms, ObjectSettings => objects, UploadSettings => uploads, FaceSettings => face, IdentitySettings => identity,
    EmploymentSettings => employment,
    AssessmentSettings => assessments,
    CheckInSettings => check_in, LivenessSettings => liveness, CertificateSettings => certificates,
    ApplicationSettings => applications,
    LogSettings => log);
