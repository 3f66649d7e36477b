//! The API contract: every route registers itself with its OpenAPI description, so the
//! document cannot drift from the code. Served at `/openapi.json` (interactive at `/docs`) and
//! committed at `mini-program-api/openapi.json`, which a test keeps current.

use axum::Router;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

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
        .merge(crate::verification::routes::router())
        .merge(crate::verification::selection::router())
        .merge(crate::verification::checkin::router())
        .merge(crate::verification::review::router())
        .merge(crate::verification::outcomes::router())
        .merge(crate::projects::routes::router())
        .merge(crate::assessments::router());
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .merge(crate::platform::ops::router())
        .split_for_parts()
}

/// The OpenAPI document as committed (pretty JSON with a final newline).
pub fn document_json() -> String {
    let (_, document) = routes();
    let mut json = document.to_pretty_json().expect("the OpenAPI document serializes");
    json.push('\n');
    json
}
