//! Presigned uploads, for browsers: the upload is announced, the file PUT straight to the
//! object store (or to this server when files are stored locally), then completed and checked.

use std::time::Duration;

use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::links::{check_link, link_signature, LinkQuery};
use super::{linger, not_found, own_document, owner_for, rule_error};
use crate::audit::Act;
use crate::auth::Caller;
use crate::documents::rules::{self, DocRule, DocState, Purpose};
use crate::documents::store::{self, DocumentView, NewDocument};
use crate::documents::upload::{self, ChunkSource, Expect, UploadError};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::DocumentId;
use crate::platform::web::app_url;
use crate::platform::web::Json;
use crate::state::AppState;

struct BodySource(axum::body::BodyDataStream);

impl ChunkSource for BodySource {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, UploadError> {
        use futures_util::StreamExt;
        self.0
            .next()
            .await
            .transpose()
            .map_err(|e| UploadError::Body(e.to_string()))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresignRequest {
    pub purpose: Purpose,
    /// Exact size in bytes of the file to be PUT.
    pub size: u64,
    pub file_name: Option<String>,
    /// Optional hex SHA-256; checked on completion.
    pub sha256: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PresignedUpload {
    #[schema(value_type = String)]
    pub document_id: DocumentId,
    /// Always `PUT`.
    pub method: &'static str,
    pub url: String,
    /// Headers the PUT must carry.
    pub headers: std::collections::BTreeMap<String, String>,
    /// Unix milliseconds after which the URL stops working.
    pub expires_at: i64,
}

/// Starts a browser upload: PUT exactly `size` bytes to the returned URL, then call
/// `/documents/{id}/complete`. Unfinished uploads are removed after `uploads.pending_max_age_secs`.
#[utoipa::path(post, path = "/documents/presigned", tag = "documents", request_body = PresignRequest, security(("bearer" = [])),
    responses((status = 201, body = PresignedUpload), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn presign_upload(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    headers: HeaderMap,
    Json(body): Json<PresignRequest>,
) -> ApiResult<(StatusCode, Json<PresignedUpload>)> {
    let (owner_kind, owner_id) = owner_for(&caller, body.purpose)?;
    let mut invalid = Invalid::default();
    if body.size == 0 {
        invalid.field("size", "document.empty", "文件为空", "The file is empty");
    }
    // The document declares int64; larger numbers are not sizes.
    if i64::try_from(body.size).is_err() {
        invalid.field("size", "field.invalid", "文件大小超出范围", "The size is out of range");
    }
    let sha256 = body.sha256.map(|h| h.to_ascii_lowercase());
    if sha256
        .as_ref()
        .is_some_and(|h| h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        invalid.field(
            "sha256",
            "document.sha256_format",
            "sha256 应为64位十六进制",
            "sha256 is 64 hexadecimal characters",
        );
    }
    invalid.finish()?;
    let limit = body.purpose.max_bytes(&state.settings.uploads);
    if body.size > limit {
        return Err(UploadError::TooLarge { limit }.into_api());
    }
    let id = DocumentId::new();
    let key = rules::object_key(owner_kind, &owner_id, &id);
    let ttl = state.settings.uploads.presign_ttl_secs;
    let expires_at = state.clock.now_ms() + ttl * 1000;
    let presigned = state
        .objects
        .presign_put(&key, body.size, Duration::from_secs(ttl as u64))
        .await
        .map_err(|e| UploadError::Store(e).into_api())?;
    let url = match presigned {
        Some(url) => url,
        None => {
            let signature = link_signature(&state, "put", &id, expires_at);
            app_url(
                &state.settings,
                &headers,
                &format!("/api/v1/documents/{id}/upload?expires={expires_at}&signature={signature}"),
            )
        }
    };
    let file_name = rules::clean_file_name(body.file_name.as_deref());
    let new = NewDocument {
        id: &id,
        owner_kind: owner_kind.as_str(),
        owner_id: &owner_id,
        purpose: body.purpose,
        content_type: "application/octet-stream",
        size: 0,
        sha256: "",
        object_key: &key,
        file_name: &file_name,
        uploaded_by: &caller.account_id,
        state: DocState::Pending,
        expected_size: Some(body.size as i64),
        expected_sha256: sha256.as_deref(),
    };
    let mut tx = act.begin().await?;
    store::insert(&mut *tx, &new, state.clock.now_ms()).await?;
    act.commit(tx, format!("document:{id}")).await?;
    let headers = std::collections::BTreeMap::from([("Content-Length".to_owned(), body.size.to_string())]);
    Ok((
        StatusCode::CREATED,
        Json(PresignedUpload {
            document_id: id,
            method: "PUT",
            url,
            headers,
            expires_at,
        }),
    ))
}

/// The target of a presigned upload when files are stored locally: takes the raw body, at
/// most the announced size. Checking happens on completion, as for S3.
#[utoipa::path(put, path = "/documents/{id}/upload", tag = "documents", params(("id" = String, Path), LinkQuery),
    request_body(content_type = "application/octet-stream"),
    responses((status = 200, description = "Stored; now call complete"), (status = 403, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem)))]
pub(super) async fn put_presigned_content(
    State(state): State<AppState>,
    act: Act,
    Path(id): Path<DocumentId>,
    Query(link): Query<LinkQuery>,
    body: Body,
) -> ApiResult<StatusCode> {
    check_link(&state, "put", &id, &link)?;
    let slot = store::upload_slot(&state.db, &id).await?.ok_or_else(not_found)?;
    rules::may_complete(slot.state).map_err(rule_error)?;
    let (key, limit) = (slot.object_key, slot.expected_size.unwrap_or(0).max(0) as u64);
    let mut source = BodySource(body.into_data_stream());
    let mut writer = state
        .objects
        .writer(&key)
        .await
        .map_err(|e| UploadError::Store(e).into_api())?;
    let mut size = 0u64;
    let copied = async {
        while let Some(chunk) = source.next_chunk().await? {
            size += chunk.len() as u64;
            if size > limit {
                return Err(UploadError::TooLarge { limit });
            }
            writer.write(chunk).await?;
        }
        Ok(())
    }
    .await;
    match copied {
        Ok(()) => writer.finish().await.map_err(|e| UploadError::Store(e).into_api())?,
        Err(e) => {
            writer.abort().await;
            linger(&mut source).await;
            return Err(e.into_api());
        }
    }
    // No row changes here; the act commits its event alone.
    act.commit(act.begin().await?, format!("document:{id}")).await?;
    Ok(StatusCode::OK)
}

/// Finishes a presigned upload: the stored object is checked (size, SHA-256 when announced,
/// content type by magic bytes, photos normalised). A file that fails is removed with its record.
#[utoipa::path(post, path = "/documents/{id}/complete", tag = "documents", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = DocumentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub(super) async fn complete_upload(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<DocumentId>,
) -> ApiResult<Json<DocumentView>> {
    let row = own_document(&state, &caller, &id).await?;
    act.set_target(format!("document:{id}"));
    rules::may_complete(row.state()).map_err(rule_error)?;
    let purpose = row
        .purpose()
        .ok_or_else(|| ApiError::internal("stored purpose unknown"))?;
    let expect = Expect {
        purpose,
        limits: &state.settings.uploads,
        images: &state.images,
        size: row.expected_size.map(|s| s as u64),
        sha256: row.expected_sha256.as_deref(),
    };
    let received = match upload::verify_stored(&state.objects, &row.object_key, &expect).await {
        Ok(received) => received,
        // Not there yet, or the store is down: the client may try again.
        Err(e @ UploadError::Store(_)) => return Err(e.into_api()),
        Err(refused) => {
            let _ = state.objects.delete(&row.object_key).await;
            // Committed on its own: the refused file's record goes although the request is refused.
            let mut tx = crate::platform::db::begin_write(&state.db, state.engine).await?;
            store::delete_pending(&mut *tx, &id).await?;
            tx.commit().await?;
            return Err(refused.into_api());
        }
    };
    let mut tx = act.begin().await?;
    if !store::complete(
        &mut *tx,
        &id,
        received.format.content_type(),
        received.size as i64,
        &received.sha256,
    )
    .await?
    {
        return Err(rule_error(DocRule::AlreadyCompleted));
    }
    let row = store::get(&mut *tx, &id, &store::Reader::of(&caller))
        .await?
        .ok_or_else(not_found)?;
    act.commit(tx, format!("document:{id}")).await?;
    Ok(Json(row.into()))
}
