//! Backup and restore of a whole store: the database, the objects it names and the audit
//! checkpoints, taken online while the server runs (`zhujian store backup`, `zhujian store
//! restore`), on the embedded default (SQLite, files) and on PostgreSQL with S3.
//!
//! A backup is consistent as of one instant, the database snapshot, in three steps whose order
//! is the point:
//! 1. the audit checkpoints, first, so that none is newer than the copied chain (a newer one
//!    would make the restored log look cut short);
//! 2. the database, in one read transaction (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump` in an
//!    exported snapshot): every act committed before it is in, with its audit event;
//! 3. every object the copied database names (read in that same snapshot), checked against
//!    the digest recorded at upload: an object is complete before the row that names it
//!    commits, and is never rewritten.
//!
//! `manifest.json`, written last, lists every copied object with its SHA-256; `restore`
//! checks them all, and that the target database is new, before it writes anything; the
//! database goes last. The generated `secrets.toml` of a development store goes along (its
//! data key opens the encrypted personal data); production keys come from the environment and
//! stay out of backups.

mod postgres;

use std::path::{Component, Path, PathBuf};

use anyhow::{bail, ensure, Context};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::documents;
use crate::platform::clock::system_now_ms;
use crate::platform::config::Settings;
use crate::platform::db::{self, Db, Engine};
use crate::platform::objects::ObjectStore;

const DATABASE: &str = "zhujian.db";
const DUMP: &str = "zhujian.pgdump";
const MANIFEST: &str = "manifest.json";
const SECRETS: &str = "secrets.toml";
const OBJECTS: &str = "objects";
const CHUNK: usize = 1 << 20;

/// What a backup holds, written last: a folder without it is an unfinished backup.
#[derive(Serialize, Deserialize, Debug)]
pub struct Manifest {
    /// Unix milliseconds just before the database was copied: every act acknowledged before
    /// then is in the backup.
    pub taken_at: i64,
    pub objects: Vec<Entry>,
}

/// One copied object.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub sha256: String,
    pub size: u64,
}

/// Backs up the running store that `settings` name, whose database is `db`, into `to`, a
/// folder that must not exist yet.
pub async fn backup(settings: &Settings, db: &Db, engine: Engine, to: &Path) -> anyhow::Result<Manifest> {
    ensure!(
        !to.exists(),
        "{} already exists: back up into a new folder",
        to.display()
    );
    tokio::fs::create_dir_all(to.join(OBJECTS)).await?;
    let objects = ObjectStore::from_settings(settings)?;
    let mut entries = Vec::new();
    for listed in objects.list(&settings.audit.checkpoint_prefix).await? {
        entries.push(copy_out(&objects, &listed.key, to).await?);
    }
    let taken_at = system_now_ms();
    let stored = match engine {
        Engine::Sqlite => {
            let database = to.join(DATABASE);
            db::copy_sqlite(db, &database).await?;
            let copy = db::open_sqlite_read_only(&database).await?;
            let stored = documents::stored_objects(&copy).await?;
            copy.close().await;
            stored
        }
        Engine::Postgres => postgres::dump(db, &settings.database_url(), &to.join(DUMP)).await?,
    };
    for (key, sha256, size) in stored {
        let entry = copy_out(&objects, &key, to).await?;
        ensure!(
            entry.sha256 == sha256 && entry.size == size as u64,
            "object {key} differs from its recorded digest or size: the store is damaged"
        );
        entries.push(entry);
    }
    let secrets = settings.storage.dir.join(SECRETS);
    if secrets.exists() {
        tokio::fs::copy(&secrets, to.join(SECRETS)).await?;
    }
    let manifest = Manifest {
        taken_at,
        objects: entries,
    };
    tokio::fs::write(to.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?).await?;
    Ok(manifest)
}

/// What `restore` put back.
#[derive(Debug)]
pub struct Restored {
    pub taken_at: i64,
    pub objects: usize,
}

