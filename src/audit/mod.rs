//! The audit log: an append-only, keyed hash chain of events (`chain.rs`), anchored outside the
//! database by signed checkpoints (`checkpoint.rs`) and checked by `zhujian audit verify`
//! (`verify.rs`).
//!
//! Three ways in:
//! - An act that changes state appends its event inside its own transaction (`Act::commit`),
//!   so the change and its event commit together or not at all.
//! - A background job's change (closing an overdue task) is a `SystemAct`: the same, with the
//!   job as the actor.
//! - The `record_changes` middleware records what no act recorded: refused and failed
//!   state-changing requests, and, for any method, the security-relevant refusals (401, 403,
//!   429) and failures (5xx). When the database cannot take the event (an outage), it goes
//!   to a local spool (`spool.rs`) and is appended once the database is back.

mod act;
pub mod chain;
pub mod checkpoint;
pub mod spool;
pub mod store;
mod verify;

use std::sync::{Arc, Mutex};

use axum::{
    extract::{FromRequestParts, MatchedPath, Request, State},
    http::{request::Parts, Method, StatusCode},
    middleware::Next,
    response::Response,
};

pub use act::{Act, SystemAct};
pub use verify::{verify, VerifyReport};

use crate::platform::observe::RequestId;
use crate::state::AppState;

#[derive(Default, Clone, Debug)]
struct Facts {
    request_id: String,
    action: String,
    actor_kind: Option<String>,
    actor_id: Option<String>,
    role: Option<String>,
    target: Option<String>,
    /// An act appended the request's event inside its transaction.
    recorded: bool,
}

/// Who acted and on what, for the event of the current request. Cheap to clone; clones share.
#[derive(Clone, Default)]
pub struct AuditContext(Arc<Mutex<Facts>>);

impl AuditContext {
    fn with<T>(&self, f: impl FnOnce(&mut Facts) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn set_actor(&self, kind: &str, id: &str, role: &str) {
        self.with(|f| {
            f.actor_kind = Some(kind.into());
            f.actor_id = Some(id.into());
            f.role = Some(role.into());
        })
    }

    /// The object acted on, e.g. `staff:<id>`.
    pub fn set_target(&self, target: impl Into<String>) {
        self.with(|f| f.target = Some(target.into()))
    }

    fn event(&self, at: i64, default_target: &str, status: u16) -> chain::Event {
        self.with(|f| chain::Event {
            seq: 0,
            at,
            request_id: f.request_id.clone(),
            actor_kind: f.actor_kind.clone().unwrap_or_else(|| "anonymous".into()),
            actor_id: f.actor_id.clone().unwrap_or_default(),
            role: f.role.clone().unwrap_or_default(),
            action: f.action.clone(),
            target: f.target.clone().unwrap_or_else(|| default_target.to_owned()),
            outcome: chain::outcome(status).into(),
            status: i64::from(status),
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuditContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Outside the middleware (a unit test's router) the context is a detached one.
        Ok(parts.extensions.get::<AuditContext>().cloned().unwrap_or_default())
    }
}

fn changes_state(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

/// Refusals and failures worth recording whatever the method: a caller without a valid token
/// or the right role, a throttled caller, and the server failing (outages included).
fn is_security_event(status: StatusCode) -> bool {
    matches!(status.as_u16(), 401 | 403 | 429) || status.is_server_error()
}

/// Middleware: records each request whose event no act recorded, when it changes state or is a
/// security event.
pub async fn record_changes(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some(route) = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()) else {
        return next.run(request).await;
    };
    let method = request.method().clone();
    let context = AuditContext::default();
    context.with(|f| {
        f.action = format!("{method} {route}");
        f.request_id = request.extensions().get::<RequestId>().cloned().unwrap_or_default().0;
    });
    request.extensions_mut().insert(context.clone());
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if context.with(|f| f.recorded) || !(changes_state(&method) || is_security_event(status)) {
        return response;
    }
    if status.is_success() && changes_state(&method) {
        tracing::warn!(action = %context.with(|f| f.action.clone()), "a state change was not recorded inside its transaction");
    }
    let event = context.event(state.clock.now_ms(), &path, status.as_u16());
    record_alone(&state, event).await;
    response
}

/// Appends an event in its own transaction; spools it when the database cannot take it.
async fn record_alone(state: &AppState, event: chain::Event) {
    if let Err(error) = store::append_alone(&state.db, &state.audit_keys, event.clone()).await {
        tracing::error!(%error, action = %event.action, "the audit event could not be appended; spooling it");
        if let Err(error) = spool::keep(&state.settings.storage.dir, &event).await {
            tracing::error!(%error, action = %event.action, "the audit event could not be spooled either");
        }
    }
}
