//! Uploading the business licence and the enterprise video (journey 2): the form posts
//! `multipart/form-data`, its form token first, then the file, which streams into the API's
//! upload (`documents::routes::receive_upload`: format recognised as it arrives, the purpose's
//! size cap, nothing held in memory) and is put in its profile slot as the API's `PUT`s do
//! (`enterprises::routes::qualifications::set_document`). `zhujian-enterprise.js` sends the
//! same form with a progress bar; without JavaScript the form works as it is.

use axum::{
    extract::{
        multipart::{Field, MultipartRejection},
        Multipart, Path, State,
    },
    http::StatusCode,
    response::Response,
};

use super::profile::{after_upload, own_id};
use crate::audit::Act;
use crate::console::session::{form_expired, Console};
use crate::documents::routes::receive_upload;
use crate::documents::rules::Purpose;
use crate::enterprises::routes::qualifications::set_document;
use crate::platform::crypto::constant_time_eq;
use crate::platform::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The largest form token part read (the token is 43 characters).
const TOKEN_MAX: usize = 256;

/// The profile slot a path names.
fn slot(name: &str) -> Option<Purpose> {
    match name {
        "business-licence" => Some(Purpose::BusinessLicence),
        "video" => Some(Purpose::EnterpriseVideo),
        _ => None,
    }
}

/// `POST /enterprise/uploads/{slot}`: the form token (the first part), then the file.
pub async fn upload(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(name): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(mut multipart) = multipart else {
        return after_upload(&state, &console, Err(not_multipart())).await;
    };
    if !form_token_first(&mut multipart, &console.csrf).await {
        return form_expired(console.lang, console.door, None);
    }
    let done = async {
        let purpose = slot(&name).ok_or_else(|| ApiError::not_found("上传位置", "Upload slot"))?;
        let id = own_id(&console)?;
        let document = receive_upload(&state, &console.caller, &act, purpose, &mut multipart).await?;
        set_document(&state, &console.caller, &act, &id, purpose, &document.id).await?;
        ApiResult::Ok(super::words(&console).uploaded.to_owned())
    };
    let done = done.await;
    after_upload(&state, &console, done).await
}

/// Whether the body's first part is `csrf` holding the session's form token.
pub(super) async fn form_token_first(multipart: &mut Multipart, expected: &str) -> bool {
    let Ok(Some(mut field)) = multipart.next_field().await else {
        return false;
    };
    if field.name() != Some("csrf") {
        return false;
    }
    let mut sent = Vec::new();
    while let Ok(Some(chunk)) = field.chunk().await {
        sent.extend_from_slice(&chunk);
        if sent.len() > TOKEN_MAX {
            return false;
        }
    }
    !expected.is_empty() && constant_time_eq(expected.as_bytes(), &sent)
}

/// A text part of a portal form, at most `max` bytes (`request.too_large` beyond).
pub(super) async fn text_part(mut field: Field<'_>, max: usize) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Ok(Some(chunk)) = field.chunk().await {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > max {
            return Err(too_large());
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A form that is not `multipart/form-data`, refused as the API refuses such an upload.
pub(super) fn not_multipart() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "document.not_multipart",
        "请以 multipart/form-data 上传文件",
        "Upload the file as multipart/form-data",
    )
}

/// A form with too many or too large parts besides its file.
pub(super) fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "request.too_large",
        "请求内容过大",
        "The request body is too large",
    )
}