/// Restores the backup in `from` into the store `settings` name (its database, objects and
/// kept secrets). The database must be new: no SQLite file there yet, or a PostgreSQL database
/// without tables. Every object is checked against the manifest before anything is written.
pub async fn restore(settings: &Settings, from: &Path) -> anyhow::Result<Restored> {
    let manifest: Manifest = serde_json::from_slice(
        &tokio::fs::read(from.join(MANIFEST))
            .await
            .with_context(|| format!("{} holds no finished backup (no {MANIFEST})", from.display()))?,
    )?;
    for entry in &manifest.objects {
        let (sha256, size) = digest_of(&object_path(from, &entry.key)?).await?;
        ensure!(
            sha256 == entry.sha256 && size == entry.size,
            "object {} in the backup differs from its manifest: the backup is damaged",
            entry.key
        );
    }
    let url = settings.database_url();
    let engine = Engine::of_url(&url)?;
    let dir = &settings.storage.dir;
    let sqlite_file = dir.join(DATABASE);
    let (dump, target) = match engine {
        Engine::Sqlite => {
            ensure!(
                settings.database.url.is_empty(),
                "restore SQLite into storage.dir/{DATABASE}: leave database.url empty"
            );
            ensure!(
                !sqlite_file.exists(),
                "{} exists: restore into a new storage folder",
                sqlite_file.display()
            );
            (from.join(DATABASE), None)
        }
        Engine::Postgres => {
            let (db, _) = db::connect(settings).await?;
            postgres::ensure_empty(&db).await?;
            db.close().await;
            (from.join(DUMP), Some(url))
        }
    };
    ensure!(
        dump.exists(),
        "{} is missing: this backup is of the other database engine",
        dump.display()
    );
    tokio::fs::create_dir_all(dir).await?;
    let objects = ObjectStore::from_settings(settings)?;
    for entry in &manifest.objects {
        copy_in(&objects, from, &entry.key).await?;
    }
    if from.join(SECRETS).exists() && !dir.join(SECRETS).exists() {
        tokio::fs::copy(from.join(SECRETS), dir.join(SECRETS)).await?;
    }
    // Last: the database is what makes the rest a store.
    match target {
        None => {
            tokio::fs::copy(&dump, &sqlite_file).await?;
        }
        Some(url) => postgres::restore(&url, &dump).await?,
    }
    Ok(Restored {
        taken_at: manifest.taken_at,
        objects: manifest.objects.len(),
    })
}

/// Copies one object into the backup folder, hashing it on the way.
async fn copy_out(objects: &ObjectStore, key: &str, to: &Path) -> anyhow::Result<Entry> {
    let path = object_path(to, key)?;
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let mut reader = objects
        .reader(key)
        .await
        .with_context(|| format!("object {key} cannot be read"))?;
    let mut file = tokio::fs::File::create(&path).await?;
    let (mut hasher, mut size, mut buffer) = (Sha256::new(), 0u64, vec![0; CHUNK]);
    loop {
        let read = reader.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        file.write_all(&buffer[..read]).await?;
        size += read as u64;
    }
    file.sync_all().await?;
    Ok(Entry {
        key: key.to_owned(),
        sha256: hex::encode(hasher.finalize()),
        size,
    })
}

/// Puts one object of the backup back into the store, streamed.
async fn copy_in(objects: &ObjectStore, from: &Path, key: &str) -> anyhow::Result<()> {
    let mut file = tokio::fs::File::open(object_path(from, key)?).await?;
    let mut writer = objects.writer(key).await?;
    let mut buffer = vec![0; CHUNK];
    loop {
        let read = file.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        if let Err(error) = writer.write(Bytes::copy_from_slice(&buffer[..read])).await {
            writer.abort().await;
            return Err(error.into());
        }
    }
    writer.finish().await?;
    Ok(())
}

async fn digest_of(path: &Path) -> anyhow::Result<(String, u64)> {
    let mut file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("{} is missing from the backup", path.display()))?;
    let (mut hasher, mut size, mut buffer) = (Sha256::new(), 0u64, vec![0; CHUNK]);
    loop {
        let read = file.read(&mut buffer).await?;
        if read == 0 {
            return Ok((hex::encode(hasher.finalize()), size));
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
}

/// Where an object's copy lives in a backup folder. Keys are the server's own, but a manifest
/// is a file on disk: one that climbs out of the folder is refused.
fn object_path(root: &Path, key: &str) -> anyhow::Result<PathBuf> {
    let relative = Path::new(key);
    if !relative.components().all(|c| matches!(c, Component::Normal(_))) {
        bail!("object key {key:?} is not a plain relative path");
    }
    Ok(root.join(OBJECTS).join(relative))
}
