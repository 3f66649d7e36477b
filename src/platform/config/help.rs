//! The help table of every setting, shown by `zhujian --help`.

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
  server.header_read_timeout_secs = 10  a connection that has not sent a request's headers by then is closed
  server.max_connections = 4096      open connections at most; more wait in the backlog
  server.max_connections_per_address = 256  open connections per client address (0: no cap, e.g. behind a proxy)
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
  auth.sms_per_account_per_day = 10  reset-code SMS to one account per day
  auth.sms_per_address_per_day = 20  reset-code SMS asked for from one client address per day
  auth.sms_per_day = 5000            reset-code SMS in all per day
  auth.console_idle_secs = 1800      a console session (staff or enterprise) unused this long ends
  auth.console_max_secs = 43200      a console session (staff or enterprise) ends this long after sign-in
  secrets.token_key = \"\"            base64, at least 32 bytes: signs tokens and links
  secrets.data_key = \"\"             base64, exactly 32 bytes: encrypts personal data (AES-256-GCM)
  secrets.audit_key = \"\"            base64, at least 32 bytes: keys the audit chain's links and checkpoints
                                     (development: derived from token_key; production requires it)
  secrets.audit_retired_keys = []    former audit keys (base64), kept so that older rows still verify
  wechat.base_url = \"https://api.weixin.qq.com\"  WeChat API base URL
  wechat.app_id = \"\"                mini-program AppID
  wechat.app_secret = \"\"            mini-program AppSecret
  wechat.subscribe_templates = []    subscription messages to persons, one per notification kind:
                                     \"<kind> <template id> <key>=<source> …\", e.g.
                                     \"employment.requested TPL thing1=enterprise thing2=position time3=time\";
                                     a source is title, body, time or a parameter of the kind
  wechat.subscribe_page = \"pages/notifications/index\"  page a subscription message opens (?id= added)
  wechat.miniprogram_state = \"formal\"  mini-program a message opens: developer | trial | formal
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
  uploads.image_decode_budget_mb = 512  memory all image decodes together may use (8 bytes a pixel)
  uploads.image_decode_wait_ms = 3000  wait for room in that budget, then 503 with Retry-After
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
  face.max_pixels = 12000000         larger photos are refused before decoding (bounds a face check's cost)
  identity.face_methods = \"local\"     face checks the face-checked acts take: local (a selfie matched with the
                                     enrolled face) | wechat (WeChat face verification, 人脸核身) | both
  identity.min_level_acceptance = \"self_declared\"  lowest identity assurance that may accept employment:
                                     self_declared | staff_verified | wechat_verified (in that order)
  identity.min_level_check_in = \"self_declared\"    lowest identity assurance that may check in
  identity.desk_code_ttl_secs = 600  a desk code (shown by the person to staff at the authority's desk) is valid this long
  employment.request_ttl_secs = 604800  an employment request not answered in this time expires
  employment.challenge_ttl_secs = 180   a confirmation challenge must be used within this time
  employment.max_contract_years = 10    longest contract period accepted
  employment.unregistered_per_day = 20  requests for unregistered ID numbers per enterprise a day, then 429
  check_in.default_radius_m = 300.0  radius of a site's fence unless staff set one for the site
  check_in.max_accuracy_m = 100.0    a position reported less precisely than this is refused
  check_in.challenge_ttl_secs = 120  a check-in challenge must be used within this time
  check_in.max_speed_kmh = 300.0     faster travel since the person's previous check-in is flagged
  check_in.photo_hash_distance = 6   a face photo this close (bits of a 64-bit difference hash, at most 15) to any earlier one, from any flow, is refused
  check_in.rectification_days = 30   days a rectification notice gives the enterprise
  check_in.close_interval_secs = 600 how often overdue tasks are closed (0: never)
  assessments.city_review_districts = [\"*\"]  districts whose assessments the city station reviews (\"*\": all); it reads every district
  assessments.qualified_from_percent = 80.0  a reviewed self-assessment scoring this share of its maximum or more is qualified
  assessments.basically_qualified_from_percent = 60.0  … basically qualified from this share; below it, unqualified
  liveness.check_in = true           check-ins ask for a liveness challenge: photos in a random sequence of head poses
  liveness.acceptance = false        employment acceptances ask for one too
  liveness.registration = false      registrations ask for one too (POST /people/me/registration/challenge first)
  liveness.registration_challenge_ttl_secs = 180  a registration challenge must be used within this time
  liveness.front_max_yaw = 15.0      largest head turn, degrees, of a frame asked to face the camera
  liveness.turn_min_yaw = 12.0       smallest turn, degrees, from the first frame toward the side asked
  certificates.public_lookups_per_address_per_hour = 120  public certificate lookups from one client address per hour
  certificates.issuer = \"住房和城乡建设主管部门\"  the issuing authority printed on electronic certificates
  applications.approval_chains = []  chains replacing the seeds' defaults, e.g. [\"renewal=enterprise>district>city\"] (steps: enterprise, district, city)
  applications.employer_change_interval_months = 6  months after an approved employer change before another may be applied for
  applications.renewal_window_days = 90  days before expiry from which a renewal may be applied for
  applications.renewal_education_hours = 24  hours of passed continuing education within the validity a renewal needs (0–1000; 0: none)
  audit.checkpoint_interval_secs = 300  how often the audit chain's head is signed into the object store (0: never)
  audit.checkpoint_prefix = \"audit/checkpoints/\"  where in the object store checkpoints are kept (one place per deployment)
  log.format = \"text\"               text | json
  log.level = \"info\"                tracing filter, e.g. \"info,zhujian=debug\"
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::config::Settings;

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
}
