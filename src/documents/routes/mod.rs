//! Documents over HTTP: streaming multipart upload, presigned upload for browsers, metadata,
//! signed download links, deletion.
//!
//! - `multipart`: the streaming `multipart/form-data` upload (what `wx.uploadFile` sends);
//! - `presigned`: browser uploads: presign, the local PUT target, completion;
//! - `metadata`: listing, reading and deleting documents;
//! - `links`: signed links, download links and the content they serve;
//! - this file: the router, and what the handlers share (refusals, the owner an upload is
//!   for, reading out the rest of a refused body).

mod links;
pub use links::{file_response, readable, Disposition};
mod metadata;
mod multipart;
pub use multipart::{receive_field, receive_upload};
mod presigned;

#[cfg(test)]
mod fuzz;

use crate::openapi::register::routes;
use axum::{extract::DefaultBodyLimit, http::StatusCode};
use utoipa_axum::router::OpenApiRouter;

use super::rules::{DocRule, OwnerKind, Purpose};
use super::store;
use super::upload::ChunkSource;
use crate::auth::{Caller, Role};
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::DocumentId;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    let streamed = OpenApiRouter::new()
        .routes(routes!(multipart::upload_document))
        .routes(routes!(presigned::put_presigned_content))
        .layer(DefaultBodyLimit::disable());
    OpenApiRouter::new()
        .routes(routes!(metadata::list_documents))
        .routes(routes!(metadata::get_document, metadata::delete_document))
        .routes(routes!(links::download_link))
        .routes(routes!(links::document_content))
        .routes(routes!(presigned::presign_upload))
        .routes(routes!(presigned::complete_upload))
        .merge(streamed)
}

fn not_found() -> ApiError {
    ApiError::not_found("文件", "Document")
}

fn rule_error(rule: DocRule) -> ApiError {
    match rule {
        DocRule::Locked => ApiError::conflict(
            "document.locked",
            "文件所属记录已提交，不能删除或替换",
            "The record this file belongs to is no longer editable; the file cannot be deleted",
        ),
        DocRule::NotCompleted => ApiError::conflict(
            "document.not_completed",
            "文件尚未上传完成",
            "The upload of this file has not been completed",
        ),
        DocRule::AlreadyCompleted => ApiError::conflict(
            "document.already_completed",
            "该文件已上传完成",
            "This upload was already completed",
        ),
    }
}

/// The owner a caller uploads as: a person its portraits and selfies, a supervisor its signed
/// forms, an enterprise the rest.
fn owner_for(caller: &Caller, purpose: Purpose) -> ApiResult<(OwnerKind, String)> {
    let owner = match (caller.role, purpose.owner()) {
        (Role::Supervisor, OwnerKind::Staff) => Some((OwnerKind::Staff, caller.account_id.clone())),
        (Role::Person, OwnerKind::Person) => caller.person_id().map(|id| (OwnerKind::Person, id.to_string())),
        (Role::Enterprise, OwnerKind::Enterprise) => {
            caller.enterprise_id().map(|id| (OwnerKind::Enterprise, id.to_string()))
        }
        _ => None,
    };
    owner.ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "document.purpose_not_allowed",
            "您的账号不能上传此用途的文件",
            "Your account cannot upload documents of this purpose",
        )
    })
}

/// The caller's own document, or 404 (staff other than supervisors, who upload their forms,
/// may read but not change documents).
async fn own_document(state: &AppState, caller: &Caller, id: &DocumentId) -> ApiResult<store::DocumentRow> {
    if caller.role.is_staff() && caller.role != Role::Supervisor {
        return Err(ApiError::forbidden_role());
    }
    store::get(&state.db, id, &store::Reader::of(caller))
        .await?
        .ok_or_else(not_found)
}

/// Most of a refused body this server still reads before answering: a client that is still
/// sending then gets the answer instead of a reset connection (a "lingering close").
const LINGER_BYTES: u64 = 8 * 1024 * 1024;

async fn linger(source: &mut impl ChunkSource) {
    let mut read = 0u64;
    while read < LINGER_BYTES {
        match source.next_chunk().await {
            Ok(Some(chunk)) => read += chunk.len() as u64,
            _ => break,
        }
    }
}
