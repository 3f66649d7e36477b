//! The staff web console (issue 17): server-rendered HTML (askama templates under
//! `templates/console/`, checked when compiled) with htmx for partial updates, served under
//! `/console/` by the same binary as the API; static files embedded (`assets`).
//!
//! The console adds no business rule. Each page builds the `Caller` of its session as the
//! API's bearer token would (`session::Console`, `auth::console_sessions`) and calls the same
//! domain functions with `caller.bounds()`; what the API refuses is refused the same way, the
//! refusal's code and message shown on the page (`page::Notice`). Sign-in is the API's password
//! check, throttling and lockout (`auth::signin`).
//!
//! Pages are Chinese first, English with `?lang=en` (remembered in a cookie). Every response
//! carries a strict Content-Security-Policy (no inline script or style: htmx's own injected
//! style and `eval` are turned off in `base.html`), and every POST is checked for the
//! session's form token before its handler runs (`session::guard`).
//!
//! Adding a page: a handler in a module here taking `Console`, a template extending
//! `console/base.html` with a `frame: page::Frame` field, its words in `texts`, a route below.

mod accounts;
mod applications;
pub mod assets;
pub(crate) mod auth;
pub(crate) mod documents;
mod enterprise;
mod enterprises;
mod exams;
mod home;
mod page;
mod projects;
mod registrations;
mod results;
mod review;
mod session;
mod table;
mod texts;
mod verification;

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::{from_fn, from_fn_with_state, Next},
    response::{Redirect, Response},
    routing::{get, post},
    Router,
};

use crate::state::AppState;

/// The console's policy: scripts, styles and everything else from this origin only; nothing
/// inline, frames only of its own document previews, forms posting only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; frame-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'";

/// Every console route, wrapped in the session guard and the security headers.
pub fn router(state: AppState) -> Router<AppState> {
    let pages = Router::new()
        .route("/console/", get(home::home))
        .route("/console/queues/{kind}", get(home::queue))
        .route("/console/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/console/sign-out", post(auth::sign_out))
        .route(
            "/console/password",
            get(auth::password_page).post(auth::change_password),
        )
        .route(
            "/console/accounts",
            get(accounts::accounts).post(accounts::create_account),
        )
        .route("/console/accounts/{id}/{action}", post(accounts::manage_account))
        .route("/console/documents/{id}", get(documents::preview))
        .route("/console/assessments", get(review::list))
        .route("/console/assessments/{id}", get(review::record))
        .route("/console/assessments/{id}/finish", post(review::finish))
        .route("/console/assessments/{id}/items/{number}/score", post(review::score))
        .route(
            "/console/assessments/{id}/items/{number}/decision",
            post(review::decide),
        )
        .route("/console/assessments/{id}/items/{number}/history", get(review::history))
        .route("/console/daily-events", get(review::daily::list))
        .route("/console/daily-events/{id}", get(review::daily::event))
        .route("/console/daily-events/{id}/review", post(review::daily::review))
        // Journeys 2 and 5: enterprises and results (tables paged and sorted on the server).
        .route("/console/enterprises", get(enterprises::enterprises))
        .route("/console/enterprises/{id}", get(enterprises::enterprise))
        .route("/console/results", get(results::results_home))
        .route("/console/results/{category}", get(results::results))
        .route("/console/results/{category}/export", get(results::export))
        .route("/console/results/{category}/{subject}", get(results::subject))
        .route(
            "/console/results/{category}/{subject}/adjustments",
            post(results::adjust),
        )
        // Journey 3: verification.
        .route("/console/verification/tasks", get(verification::tasks_page))
        .route("/console/verification/tasks/{id}", get(verification::task_detail))
        .route(
            "/console/verification/tasks/{id}/review",
            post(verification::review_selection),
        )
        .route(
            "/console/verification/tasks/{id}/progress",
            get(verification::progress_page),
        )
        .route(
            "/console/verification/tasks/{id}/progress.csv",
            get(verification::export_csv),
        )
        .route(
            "/console/verification/tasks/{id}/progress.xlsx",
            get(verification::export_xlsx),
        )
        .route(
            "/console/verification/check-ins/{id}/review",
            post(verification::review_check_in),
        )
        .route("/console/verification/check-ins/{id}/selfie", get(verification::selfie))
        // The inbox groups' own pages: project assessments, check-ins at their attempt (and
        // appeals decided), held registrations, certificate applications, exam registrations.
        .route("/console/project-assessments", get(projects::list))
        .route("/console/project-assessments/{id}", get(projects::record))
        .route("/console/project-assessments/{id}/review", post(projects::review))
        .route(
            "/console/verification/check-ins/{id}",
            get(verification::appeals::check_in),
        )
        .route(
            "/console/verification/check-ins/{id}/appeal",
            post(verification::appeals::decide_appeal),
        )
        .route("/console/registrations", get(registrations::list))
        .route("/console/registrations/{id}", get(registrations::review))
        .route("/console/registrations/{id}/decision", post(registrations::decide))
        .route("/console/applications", get(applications::list))
        .route("/console/applications/{id}", get(applications::application))
        .route("/console/applications/{id}/review", post(applications::review))
        .route("/console/exam-registrations", get(exams::list))
        .route("/console/exam-registrations/{id}", get(exams::registration))
        .route("/console/exam-registrations/{id}/review", post(exams::review))
        // Issue 18: the enterprise portal under /enterprise/ (its own sessions, same guard).
        .merge(enterprise::routes())
        .layer(from_fn_with_state(state, session::guard));
    Router::new()
        .route("/console", get(|| async { Redirect::permanent("/console/") }))
        .route("/enterprise", get(|| async { Redirect::permanent("/enterprise/") }))
        .route("/console/assets/{name}", get(assets::serve))
        .merge(pages)
        .layer(from_fn(security_headers))
}

/// Headers of every console response: the policy, no sniffing, no framing, no referrer
/// outside; pages are not cached (the assets set their own caching).
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A previewed document sets its own policy and framing (`documents`).
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
