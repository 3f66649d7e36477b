//! `Act`: a request's state change and its audit event, committed in one transaction.
//!
//! A handler begins the act's transaction, makes its change through the stores, and commits
//! the act naming what it acted on. The event is appended inside the transaction, so a crash
//! leaves either both or neither; a refusal before the commit leaves nothing but the refusal
//! event the middleware records. A request may commit several acts, each with its event (a CSV
//! import commits one per row).

use std::sync::Arc;

use axum::{extract::FromRequestParts, http::request::Parts};

use super::{chain::Keyring, store, AuditContext};
use crate::platform::clock::Clock;
use crate::platform::db::{begin_write, Db, Engine, Tx};
use crate::state::AppState;

pub struct Act {
    context: AuditContext,
    db: Db,
    engine: Engine,
    keys: Arc<Keyring>,
    clock: Arc<dyn Clock>,
}

impl FromRequestParts<AppState> for Act {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Act {
            context: AuditContext::from_request_parts(parts, state).await?,
            db: state.db.clone(),
            engine: state.engine,
            keys: state.audit_keys.clone(),
            clock: state.clock.clone(),
        })
    }
}

impl Act {
    /// Names the object acted on before the act commits, for the event of a refusal.
    pub fn set_target(&self, target: impl Into<String>) {
        self.context.set_target(target)
    }

    /// Names who acted, where no `Caller` did (sign-ins).
    pub fn set_actor(&self, kind: &str, id: &str, role: &str) {
        self.context.set_actor(kind, id, role)
    }

    /// Begins the act's transaction (a writing one: see `db::begin_write`).
    pub async fn begin(&self) -> Result<Tx<'static>, sqlx::Error> {
        begin_write(&self.db, self.engine).await
    }

    /// Appends the act's event on `target` inside `tx` and commits both.
    pub async fn commit(&self, mut tx: Tx<'_>, target: impl Into<String>) -> Result<(), sqlx::Error> {
        self.context.set_target(target);
        let event = self.context.event(self.clock.now_ms(), "", 0);
        store::append(&mut tx, &self.keys, event).await?;
        tx.commit().await?;
        self.context.with(|f| f.recorded = true);
        Ok(())
    }
}

/// A change made by a background job rather than a request: committed with its event, the job
/// named as the actor (`system`, the job's name).
pub struct SystemAct<'a> {
    pub job: &'a str,
    pub action: &'a str,
    pub keys: &'a Keyring,
}

impl SystemAct<'_> {
    /// Appends the job's event on `target` inside `tx` and commits both.
    pub async fn commit(&self, mut tx: Tx<'_>, target: &str, now: i64) -> Result<(), sqlx::Error> {
        let event = super::chain::Event {
            seq: 0,
            at: now,
            request_id: String::new(),
            actor_kind: "system".into(),
            actor_id: self.job.into(),
            role: String::new(),
            action: self.action.into(),
            target: target.into(),
            outcome: "ok".into(),
            status: 0,
        };
        store::append(&mut tx, self.keys, event).await?;
        tx.commit().await
    }
}
