//! The streaming upload: one file as `multipart/form-data`, checked while it is received.

use axum::{
    extract::{Multipart, Query, State},
    http::StatusCode,
};
use bytes::Bytes;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{linger, not_found, owner_for, LINGER_BYTES};
use crate::audit::Act;
use crate::auth::{Bounds, Caller};
use crate::documents::rules::{self, DocState, Purpose};
use crate::documents::store::{self, DocumentView, NewDocument};
use crate::documents::upload::{self, ChunkSource, Expect, UploadError};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::DocumentId;
use crate::platform::web::Json;
use crate::state::AppState;

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

pub(super) struct FieldSource<'a>(pub(super) axum::extract::multipart::Field<'a>);

impl ChunkSource for FieldSource<'_> {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, UploadError> {
        self.0.chunk().await.map_err(|e| UploadError::Body(e.body_text()))
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// What the file is for; decides who may upload it and which formats it accepts.
    #[param(value_type = crate::documents::rules::Purpose)]
    pub purpose: String,
}

/// The upload's form: one part named `file`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the form; the handler reads the parts as they stream in
pub struct UploadForm {
    /// The file's bytes.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Uploads one file as `multipart/form-data` with the file in the part named `file` (what
/// `wx.uploadFile` sends). The content decides the type: PDF, JPEG, PNG, MP4 or QuickTime, as
/// the purpose allows. Photos are stored with their orientation applied and metadata removed.
#[utoipa::path(post, path = "/documents", tag = "documents", params(UploadQuery), security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "A part named `file`"),
    responses((status = 201, body = DocumentView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub(super) async fn upload_document(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Query(query): Query<UploadQuery>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<DocumentView>)> {
    let purpose = parse_purpose(&query.purpose)?;
    owner_for(&caller, purpose)?;
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "document.not_multipart",
            "请以 multipart/form-data 上传文件",
            "Upload the file as multipart/form-data",
        )
    })?;
    let row = receive_upload(&state, &caller, &act, purpose, &mut multipart).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Streams the part named `file` of `multipart` into the object store as a document of
/// `purpose` owned by the caller, checked as it arrives (format, the purpose's size cap), and
/// records it: the API's upload and the enterprise portal's (which reads its form token, the
/// first part, before calling this).
pub async fn receive_upload(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    purpose: Purpose,
    multipart: &mut Multipart,
) -> ApiResult<store::DocumentRow> {
    owner_for(caller, purpose)?;
    with_file_part(multipart, async |field| {
        receive_field(state, caller, act, purpose, field).await
    })
    .await
}

/// Streams one file part into the object store as a document of `purpose` owned by the
/// caller and records it (`receive_upload`'s work once the part is found; the enterprise
/// portal's daily events form reads its own fields first and hands its file part here).
pub async fn receive_field(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    purpose: Purpose,
    field: axum::extract::multipart::Field<'_>,
) -> ApiResult<store::DocumentRow> {
    let (owner_kind, owner_id) = owner_for(caller, purpose)?;
    let id = DocumentId::new();
    let key = rules::object_key(owner_kind, &owner_id, &id);
    let expect = Expect {
        purpose,
        limits: &state.settings.uploads,
        images: &state.images,
        size: None,
        sha256: None,
    };
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
        file_name: &rules::download_name(&file_name, received.format.content_type()),
        uploaded_by: &caller.account_id,
        state: DocState::Available,
        expected_size: None,
        expected_sha256: None,
    };
    match record_upload(act, &new, state.clock.now_ms(), &caller.bounds()).await {
        Ok(row) => Ok(row),
        Err(e) => {
            // No row, so the object must not stay either (else the sweeper removes it later).
            let _ = state.objects.delete(&key).await;
            Err(e)
        }
    }
}

/// Finds the part named `file` and hands it to `on_file`; the parts before it must be few and
/// small (see `skip_other_part`), and a request without one is refused.
pub(crate) async fn with_file_part<T>(
    multipart: &mut Multipart,
    on_file: impl AsyncFnOnce(axum::extract::multipart::Field<'_>) -> ApiResult<T>,
) -> ApiResult<T> {
    let mut other_parts = 0;
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
        if field.name() == Some("file") {
            return on_file(field).await;
        }
        other_parts += 1;
        let mut field = field;
        if let Err(error) = skip_other_part(&mut field, other_parts).await {
            // Read on (within a bound) so that a client still sending gets the answer.
            if let Some(left) = drain_field(&mut field, LINGER_BYTES).await {
                drop(field);
                linger_rest(multipart, left).await;
            }
            return Err(error);
        }
    }
}

/// Reads and drops the rest of `field` within `budget` bytes: the budget left, or None when
/// the field did not end within it (or could not be read).
async fn drain_field(field: &mut axum::extract::multipart::Field<'_>, budget: u64) -> Option<u64> {
    let mut left = budget;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => left = left.checked_sub(chunk.len() as u64)?,
            Ok(None) => return Some(left),
            Err(_) => return None,
        }
    }
}

/// Reads and drops the parts that follow a refused one, within `budget` bytes.
async fn linger_rest(multipart: &mut Multipart, mut budget: u64) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        match drain_field(&mut field, budget).await {
            Some(left) => budget = left,
            None => return,
        }
    }
}

/// Parts other than `file` (form fields `wx.uploadFile` may add) are read and dropped, but only
/// a few small ones: a request of thousands of parts or a huge form field is refused early.
pub(crate) const OTHER_PARTS_MAX: usize = 16;
pub(crate) const OTHER_PART_MAX_BYTES: usize = 64 * 1024;

async fn skip_other_part(field: &mut axum::extract::multipart::Field<'_>, count: usize) -> ApiResult<()> {
    let refused = |code, zh, en| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, code, zh, en);
    if count > OTHER_PARTS_MAX {
        return Err(refused(
            "document.too_many_parts",
            "请求中除 file 外的部分过多（最多 16 个）",
            "Too many parts besides file (at most 16)",
        ));
    }
    let mut read = 0;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| UploadError::Body(e.body_text()).into_api())?
    {
        read += chunk.len();
        if read > OTHER_PART_MAX_BYTES {
            return Err(refused(
                "document.part_too_large",
                "请求中除 file 外的部分过大（每个最多 64 KB）",
                "A part besides file is too large (at most 64 KB each)",
            ));
        }
    }
    Ok(())
}

/// Inserts the row of a stored file and commits the act; the row as the caller sees it.
async fn record_upload(act: &Act, new: &NewDocument<'_>, now: i64, bounds: &Bounds) -> ApiResult<store::DocumentRow> {
    let mut tx = act.begin().await?;
    store::insert(&mut *tx, new, now).await?;
    let row = store::get(&mut *tx, new.id, &store::Reader::within(bounds))
        .await?
        .ok_or_else(not_found)?;
    act.commit(tx, format!("document:{}", new.id)).await?;
    Ok(row)
}
