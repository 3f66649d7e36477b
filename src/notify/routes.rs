//! Notifications over HTTP: a person's mini-program inbox, an enterprise's notices with their
//! delivery state.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::{Caller, Scope};
use crate::error::{ApiError, ApiResult, Problem};
use crate::paging::Page;
use crate::state::AppState;
use crate::web::Json;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(mark_read))
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct NotificationView {
    pub id: String,
    /// inbox | sms
    pub channel: String,
    /// e.g. `employment.requested`
    pub kind: String,
    /// The notice's details as JSON text.
    pub params: String,
    /// pending | delivered | failed
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    pub read_at: Option<i64>,
}

/// The recipient a caller reads notifications as.
fn recipient(caller: &Caller) -> ApiResult<(&'static str, &str)> {
    match &caller.scope {
        Scope::Person(id) => Ok(("person", id)),
        Scope::Enterprise(id) => Ok(("enterprise", id)),
        _ => Err(ApiError::forbidden_role()),
    }
}

/// The caller's notifications, newest first: a person's inbox, an enterprise's SMS notices.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<NotificationView>), (status = 403, body = Problem)))]
async fn list_notifications(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<NotificationView>>> {
    let (kind, id) = recipient(&caller)?;
    let (limit, offset) = page.limit_offset();
    let rows = sqlx::query_as(
        "SELECT id, channel, kind, params, state, attempts, last_error, created_at, delivered_at, read_at FROM notifications \
         WHERE recipient_kind = $1 AND recipient_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
    )
    .bind(kind)
    .bind(id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(rows))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
async fn mark_read(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let (kind, recipient_id) = recipient(&caller)?;
    let done = sqlx::query("UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND recipient_kind = $3 AND recipient_id = $4")
        .bind(state.clock.now_ms())
        .bind(&id)
        .bind(kind)
        .bind(recipient_id)
        .execute(&state.db)
        .await?;
    if done.rows_affected() == 1 {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("通知", "Notification"))
    }
}
