//! What the demo refuses: a production profile, PostgreSQL unless asked for, and any database
//! that already holds something. A demo's own earlier database (its storage folder carries
//! the `DEMO` marker) is replaced only when asked to; nothing else is ever removed.

use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::platform::config::{Profile, Settings, SmsProvider};
use crate::platform::db::Db;

/// The file the demo writes into its storage folder before it fills anything.
pub const MARKER: &str = "DEMO";

/// The settings the fill runs with: the development stand-ins for every third party (WeChat
/// login and face verification, SMS written to `sms.log`), and check-ins with one selfie
/// instead of the liveness poses. Only the fill runs with them; serving uses the settings.
pub fn fill_settings(settings: &Settings) -> anyhow::Result<Settings> {
    if settings.profile == Profile::Production {
        bail!("the demo refuses the production profile: it fills a database with invented people and enterprises");
    }
    let mut fill = settings.clone();
    fill.sms.provider = SmsProvider::File;
    fill.wechat.app_id = String::new();
    fill.wechat.app_secret = String::new();
    fill.wechat.subscribe_templates = Vec::new();
    fill.liveness.check_in = false;
    fill.liveness.acceptance = false;
    fill.liveness.registration = false;
    Ok(fill)
}

/// Refuses PostgreSQL unless `allow_postgres`; with `replace`, removes a previous demo's
/// database and files (only if the storage folder carries the marker and the database is the
/// embedded one inside it).
pub fn prepare_storage(settings: &Settings, replace: bool, allow_postgres: bool) -> anyhow::Result<()> {
    let url = settings.database_url();
    if url.starts_with("postgres") && !allow_postgres {
        bail!(
            "the demo fills the embedded SQLite database (storage.dir); database.url names PostgreSQL. \
             Pass --allow-postgres to fill that (empty) PostgreSQL database anyway"
        );
    }
    let dir = &settings.storage.dir;
    if replace {
        remove_previous_demo(settings, dir)?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// Marks the storage folder as the demo's, once its database was found empty (so that a
/// failed fill can be replaced too, and a real database never can).
pub fn mark(dir: &Path) -> anyhow::Result<()> {
    std::fs::write(
        dir.join(MARKER),
        "Filled by `zhujian demo`: invented people and enterprises.\n",
    )?;
    Ok(())
}

fn remove_previous_demo(settings: &Settings, dir: &Path) -> anyhow::Result<()> {
    if !dir.join(MARKER).exists() {
        if dir.join("zhujian.db").exists() {
            bail!(
                "--replace removes only a demo's own database, and {} was not filled by `zhujian demo` (no {MARKER} file): nothing removed",
                dir.display()
            );
        }
        return Ok(());
    }
    if !settings.database.url.is_empty() {
        bail!(
            "--replace removes only the embedded database inside storage.dir, and database.url is set: nothing removed"
        );
    }
    for name in [
        "zhujian.db",
        "zhujian.db-wal",
        "zhujian.db-shm",
        "sms.log",
        "audit-spool.jsonl",
    ] {
        remove_if_there(&dir.join(name))?;
    }
    let objects: PathBuf = dir.join("objects");
    if objects.exists() {
        std::fs::remove_dir_all(&objects)?;
    }
    Ok(())
}

fn remove_if_there(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// A database that already has an audit event or a staff account is in use: the demo never
/// mixes its invented city into it.
pub async fn require_empty(db: &Db, storage: &Path) -> anyhow::Result<()> {
    let events = crate::audit::store::head(db).await?.seq;
    let staff = crate::staff::store::list(db, &crate::auth::Bounds::City, 0, 1, 0).await?;
    if events > 0 || !staff.is_empty() {
        let hint = if storage.join(MARKER).exists() {
            "it holds an earlier demo: pass --replace to start again"
        } else {
            "choose an empty storage folder, e.g. ZHUJIAN_STORAGE_DIR=demo-storage"
        };
        bail!("the database is in use ({events} audit events, staff accounts present: {}); the demo fills only an empty database: {hint}", !staff.is_empty());
    }
    Ok(())
}
