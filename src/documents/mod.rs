//! Documents (DOMAIN.md §5): uploaded files with their owner, purpose, detected type, size,
//! SHA-256, state and the record they are attached to. The bytes live in the object store.

mod images;
pub mod routes;
pub mod rules;
pub mod store;
pub mod sweeper;
pub mod upload;

use bytes::Bytes;
use tokio::io::AsyncReadExt;

use crate::auth::Caller;
use crate::platform::error::{ApiError, ApiResult, FieldError, Message};
use crate::state::AppState;
use rules::{DocState, Purpose};
use store::{DocumentRow, Visibility};

/// One of the caller's own completed photos of `purpose`, read whole (photos are capped
/// small); refusals name `field`.
pub async fn read_own_photo(
    state: &AppState,
    caller: &Caller,
    id: &str,
    purpose: Purpose,
    field: &str,
) -> ApiResult<(DocumentRow, Bytes)> {
    let invalid = |code: &'static str, zh: &str, en: &str| {
        ApiError::validation(vec![FieldError {
            field: field.into(),
            code,
            message: Message::new(zh.to_owned(), en.to_owned()),
        }])
    };
    let doc = store::get(&state.db, id, &Visibility::of(caller))
        .await?
        .ok_or_else(|| {
            invalid(
                "person.photo_not_found",
                "找不到该照片，请先上传",
                "No such photo of yours; upload it first",
            )
        })?;
    if doc.purpose() != Some(purpose) {
        return Err(invalid(
            "person.photo_purpose",
            "照片用途不符",
            "This document is not of the required purpose",
        ));
    }
    if doc.state() == DocState::Pending {
        return Err(invalid(
            "person.photo_pending",
            "照片尚未上传完成",
            "The photo's upload is not completed",
        ));
    }
    let mut reader = state
        .objects
        .reader(&doc.object_key)
        .await
        .map_err(|e| upload::UploadError::Store(e).into_api())?;
    let mut bytes = Vec::with_capacity(doc.size.max(0) as usize);
    reader.read_to_end(&mut bytes).await.map_err(ApiError::internal)?;
    Ok((doc, Bytes::from(bytes)))
}
