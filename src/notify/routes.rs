//! Notifications over HTTP: a person's mini-program inbox, an enterprise's notices with their
//! delivery state.

use crate::openapi::register::routes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;

use super::store::{self, NotificationView};
use crate::audit::Act;
use crate::auth::{Caller, Scope};
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::NotificationId;
use crate::platform::paging::Page;
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(mark_read))
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
    Ok(Json(store::list_for(&state.db, kind, id, limit, offset).await?))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<NotificationId>,
) -> ApiResult<StatusCode> {
    let (kind, recipient_id) = recipient(&caller)?;
    let mut tx = act.begin().await?;
    if !store::mark_read(&mut *tx, &id, kind, recipient_id, state.clock.now_ms()).await? {
        return Err(ApiError::not_found("通知", "Notification"));
    }
    act.commit(tx, format!("notification:{id}")).await?;
    Ok(StatusCode::NO_CONTENT)
}
