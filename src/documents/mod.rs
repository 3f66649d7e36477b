//! Documents (DOMAIN.md §5): uploaded files with their owner, purpose, detected type, size,
//! SHA-256, state and the record they are attached to. The bytes live in the object store.
//!
//! Other domains reach documents only through this file: `visible` reads a document within a
//! caller's bounds, `readable_by` as the caller would read it (faces by role), `read_whole`
//! then its bytes; `attach` and `release` lock a document to a record and unlock it, and
//! `read_own_photo` reads one of the caller's photos whole.

#[cfg(test)]
mod fuzz;
mod images;
mod pool;
pub mod routes;
pub mod rules;
mod store;
pub mod sweeper;
pub mod upload;

pub use pool::ImagePool;

use bytes::Bytes;
use tokio::io::AsyncReadExt;

use crate::auth::{Bounds, Caller};
use crate::platform::db::Executor;
use crate::platform::error::{ApiError, ApiResult, FieldError, Message};
use crate::platform::ids::DocumentId;
use crate::state::AppState;
use rules::{DocState, Purpose};

pub use store::{stored_objects, DocumentRow, Reader};

/// The document if it lies within `bounds`.
pub async fn visible(
    db: impl Executor<'_>,
    id: &DocumentId,
    bounds: &Bounds,
) -> Result<Option<DocumentRow>, sqlx::Error> {
    store::get(db, id, &store::Reader::within(bounds)).await
}

/// The document if `caller` may read it, as the documents API decides: by their bounds, and
/// face photos by their role's reach (`rules::face_reach`: district staff the check-in selfies
/// of their district's tasks, city staff all).
pub async fn readable_by(
    db: impl Executor<'_>,
    id: &DocumentId,
    caller: &Caller,
) -> Result<Option<DocumentRow>, sqlx::Error> {
    store::get(db, id, &store::Reader::of(caller)).await
}

/// Attaches a document to a record (`record_kind`, `record_id`) and locks it with the record,
/// so that its owner can no longer delete it; false if its upload is not completed.
pub async fn attach(
    db: impl Executor<'_>,
    id: &DocumentId,
    record_kind: &str,
    record_id: &str,
) -> Result<bool, sqlx::Error> {
    store::set_attachment(db, id, record_kind, record_id, DocState::Locked).await
}

/// Unlocks a document of a record that is editable again, or that no longer holds it; it stays
/// marked as the record's. False if its upload is not completed.
pub async fn release(
    db: impl Executor<'_>,
    id: &DocumentId,
    record_kind: &str,
    record_id: &str,
) -> Result<bool, sqlx::Error> {
    store::set_attachment(db, id, record_kind, record_id, DocState::Available).await
}

/// One of the caller's own completed photos of `purpose`, read whole (photos are capped
/// small); refusals name `field`.
pub async fn read_own_photo(
    state: &AppState,
    caller: &Caller,
    id: &DocumentId,
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
    let doc = store::get(&state.db, id, &store::Reader::of(caller))
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
    let bytes = read_whole(state, &doc).await?;
    Ok((doc, bytes))
}

/// A document the caller was found to see, read whole: for photos, which are capped small.
pub async fn read_whole(state: &AppState, doc: &DocumentRow) -> ApiResult<Bytes> {
    let mut reader = state
        .objects
        .reader(&doc.object_key)
        .await
        .map_err(|e| upload::UploadError::Store(e).into_api())?;
    let mut bytes = Vec::with_capacity(doc.size.max(0) as usize);
    reader.read_to_end(&mut bytes).await.map_err(ApiError::internal)?;
    Ok(Bytes::from(bytes))
}
