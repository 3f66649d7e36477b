//! The enterprise portal (issue 18, all eight journeys): enterprises sign in with their unified
//! social credit code at `/enterprise/`, keep their profile and documents, follow employment,
//! verification, self-assessments, daily assessment, certificate applications and exams, and
//! read their notices. It is the staff console's framework (`session::guard` with the
//! enterprise `Door`: its own cookies, admitting enterprise sessions only; `page::Frame`;
//! templates extending `console/base.html`) and, like it, adds no business rule: every page
//! and action calls the functions the API's enterprise endpoints call, with the session's
//! `Caller`, and shows a refusal with the API's code and message.

pub mod assessments;
mod auth;
mod daily;
pub mod daily_texts;
mod employment;
mod exams;
pub mod exams_texts;
pub(crate) mod notifications;
mod profile;
pub mod texts;
mod uploads;
pub(crate) mod verification;

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, post},
    Router,
};

use crate::state::AppState;

/// The portal's pages and actions (the guard and security headers are the console's).
pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/enterprise/uploads/{slot}", post(uploads::upload))
        // Streamed to the object store; the purpose's cap applies as it arrives.
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .route("/enterprise/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/enterprise/reset", get(auth::reset_page).post(auth::request_code))
        .route("/enterprise/reset/confirm", post(auth::confirm_reset))
        .route("/enterprise/sign-out", post(super::auth::sign_out))
        .route(
            "/enterprise/password",
            get(super::auth::password_page).post(super::auth::change_password),
        )
        .route("/enterprise/", get(profile::home))
        .route("/enterprise/profile", post(profile::update))
        .route("/enterprise/profile/confirm", post(profile::confirm))
        .route("/enterprise/qualifications", post(profile::add_qualification))
        .route(
            "/enterprise/qualifications/{id}/remove",
            post(profile::remove_qualification),
        )
        .route("/enterprise/documents/{id}", get(super::documents::preview))
        .route("/enterprise/employment", get(employment::page))
        .route("/enterprise/employment/requests", post(employment::send_request))
        .route(
            "/enterprise/employment/requests/{id}/withdraw",
            post(employment::withdraw),
        )
        .route("/enterprise/employment/relations/{id}/end", post(employment::end))
        .merge(uploads)
        .merge(daily_routes())
        .merge(services_routes())
        .merge(assessments::assessment_routes())
        .merge(verification::verification_routes())
}

/// Daily assessment and notifications (journeys 6 and 8).
fn daily_routes() -> Router<AppState> {
    let reports = Router::new()
        // Under `uploads/`: the guard leaves these bodies to the handler, which checks the form
        // token (the first part) and streams the evidence with the purpose's cap.
        .route("/enterprise/uploads/daily-events", post(daily::report))
        .route("/enterprise/uploads/daily-events/{id}", post(daily::correct))
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .route("/enterprise/daily-events", get(daily::page))
        .route("/enterprise/daily-events/{id}/delete", post(daily::delete))
        .route("/enterprise/notifications", get(notifications::page))
        .route("/enterprise/notifications/{id}/read", post(notifications::mark_read))
        .merge(reports)
}

/// Certificate applications and exams (journey 7). The applications are the staff console's
/// pages, which serve both portals (the caller's bounds decide what each sees), with the
/// enterprise's own act: confirming at its step.
fn services_routes() -> Router<AppState> {
    use super::applications;
    Router::new()
        .route("/enterprise/applications", get(applications::list))
        .route("/enterprise/applications/{id}", get(applications::application))
        .route("/enterprise/applications/{id}/confirm", post(applications::confirm))
        .route("/enterprise/exams", get(exams::batches))
        .route("/enterprise/exams/{id}", get(exams::batch))
        .route("/enterprise/exams/{id}/registrations", post(exams::register))
}

/// The portal's words in the session's language.
fn words(console: &super::session::Console) -> &'static texts::EnterpriseTexts {
    super::texts::Texts::of(console.lang).enterprise
}
