//! Documents' metadata: listing, reading one, and deleting one's own while its record is still
//! editable.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{not_found, own_document, rule_error};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::documents::rules::{self, DocRule};
use crate::documents::store::{self, DocumentView};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::DocumentId;
use crate::platform::paging::Page;
use crate::platform::web::Json;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Staff only: `person` or `enterprise`.
    pub owner_kind: Option<String>,
    /// Staff only: the owner's id.
    pub owner_id: Option<String>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Lists the caller's own documents (persons, enterprises, supervisors); other staff list one
/// owner's documents within their jurisdiction (`owner_kind` and `owner_id`).
#[utoipa::path(get, path = "/documents", tag = "documents", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<DocumentView>), (status = 422, body = Problem)))]
pub(super) async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Vec<DocumentView>>> {
    let (owner_kind, owner_id) = match (&caller.scope, query.owner_kind.as_deref(), query.owner_id.as_deref()) {
        (crate::auth::Scope::Person(id), ..) => ("person", id.to_string()),
        (crate::auth::Scope::Enterprise(id), ..) => ("enterprise", id.to_string()),
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
        &store::Reader::of(&caller),
        limit,
        offset,
    )
    .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// One document's metadata.
#[utoipa::path(get, path = "/documents/{id}", tag = "documents", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = DocumentView), (status = 404, body = Problem)))]
pub(super) async fn get_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<DocumentId>,
) -> ApiResult<Json<DocumentView>> {
    let row = store::get(&state.db, &id, &store::Reader::of(&caller))
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(row.into()))
}

/// Deletes one's own document and its stored file, while the record it belongs to is still
/// editable.
#[utoipa::path(delete, path = "/documents/{id}", tag = "documents", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn delete_document(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<DocumentId>,
) -> ApiResult<StatusCode> {
    let row = own_document(&state, &caller, &id).await?;
    act.set_target(format!("document:{id}"));
    rules::may_delete(row.state()).map_err(rule_error)?;
    let mut tx = act.begin().await?;
    let deleted = store::delete_unlocked(&mut *tx, &id).await.map_err(|e| {
        if crate::platform::db::is_foreign_key_violation(&e) {
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
