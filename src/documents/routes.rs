//! Documents over HTTP: streaming multipart upload, presigned upload for browsers, metadata,
//! signed download links, deletion.

use std::time::Duration;

use axum::{
    body::Body,
    extract::{DefaultBodyLimit, Multipart, Path, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::rules::{self, DocRule, DocState, OwnerKind, Purpose};
use super::store::{self, DocumentView, NewDocument, Visibility};
use super::upload::{self, ChunkSource, Expect, UploadError};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::crypto::constant_time_eq;
use crate::db::new_id;
use crate::error::{ApiError, ApiResult, Invalid, Problem};
use crate::objects::StoreError;
use crate::paging::Page;
use crate::state::AppState;
use crate::web::Json;

pub fn router() -> OpenApiRouter<AppState> {
    let streamed = OpenApiRouter::new()
        .routes(routes!(upload_document))
        .routes(routes!(put_presigned_content))
        .layer(DefaultBodyLimit::disable());
    OpenApiRouter::new()
        .routes(routes!(list_documents))
        .routes(routes!(get_document, delete_document))
        .routes(routes!(download_link))
        .routes(routes!(document_content))
        .routes(routes!(presign_upload))
        .routes(routes!(complete_upload))
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

fn parse_purpose(raw: &str) -> ApiResult<Purpose> {
    Purpose::parse(raw).ok_or_else(|| {
        let names: Vec<&str> = Purpose::ALL.iter().map(|p| p.as_str()).collect();
        let mut invalid = Invalid::default();
        invalid.field(
            "purpose",
            "document.purpose_unknown",
            format!("用途须为：{}", names.join("、")),
            format!("purpose must be one of: {}", names.join(", ")),
        );
        invalid.finish().unwrap_err()
    })
}

/// The owner a caller uploads as: a person its portraits and selfies, a supervisor its signed
/// forms, an enterprise the rest.
fn owner_for(caller: &Caller, purpose: Purpose) -> ApiResult<(OwnerKind, String)> {
    let owner = match (caller.role, purpose.owner()) {
        (Role::Supervisor, OwnerKind::Staff) => Some((OwnerKind::Staff, caller.account_id.clone())),
        (Role::Person, OwnerKind::Person) => caller.person_id().map(|id| (OwnerKind::Person, id.to_owned())),
        (Role::Enterprise, OwnerKind::Enterprise) => {
            caller.enterprise_id().map(|id| (OwnerKind::Enterprise, id.to_owned()))
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
async fn own_document(state: &AppState, caller: &Caller, id: &str) -> ApiResult<store::DocumentRow> {
    if caller.role.is_staff() && caller.role != Role::Supervisor {
        return Err(ApiError::forbidden_role());
    }
    store::get(&state.db, id, &Visibility::of(caller))
        .await?
        .ok_or_else(not_found)
}

/// An absolute URL of this app for `path`.
fn app_url(state: &AppState, headers: &HeaderMap, path: &str) -> String {
    let base = &state.settings.server.public_url;
    if !base.is_empty() {
        return format!("{}{path}", base.trim_end_matches('/'));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    format!("http://{host}{path}")
}

fn link_signature(state: &AppState, action: &str, id: &str, expires_ms: i64) -> String {
    state
        .keys
        .mac("document-link", &rules::link_payload(action, id, expires_ms))
}

/// Checks a signed link's query; 403 when it was altered or has expired.
fn check_link(state: &AppState, action: &str, id: &str, link: &LinkQuery) -> ApiResult<()> {
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

struct FieldSource<'a>(axum::extract::multipart::Field<'a>);

impl ChunkSource for FieldSource<'_> {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, UploadError> {
        self.0.chunk().await.map_err(|e| UploadError::Body(e.body_text()))
    }
}

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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// material_scan | business_licence | enterprise_video | certificate_scan | id_portrait | selfie
    pub purpose: String,
}

/// Uploads one file as `multipart/form-data` with the file in the part named `file` (what
/// `wx.uploadFile` sends). The content decides the type: PDF, JPEG, PNG, MP4 or QuickTime, as
/// the purpose allows. Photos are stored with their orientation applied and metadata removed.
#[utoipa::path(post, path = "/documents", tag = "documents", params(UploadQuery), security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "A part named `file`"),
    responses((status = 201, body = DocumentView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn upload_document(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Query(query): Query<UploadQuery>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<DocumentView>)> {
    let purpose = parse_purpose(&query.purpose)?;
    let (owner_kind, owner_id) = owner_for(&caller, purpose)?;
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "document.not_multipart",
            "请以 multipart/form-data 上传文件",
            "Upload the file as multipart/form-data",
        )
    })?;
    let id = new_id();
    let key = rules::object_key(owner_kind, &owner_id, &id);
    let expect = Expect {
        purpose,
        limits: &state.settings.uploads,
        size: None,
        sha256: None,
    };
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|e| UploadError::Body(e.body_text()).into_api())?;
        let Some(field) = field else {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "document.file_missing",
                "请求中没有名为 file 的文件",
                "The request has no part named file",
            ));
        };
        if field.name() != Some("file") {
            continue;
        }
        let file_name = rules::clean_file_name(field.file_name());
        let mut source = FieldSource(field);
        let received = match upload::receive(&mut source, &expect, &state.objects, &key).await {
            Ok(received) => received,
            Err(error) => {
                linger(&mut source).await;
                return Err(error.into_api());
            }
        };
        let new = NewDocument {
            id: &id,
            owner_kind: owner_kind.as_str(),
            owner_id: &owner_id,
            purpose,
            content_type: received.format.content_type(),
            size: received.size as i64,
            sha256: &received.sha256,
            object_key: &key,
            file_name: &file_name,
            uploaded_by: &caller.account_id,
            state: DocState::Available,
            expected_size: None,
            expected_sha256: None,
        };
        let row = match record_upload(&act, &new, state.clock.now_ms(), &Visibility::of(&caller)).await {
            Ok(row) => row,
            Err(e) => {
                // No row, so the object must not stay either (else the sweeper removes it later).
                let _ = state.objects.delete(&key).await;
                return Err(e);
            }
        };
        return Ok((StatusCode::CREATED, Json(row.into())));
    }
}

