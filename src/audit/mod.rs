//! The audit log: every state-changing request (POST, PUT, PATCH, DELETE on a known route)
//! appends an event, whatever its outcome, to an append-only table whose rows are chained by
//! SHA-256. `zhujian audit verify` recomputes the chain and names the first broken row.
//!
//! The `record_changes` middleware writes the event after the handler has answered. Handlers
//! say who acted and on what through `AuditContext` (the `Caller` extractor fills in the actor
//! by itself); without that, the actor is `anonymous` and the target the request path.

pub mod chain;
pub mod store;

use std::sync::{Arc, Mutex};

use axum::{
    extract::{FromRequestParts, MatchedPath, Request, State},
    http::{request::Parts, Method},
    middleware::Next,
    response::Response,
};

use crate::observe::RequestId;
use crate::state::AppState;

pub use store::{verify, VerifyReport};

#[derive(Default, Clone, Debug)]
struct Facts {
    actor_kind: Option<String>,
    actor_id: Option<String>,
    role: Option<String>,
    target: Option<String>,
}

/// Who acted and on what, for the event of the current request. Cheap to clone; clones share.
#[derive(Clone, Default)]
pub struct AuditContext(Arc<Mutex<Facts>>);

impl AuditContext {
    pub fn set_actor(&self, kind: &str, id: &str, role: &str) {
        let mut f = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f.actor_kind = Some(kind.into());
        f.actor_id = Some(id.into());
        f.role = Some(role.into());
    }

    /// The object acted on, e.g. `staff:<id>`.
    pub fn set_target(&self, target: impl Into<String>) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).target = Some(target.into());
    }

    fn facts(&self) -> Facts {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuditContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Outside an audited request (a GET) the context is a detached one nobody reads.
        Ok(parts.extensions.get::<AuditContext>().cloned().unwrap_or_default())
    }
}

fn changes_state(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

/// Middleware: appends the audit event of each state-changing request.
pub async fn record_changes(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some(route) = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()) else {
        return next.run(request).await;
    };
    if !changes_state(request.method()) {
        return next.run(request).await;
    }
    let context = AuditContext::default();
    request.extensions_mut().insert(context.clone());
    let action = format!("{} {route}", request.method());
    let path = request.uri().path().to_owned();
    let request_id = request.extensions().get::<RequestId>().cloned().unwrap_or_default().0;
    let response = next.run(request).await;
    let facts = context.facts();
    let status = response.status();
    let event = chain::Event {
        seq: 0,
        at: state.clock.now_ms(),
        request_id,
        actor_kind: facts.actor_kind.unwrap_or_else(|| "anonymous".into()),
        actor_id: facts.actor_id.unwrap_or_default(),
        role: facts.role.unwrap_or_default(),
        action,
        target: facts.target.unwrap_or(path),
        outcome: chain::outcome(status.as_u16()).into(),
        status: i64::from(status.as_u16()),
    };
    if let Err(error) = store::append(&state.db, event).await {
        tracing::error!(%error, "could not append the audit event");
    }
    response
}
