//! The API contract: every route registers itself with its OpenAPI description, so the
//! document cannot drift from the code. Served at `/openapi.json` (interactive at `/docs`) and
//! committed at `mini-program-api/openapi.json`, which a test keeps current.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use axum::Router;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{schema::Schema, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

mod contract;
#[cfg(test)]
mod tests;

use crate::platform::error::{Problem, ProblemField};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zhujian API",
        version = "1",
        description = "Backend of the zhujian construction-regulation mini-program and web consoles. \
            Errors are application/problem+json with a stable `code`; send `Accept-Language: en` for English."
    ),
    modifiers(&BearerScheme),
    components(schemas(Problem, ProblemField)),
    tags(
        (name = "auth", description = "Sign-in, tokens, password reset"),
        (name = "staff", description = "Authority staff accounts"),
        (name = "enterprises", description = "Enterprise accounts"),
        (name = "people", description = "Individuals"),
        (name = "documents", description = "Uploaded files: scans, photos, videos"),
        (name = "employment", description = "Employment requests and relations"),
        (name = "notifications", description = "Inbox and notices"),
        (name = "verification", description = "Qualification dynamic verification"),
        (name = "projects", description = "Construction projects"),
        (name = "certificates", description = "Safety-management and special-operations certificates: import, my certificates, scope, public lookup"),
        (name = "exams", description = "Exam batches and registrations"),
        (name = "training", description = "Training institutions and continuing-education records"),
        (name = "assessments", description = "Assessment templates, self-assessments, reviews, project assessments"),
        (name = "ops", description = "Health, readiness, metrics"),
    )
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Every route of the API with its document.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .merge(crate::auth::routes::router())
        .merge(crate::staff::routes::router())
        .merge(crate::enterprises::routes::router())
        .merge(crate::people::routes::router())
        .merge(crate::people::assurance::desk::router())
        .merge(crate::people::assurance::wechat::router())
        .merge(crate::documents::routes::router())
        .merge(crate::employment::routes::router())
        .merge(crate::notify::routes::router())
        .merge(crate::notify::awaiting::router())
        .merge(crate::verification::routes::router())
        .merge(crate::verification::selection::router())
        .merge(crate::verification::checkin::router())
        .merge(crate::verification::review::router())
        .merge(crate::verification::outcomes::router())
        .merge(crate::projects::routes::router())
        .merge(crate::certificates::routes::router())
        .merge(crate::exams::routes::router())
        .merge(crate::applications::routes::router())
        .merge(crate::training::routes::router())
        .merge(crate::assessments::router());
    let (router, document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .merge(crate::platform::ops::router())
        .split_for_parts();
    (router, contract::complete(document))
}

/// The OpenAPI document as committed (pretty JSON with a final newline).
pub fn document_json() -> String {
    let (_, document) = routes();
    let mut json = document.to_pretty_json().expect("the OpenAPI document serializes");
    json.push('\n');
    json
}

pub mod register {
    /// `utoipa_axum::routes!` that also records every schema the route registers, so that two
    /// distinct types published under one schema name (utoipa keeps only one of them, silently
    /// documenting the other operation wrongly) are caught by `document_problems`.
    macro_rules! routes {
        ($($handlers:tt)*) => {
            $crate::openapi::checked(::utoipa_axum::routes!($($handlers)*))
        };
    }
    pub(crate) use routes;
}

type Schemas = Vec<(String, RefOr<Schema>)>;

static REGISTERED: Mutex<BTreeMap<String, BTreeSet<String>>> = Mutex::new(BTreeMap::new());

/// Handlers of different paths put into one `routes!`: axum serves them all on the first
/// one's path, so the others answer on a path the document does not give them.
static MIXED_PATHS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

#[doc(hidden)]
pub fn checked<S, E>(registration: UtoipaMethodRouter<S, E>) -> UtoipaMethodRouter<S, E> {
    let mut registered = REGISTERED.lock().unwrap_or_else(|e| e.into_inner());
    record(&mut registered, &registration.0);
    let paths: Vec<&String> = registration.1.paths.keys().collect();
    if paths.len() > 1 {
        let joined = paths.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ");
        MIXED_PATHS.lock().unwrap_or_else(|e| e.into_inner()).insert(joined);
    }
    registration
}

fn record(registered: &mut BTreeMap<String, BTreeSet<String>>, schemas: &Schemas) {
    for (name, schema) in schemas {
        let json = serde_json::to_string(schema).unwrap_or_default();
        registered.entry(name.clone()).or_default().insert(json);
    }
}

/// What is wrong with the document: schema names under which routes registered different
/// schemas (two distinct types; the document keeps one), and references to schemas, responses
/// or parameters that the document does not define.
pub fn document_problems() -> Vec<String> {
    let (_, document) = routes();
    let mut problems = Vec::new();
    let registered = REGISTERED.lock().unwrap_or_else(|e| e.into_inner());
    for (name, versions) in registered.iter() {
        if versions.len() > 1 {
            problems.push(format!(
                "schema {name} is registered by {} distinct types: give them distinct names (#[schema(as = ...)])",
                versions.len()
            ));
        }
    }
    for paths in MIXED_PATHS.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        problems.push(format!(
            "one routes! holds handlers of several paths ({paths}): give each path its own"
        ));
    }
    let json = serde_json::to_value(&document).expect("the document serializes");
    problems.extend(contract::repeated_operation_ids(&json));
    let mut refs = BTreeSet::new();
    contract::collect_refs(&json, &mut refs);
    for reference in refs {
        let target = reference
            .strip_prefix("#/")
            .and_then(|p| p.split('/').try_fold(&json, |at, key| at.get(key)));
        if target.is_none() {
            problems.push(format!("{reference} is referenced but not defined"));
        }
    }
    problems
}
