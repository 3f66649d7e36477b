//! The spool: events that could not be appended because the database was unreachable (an
//! outage is exactly when refusals matter) are written to a local file, flushed to disk, and
//! appended to the chain once the database answers again. Each line is one event as JSON.
//! An event already in the chain (a drain cut short after its commit) is not appended twice.

use std::io::Write;
use std::path::{Path, PathBuf};

use tokio::sync::Mutex;

use super::chain::Event;
use super::store;
use crate::state::AppState;

/// One writer or drainer at a time within the process.
static SPOOL: Mutex<()> = Mutex::const_new(());

pub fn path(storage_dir: &Path) -> PathBuf {
    storage_dir.join("audit-spool.jsonl")
}

/// Appends the event to the spool file and flushes it to disk.
pub async fn keep(storage_dir: &Path, event: &Event) -> std::io::Result<()> {
    let _held = SPOOL.lock().await;
    let path = path(storage_dir);
    let mut line = serde_json::to_vec(event).map_err(std::io::Error::other)?;
    line.push(b'\n');
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        file.write_all(&line)?;
        file.sync_all()
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Appends every spooled event to the chain, then empties the spool. Returns how many were
/// appended.
pub async fn drain(state: &AppState) -> anyhow::Result<usize> {
    let _held = SPOOL.lock().await;
    let path = path(&state.settings.storage.dir);
    let text = match tokio::fs::read_to_string(&path).await {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut appended = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let event: Event = match serde_json::from_str(line) {
            Ok(event) => event,
            Err(error) => {
                tracing::error!(%error, "an unreadable line in the audit spool was skipped");
                continue;
            }
        };
        if !store::contains(&state.db, &event).await? {
            store::append_alone(&state.db, &state.audit_keys, event).await?;
            appended += 1;
        }
    }
    tokio::fs::remove_file(&path).await?;
    Ok(appended)
}
