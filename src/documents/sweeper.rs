//! The sweeper: removes presigned uploads never completed and objects without a document row
//! (left by a crash between storing an object and committing its row), once they are older
//! than `uploads.pending_max_age_secs`. One instance at a time runs it, by lease.

use crate::platform::observe::JobPass;
use std::time::Duration;

use super::{rules, store};
use crate::platform::ids::DocumentId;
use crate::platform::objects::ObjectStore;
use crate::state::AppState;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub pending_removed: usize,
    pub orphans_removed: usize,
    /// Another instance holds the lease.
    pub skipped: bool,
}

const LEASE: &str = "documents.sweep";

/// Runs the sweeper every `uploads.sweep_interval_secs` until the process ends.
pub async fn run(state: AppState) {
    let interval = state.settings.uploads.sweep_interval_secs;
    if interval == 0 {
        return;
    }
    loop {
        tokio::time::sleep(Duration::from_secs(interval)).await;
        match sweep_once(&state).await {
            Ok(report) if report.pending_removed + report.orphans_removed > 0 => {
                tracing::info!(?report, "swept uploads")
            }
            Ok(_) => {}
            Err(error) => {
                state.metrics.job_pass(LEASE, JobPass::Failed);
                tracing::warn!(%error, "sweeping uploads failed")
            }
        }
    }
}

pub async fn sweep_once(state: &AppState) -> anyhow::Result<SweepReport> {
    let now = state.clock.now_ms();
    let lease_ms = (state.settings.uploads.sweep_interval_secs.max(60) * 1000) as i64;
    if !crate::platform::jobs::acquire(&state.db, LEASE, &state.instance_id, now, lease_ms).await? {
        state.metrics.job_pass(LEASE, JobPass::Skipped);
        return Ok(SweepReport {
            skipped: true,
            ..Default::default()
        });
    }
    let cutoff = now - state.settings.uploads.pending_max_age_secs * 1000;
    let mut report = SweepReport::default();
    for (id, key) in store::stale_pending(&state.db, cutoff).await? {
        state.objects.delete(&key).await?;
        if store::delete_pending(&state.db, &id).await? {
            report.pending_removed += 1;
        }
    }
    for object in state.objects.list("documents/").await? {
        let Some(id) = rules::document_id_of_key(&object.key) else {
            continue;
        };
        if object.modified_ms < cutoff && !store::exists(&state.db, &DocumentId::from(id)).await? {
            state.objects.delete(&object.key).await?;
            report.orphans_removed += 1;
        }
    }
    if let ObjectStore::Local(local) = &*state.objects {
        let stale = local
            .partial_writes()
            .await?
            .into_iter()
            .filter(|p| p.modified_ms < cutoff);
        for partial in stale {
            if let Some(name) = partial.key.strip_prefix(".partial/") {
                local.delete_partial(name).await?;
                report.orphans_removed += 1;
            }
        }
    }
    let items = (report.pending_removed + report.orphans_removed) as u64;
    state.metrics.job_pass(LEASE, JobPass::Worked { items });
    Ok(report)
}
