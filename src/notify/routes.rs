//! Notifications over HTTP: a person's mini-program inbox, an enterprise's notices with their
//! delivery state.

use crate::openapi::register::routes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use utoipa_axum::router::OpenApiRouter;

use super::store::{self, NotificationView};
use super::texts;
use crate::audit::Act;
use crate::auth::{Caller, Scope};
use crate::platform::error::{ApiError, ApiResult, Lang, Problem};
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

/// The caller's notifications, newest first: a person's inbox, an enterprise's SMS notices,
/// each with its title and body in the language asked for. Staff read what awaits their
/// decision at `GET /staff/inbox`.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<NotificationView>), (status = 403, body = Problem)))]
async fn list_notifications(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<NotificationView>>> {
    Ok(Json(list(&state, &caller, &page, Lang::from_headers(&headers)).await?))
}

/// A page of the caller's notifications, newest first, worded in `lang`: the API's list and
/// the enterprise portal's notifications page.
pub async fn list(state: &AppState, caller: &Caller, page: &Page, lang: Lang) -> ApiResult<Vec<NotificationView>> {
    let (kind, id) = recipient(caller)?;
    let (limit, offset) = page.limit_offset();
    let notices = store::list_for(&state.db, kind, id, limit, offset).await?;
    Ok(with_texts(notices, lang))
}

/// The notices with their title and body in `lang`.
fn with_texts(mut notices: Vec<NotificationView>, lang: Lang) -> Vec<NotificationView> {
    for n in &mut notices {
        let params = serde_json::from_str(&n.params).unwrap_or_default();
        let text = texts::render(&n.kind, &params, lang);
        (n.title, n.body) = (text.title, text.body);
    }
    notices
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
    read(&state, &caller, &act, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks one of the caller's notifications read, in `act` (404 for anyone else's).
pub async fn read(state: &AppState, caller: &Caller, act: &Act, id: &NotificationId) -> ApiResult<()> {
    let (kind, recipient_id) = recipient(caller)?;
    let mut tx = act.begin().await?;
    if !store::mark_read(&mut *tx, id, kind, recipient_id, state.clock.now_ms()).await? {
        return Err(ApiError::not_found("通知", "Notification"));
    }
    act.commit(tx, format!("notification:{id}")).await?;
    Ok(())
}
