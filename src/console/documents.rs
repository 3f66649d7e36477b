//! A document previewed in a page: `GET /console/documents/{id}` gives the file inline (a PDF in
//! an `<iframe>`, a photo in an `<img>`), read as the API reads it for the session's caller
//! (`documents::routes::readable`: 404 outside the caller's reach, 409 while still pending).

use axum::{
    extract::{Path, State},
    http::{header, HeaderValue},
    response::Response,
};

use super::page::refused;
use super::session::Console;
use crate::documents::routes::{file_response, readable, Disposition};
use crate::platform::ids::DocumentId;
use crate::state::AppState;

/// The policy of a previewed file: nothing runs or loads from it, and only console pages may
/// frame it.
const FILE_POLICY: &str = "default-src 'none'; frame-ancestors 'self'";

/// `GET /console/documents/{id}`.
pub async fn preview(State(state): State<AppState>, console: Console, Path(id): Path<DocumentId>) -> Response {
    let path = format!("/console/documents/{id}");
    let file = match readable(&state, &console.caller, &id).await {
        Ok(row) => file_response(&state, &row, Disposition::Inline).await,
        Err(error) => Err(error),
    };
    match file {
        Ok(mut response) => {
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(FILE_POLICY));
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
            response
        }
        Err(error) => refused(&console, &path, &error),
    }
}