/// Inserts the row of a stored file and commits the act; the row as the caller sees it.
async fn record_upload(
    act: &Act,
    new: &NewDocument<'_>,
    now: i64,
    visibility: &Visibility,
) -> ApiResult<store::DocumentRow> {
    let mut tx = act.begin().await?;
    store::insert(&mut *tx, new, now).await?;
    let row = store::get(&mut *tx, new.id, visibility).await?.ok_or_else(not_found)?;
    act.commit(tx, format!("document:{}", new.id)).await?;
    Ok(row)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Staff only: `person` or `enterprise`.
    pub owner_kind: Option<String>,
    /// Staff only: the owner's id.
    pub owner_id: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Lists the caller's own documents (persons, enterprises, supervisors); other staff list one
/// owner's documents within their jurisdiction (`owner_kind` and `owner_id`).
#[utoipa::path(get, path = "/documents", tag = "documents", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<DocumentView>), (status = 422, body = Problem)))]
async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Vec<DocumentView>>> {
    let (owner_kind, owner_id) = match (&caller.scope, query.owner_kind.as_deref(), query.owner_id.as_deref()) {
        (crate::auth::Scope::Person(id), ..) => ("person", id.clone()),
        (crate::auth::Scope::Enterprise(id), ..) => ("enterprise", id.clone()),
        _ if caller.role == Role::Supervisor => ("staff", caller.account_id.clone()),
        (_, Some(kind @ ("person" | "enterprise")), Some(id)) => (kind, id.to_owned()),
        _ => {
            let mut invalid = Invalid::default();
            invalid.field(
                "owner_kind",
                "document.owner_required",
                "请指定 owner_kind（person 或 enterprise）和 owner_id",
                "Give owner_kind (person or enterprise) and owner_id",
            );
            return Err(invalid.finish().unwrap_err());
        }
    };
    let (limit, offset) = Page {
        page: query.page,
        per_page: query.per_page,
    }
    .limit_offset();
    let rows = store::list(
        &state.db,
        owner_kind,
        &owner_id,
        &Visibility::of(&caller),
        limit,
        offset,
    )
    .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// One document's metadata.
#[utoipa::path(get, path = "/documents/{id}", tag = "documents", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = DocumentView), (status = 404, body = Problem)))]
async fn get_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DocumentView>> {
    let row = store::get(&state.db, &id, &Visibility::of(&caller))
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(row.into()))
}

/// Deletes one's own document and its stored file, while the record it belongs to is still
/// editable.
#[utoipa::path(delete, path = "/documents/{id}", tag = "documents", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_document(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let row = own_document(&state, &caller, &id).await?;
    act.set_target(format!("document:{id}"));
    rules::may_delete(row.state()).map_err(rule_error)?;
    let mut tx = act.begin().await?;
    let deleted = store::delete_unlocked(&mut *tx, &id).await.map_err(|e| {
        if crate::db::is_foreign_key_violation(&e) {
            ApiError::conflict(
                "document.in_use",
                "该文件仍被其他记录引用，不能删除",
                "A record still refers to this file; it cannot be deleted",
            )
        } else {
            e.into()
        }
    })?;
    if !deleted {
        return Err(rule_error(DocRule::Locked));
    }
    act.commit(tx, format!("document:{id}")).await?;
    if let Err(error) = state.objects.delete(&row.object_key).await {
        tracing::warn!(%error, "document row deleted but its object remains; the sweeper will remove it");
    }
    Ok(StatusCode::NO_CONTENT)
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
async fn download_link(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<DownloadLink>> {
    let row = store::get(&state.db, &id, &Visibility::of(&caller))
        .await?
        .ok_or_else(not_found)?;
    rules::may_read_content(row.state()).map_err(rule_error)?;
    let ttl = state.settings.uploads.download_ttl_secs;
    let expires_at = state.clock.now_ms() + ttl * 1000;
    let presigned = state
        .objects
        .presign_get(
            &row.object_key,
            Duration::from_secs(ttl as u64),
            &row.content_type,
            &row.file_name,
        )
        .await
        .map_err(|e| UploadError::Store(e).into_api())?;
    let url = match presigned {
        Some(url) => url,
        None => {
            let signature = link_signature(&state, "get", &id, expires_at);
            app_url(
                &state,
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
async fn document_content(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(link): Query<LinkQuery>,
) -> ApiResult<Response> {
    check_link(&state, "get", &id, &link)?;
    let city = Visibility::of(&Caller {
        account_id: String::new(),
        role: Role::City,
        scope: crate::auth::Scope::City,
        channel: crate::auth::Channel::Web,
    });
    let row = store::get(&state.db, &id, &city).await?.ok_or_else(not_found)?;
    rules::may_read_content(row.state()).map_err(rule_error)?;
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
    headers.insert(
        header::CONTENT_DISPOSITION,
        value(&rules::content_disposition(&row.file_name)),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
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
    pub document_id: String,
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
async fn presign_upload(
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
    let id = new_id();
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
                &state,
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
async fn put_presigned_content(
    State(state): State<AppState>,
    act: Act,
    Path(id): Path<String>,
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
async fn complete_upload(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
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
            let mut tx = state.db.begin().await?;
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
    let row = store::get(&mut *tx, &id, &Visibility::of(&caller))
        .await?
        .ok_or_else(not_found)?;
    act.commit(tx, format!("document:{id}")).await?;
    Ok(Json(row.into()))
}
