//! Signed links: short-lived download links, and the file content served through them (no
//! token needed). Presigned uploads to this server are signed the same way.

use std::time::Duration;

use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{not_found, rule_error};
use crate::auth::Caller;
use crate::documents::rules;
use crate::documents::store;
use crate::documents::upload::UploadError;
use crate::platform::crypto::constant_time_eq;
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::DocumentId;
use crate::platform::objects::{self, StoreError};
use crate::platform::web::{app_url, Json};
use crate::state::AppState;

pub(super) fn link_signature(state: &AppState, action: &str, id: &DocumentId, expires_ms: i64) -> String {
    state
        .keys
        .mac("document-link", &rules::link_payload(action, id, expires_ms))
}

/// Checks a signed link's query; 403 when it was altered or has expired.
pub(super) fn check_link(state: &AppState, action: &str, id: &DocumentId, link: &LinkQuery) -> ApiResult<()> {
    let expected = link_signature(state, action, id, link.expires);
    if !constant_time_eq(expected.as_bytes(), link.signature.as_bytes()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "link.invalid",
            "链接无效",
            "The link is not valid",
        ));
    }
    if link.expires <= state.clock.now_ms() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "link.expired",
            "链接已过期，请重新获取",
            "The link has expired; get a new one",
        ));
    }
    Ok(())
}

#[derive(Serialize, ToSchema)]
pub struct DownloadLink {
    /// GET this URL to download; it works without a token until `expires_at`.
    pub url: String,
    /// Unix milliseconds.
    pub expires_at: i64,
}

/// A short-lived link to download the file (a presigned URL on S3; a signed link to this
/// server for local files).
#[utoipa::path(get, path = "/documents/{id}/link", tag = "documents", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = DownloadLink), (status = 404, body = Problem), (status = 409, body = Problem), (status = 503, body = Problem)))]
pub(super) async fn download_link(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<DocumentId>,
) -> ApiResult<Json<DownloadLink>> {
    let row = readable(&state, &caller, &id).await?;
    let ttl = state.settings.uploads.download_ttl_secs;
    let expires_at = state.clock.now_ms() + ttl * 1000;
    let presigned = state
        .objects
        .presign_get(
            &row.object_key,
            Duration::from_secs(ttl as u64),
            &row.content_type,
            &rules::download_name(&row.file_name, &row.content_type),
        )
        .await
        .map_err(|e| UploadError::Store(e).into_api())?;
    let url = match presigned {
        Some(url) => url,
        None => {
            let signature = link_signature(&state, "get", &id, expires_at);
            app_url(
                &state.settings,
                &headers,
                &format!("/api/v1/documents/{id}/content?expires={expires_at}&signature={signature}"),
            )
        }
    };
    Ok(Json(DownloadLink { url, expires_at }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// Unix milliseconds.
    pub expires: i64,
    pub signature: String,
}

/// The file itself, through a signed link from `/documents/{id}/link` (no token needed).
#[utoipa::path(get, path = "/documents/{id}/content", tag = "documents", params(("id" = String, Path), LinkQuery),
    responses((status = 200, description = "The file"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn document_content(
    State(state): State<AppState>,
    Path(id): Path<DocumentId>,
    Query(link): Query<LinkQuery>,
) -> ApiResult<Response> {
    check_link(&state, "get", &id, &link)?;
    // The signed link is the permission: any document.
    let row = store::get_any(&state.db, &id).await?.ok_or_else(not_found)?;
    rules::may_read_content(row.state()).map_err(rule_error)?;
    file_response(&state, &row, Disposition::Attachment).await
}

/// How a file is given: to be saved, or shown in the page (the staff console's previews).
pub enum Disposition {
    Attachment,
    Inline,
}

/// The document `id` as `caller` reaches it (`documents::readable_by`), with its content
/// uploaded: 404 outside the caller's reach, 409 while it is still pending.
pub async fn readable(state: &AppState, caller: &Caller, id: &DocumentId) -> ApiResult<store::DocumentRow> {
    let row = crate::documents::readable_by(&state.db, id, caller)
        .await?
        .ok_or_else(not_found)?;
    rules::may_read_content(row.state()).map_err(rule_error)?;
    Ok(row)
}

/// The file's bytes, streamed from the object store, with its type, length and name.
pub async fn file_response(
    state: &AppState,
    row: &store::DocumentRow,
    disposition: Disposition,
) -> ApiResult<Response> {
    let reader = state.objects.reader(&row.object_key).await.map_err(|e| match e {
        StoreError::NotFound => not_found(),
        other => UploadError::Store(other).into_api(),
    })?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(reader, 64 * 1024));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    let value = |s: &str| HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, value(&row.content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(row.size));
    let name = rules::download_name(&row.file_name, &row.content_type);
    let disposition = match disposition {
        Disposition::Attachment => objects::content_disposition(&name),
        Disposition::Inline => objects::inline_disposition(&name),
    };
    headers.insert(header::CONTENT_DISPOSITION, value(&disposition));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}
