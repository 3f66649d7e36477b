//! Anchoring the chain outside the database: at intervals, the head (last sequence number and
//! link) is signed with the audit key and written to the object store and to the log. Someone
//! who rewrites or cuts back the chain inside the database cannot change what was anchored
//! before, so `audit verify` finds the disagreement. What was appended after the last
//! checkpoint is protected by the keyed links alone: the interval bounds that window.

use crate::platform::observe::JobPass;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use super::chain::{Checkpoint, Keyring};
use super::store;
use crate::platform::db::Db;
use crate::platform::objects::{ObjectStore, StoreError};
use crate::state::AppState;

const LEASE: &str = "audit.checkpoint";

/// Where checkpoints are kept: one folder of the object store per deployment.
#[derive(Clone, Copy)]
pub struct Anchor<'a> {
    pub objects: &'a ObjectStore,
    pub prefix: &'a str,
}

impl<'a> Anchor<'a> {
    pub fn of(state: &'a AppState) -> Anchor<'a> {
        Anchor {
            objects: &state.objects,
            prefix: &state.settings.audit.checkpoint_prefix,
        }
    }

    fn key_of(&self, seq: i64) -> String {
        // Zero-padded, so that listing order is sequence order.
        format!("{}{seq:020}.json", self.prefix)
    }

    /// A copy of the newest checkpoint, so that taking one need not list them all.
    fn latest_key(&self) -> String {
        format!("{}latest.json", self.prefix)
    }
}

/// Anchors the head every `audit.checkpoint_interval_secs` until the process ends, and drains
/// events spooled while the database was unreachable.
pub async fn run(state: AppState) {
    let interval = state.settings.audit.checkpoint_interval_secs;
    if interval == 0 {
        return;
    }
    loop {
        tokio::time::sleep(Duration::from_secs(interval)).await;
        if let Err(error) = super::spool::drain(&state).await {
            tracing::warn!(%error, "draining the audit spool failed");
        }
        let lease_ms = (interval.max(60) * 1000) as i64;
        match crate::platform::jobs::acquire(&state.db, LEASE, &state.instance_id, state.clock.now_ms(), lease_ms).await
        {
            Ok(true) => match take(&state.db, Anchor::of(&state), &state.audit_keys, state.clock.now_ms()).await {
                Ok(taken) => state.metrics.job_pass(
                    LEASE,
                    JobPass::Worked {
                        items: taken.is_some() as u64,
                    },
                ),
                Err(error) => {
                    state.metrics.job_pass(LEASE, JobPass::Failed);
                    tracing::warn!(%error, "anchoring the audit chain failed");
                }
            },
            Ok(false) => state.metrics.job_pass(LEASE, JobPass::Skipped),
            Err(error) => {
                state.metrics.job_pass(LEASE, JobPass::Failed);
                tracing::warn!(%error, "anchoring the audit chain failed")
            }
        }
    }
}

/// Signs and stores a checkpoint of the current head, unless the newest checkpoint already
/// records it. Returns the checkpoint written.
pub async fn take(db: &Db, anchor: Anchor<'_>, keys: &Keyring, now: i64) -> anyhow::Result<Option<Checkpoint>> {
    let head = store::head(db).await?;
    let newest = read(anchor.objects, &anchor.latest_key()).await?.map_or(0, |c| c.seq);
    if head.seq == 0 || head.seq <= newest {
        return Ok(None);
    }
    let checkpoint = Checkpoint::sign(&keys.current, head.seq, &head.hash, now);
    let bytes: bytes::Bytes = serde_json::to_vec(&checkpoint)?.into();
    anchor
        .objects
        .put(&anchor.key_of(checkpoint.seq), bytes.clone())
        .await?;
    anchor.objects.put(&anchor.latest_key(), bytes).await?;
    tracing::info!(
        seq = checkpoint.seq,
        hash = %checkpoint.hash,
        key_id = %checkpoint.key_id,
        signature = %checkpoint.signature,
        "audit checkpoint"
    );
    Ok(Some(checkpoint))
}

/// Every checkpoint in the object store, in sequence order.
pub async fn load_all(anchor: Anchor<'_>) -> anyhow::Result<Vec<Checkpoint>> {
    let Anchor { objects, prefix } = anchor;
    let latest = anchor.latest_key();
    let mut keys: Vec<String> = objects
        .list(prefix)
        .await?
        .into_iter()
        .map(|l| l.key)
        .filter(|k| k.starts_with(prefix) && *k != latest)
        .collect();
    keys.sort();
    let mut checkpoints = Vec::with_capacity(keys.len());
    for key in keys {
        checkpoints.extend(read(objects, &key).await?);
    }
    Ok(checkpoints)
}

/// One checkpoint object, `None` when it does not exist.
async fn read(objects: &ObjectStore, key: &str) -> anyhow::Result<Option<Checkpoint>> {
    let mut reader = match objects.reader(key).await {
        Err(StoreError::NotFound) => return Ok(None),
        other => other?,
    };
    let mut text = Vec::new();
    reader.read_to_end(&mut text).await?;
    let checkpoint =
        serde_json::from_slice(&text).map_err(|e| anyhow::anyhow!("checkpoint {key} is unreadable: {e}"))?;
    Ok(Some(checkpoint))
}
