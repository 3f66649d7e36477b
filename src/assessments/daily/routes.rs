//! Daily assessment over HTTP (seed 001 §3.3.1.4): enterprises report bonus events, staff
//! record deductions, and staff with jurisdiction pass or return each; the city sets the point
//! value of each event type.

use crate::openapi::register::routes;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub use super::listing::{count, list, ListQuery};
use super::reporting;
pub use super::reporting::{correct, delete, report};
use super::store::{self, EventRow, EventType};
use crate::assessments::rules;
use crate::assessments::store::lifecycle::{StateChange, DAILY_EVENTS};
use crate::assessments::{changed_meanwhile, not_allowed, ReviewBody};
use crate::audit::Act;
use crate::auth::{Caller, Role, Scope};
use crate::platform::db::{Conn, Executor};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{DailyEventId, DocumentId, EnterpriseId, ProjectId};
use crate::platform::types::{Date, Text, MULTILINE};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_event_types))
        .routes(routes!(set_event_type))
        .routes(routes!(report_event, list_events))
        .routes(routes!(get_event, correct_event, delete_event))
        .routes(routes!(review_event))
        .routes(routes!(event_history))
}

pub(super) const READERS: &[Role] = &[Role::Enterprise, Role::District, Role::City];
const STAFF: &[Role] = &[Role::District, Role::City];

fn not_found() -> ApiError {
    ApiError::not_found("日常考核记录", "Daily assessment event")
}

/// The point value of each event type.
#[utoipa::path(get, path = "/daily-event-types", tag = "assessments", security(("bearer" = [])),
    responses((status = 200, body = Vec<EventType>), (status = 403, body = Problem)))]
async fn list_event_types(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<EventType>>> {
    Ok(Json(event_types(&state, &caller).await?))
}

/// The event types with their point values, for those who read daily events.
pub async fn event_types(state: &AppState, caller: &Caller) -> ApiResult<Vec<EventType>> {
    caller.require(READERS)?;
    Ok(store::event_types(&state.db).await?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventTypeBody {
    #[schema(value_type = Option<String>)]
    pub name: Option<Text<100>>,
    /// Positive for bonuses, negative for deductions; at most 100 either way, in tenths.
    pub points: f64,
}

/// City staff set an event type's point value; events already passed keep theirs.
#[utoipa::path(put, path = "/daily-event-types/{code}", tag = "assessments", params(("code" = String, Path)),
    request_body = EventTypeBody, security(("bearer" = [])),
    responses((status = 200, body = Vec<EventType>), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn set_event_type(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(code): Path<String>,
    Json(body): Json<EventTypeBody>,
) -> ApiResult<Json<Vec<EventType>>> {
    caller.require(&[Role::City])?;
    act.set_target(format!("daily_event_type:{code}"));
    let types = store::event_types(&state.db).await?;
    let kind = types
        .iter()
        .find(|t| t.code == code)
        .ok_or_else(|| ApiError::not_found("事件类型", "Event type"))?;
    let bonus = kind.category == "bonus";
    let signed_ok = if bonus { body.points > 0.0 } else { body.points < 0.0 };
    if !signed_ok || rules::check_score(body.points.abs(), 100.0).is_err() {
        let mut invalid = Invalid::default();
        invalid.field(
            "points",
            "daily.points_invalid",
            "加分为正、扣分为负，绝对值不超过 100，最多一位小数",
            "Bonuses are positive and deductions negative, at most 100, in tenths",
        );
        invalid.finish()?;
    }
    let name = body.name.as_ref().map(|n| n.as_str());
    let mut tx = act.begin().await?;
    store::set_points(
        &mut *tx,
        &code,
        name,
        body.points,
        &caller.account_id,
        state.clock.now_ms(),
    )
    .await?;
    let types = store::event_types(&mut *tx).await?;
    act.commit(tx, format!("daily_event_type:{code}")).await?;
    Ok(Json(types))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    /// An event type code: bonuses (`award_national`, `award_provincial`, `award_municipal`) are
    /// reported by enterprises, deductions by staff.
    pub type_code: String,
    /// Staff only: the enterprise a deduction concerns.
    #[schema(value_type = Option<String>)]
    pub enterprise_id: Option<EnterpriseId>,
    /// The project concerned, if any; it must be the enterprise's.
    #[schema(value_type = Option<String>)]
    pub project_id: Option<ProjectId>,
    #[schema(value_type = String, example = "2026-10-15")]
    pub occurred_on: Date,
    #[schema(value_type = String, example = "项目获评省级安全文明标准化工地")]
    pub description: Text<1000, MULTILINE>,
    /// The enterprise's evidence scans (purpose `material_scan`, PDF); a bonus needs at least one.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub document_ids: Vec<DocumentId>,
}

/// Reports an event: an enterprise its bonus, staff a deduction.
#[utoipa::path(post, path = "/daily-events", tag = "assessments", request_body = EventBody, security(("bearer" = [])),
    responses((status = 201, body = EventView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn report_event(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<EventBody>,
) -> ApiResult<(StatusCode, Json<EventView>)> {
    let view = reporting::report(&state, &caller, &act, &body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    #[serde(flatten)]
    pub event: EventRow,
    #[schema(value_type = Vec<String>)]
    pub document_ids: Vec<DocumentId>,
}

async fn view(db: impl Executor<'_>, event: EventRow) -> ApiResult<EventView> {
    let document_ids = store::documents(db, &event.id).await?;
    Ok(EventView { event, document_ids })
}

/// The event as the act's transaction leaves it, for the answer.
pub(super) async fn reread(conn: &mut Conn, caller: &Caller, id: &DailyEventId) -> ApiResult<EventView> {
    let row = store::get(&mut *conn, id, &caller.bounds())
        .await?
        .ok_or_else(not_found)?;
    view(conn, row).await
}

pub(super) async fn visible(state: &AppState, caller: &Caller, id: &DailyEventId) -> ApiResult<EventRow> {
    caller.require(READERS)?;
    store::get(&state.db, id, &caller.bounds()).await?.ok_or_else(not_found)
}

/// Daily assessment events within the caller's scope, latest first.
#[utoipa::path(get, path = "/daily-events", tag = "assessments", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<EventRow>), (status = 403, body = Problem)))]
async fn list_events(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<EventRow>>> {
    Ok(Json(list(&state, &caller, q, store::LATEST_FIRST).await?))
}

/// One event with its evidence.
#[utoipa::path(get, path = "/daily-events/{id}", tag = "assessments", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = EventView), (status = 404, body = Problem)))]
async fn get_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<DailyEventId>,
) -> ApiResult<Json<EventView>> {
    Ok(Json(read(&state, &caller, &id).await?))
}

/// An event the caller may see, with its evidence.
pub async fn read(state: &AppState, caller: &Caller, id: &DailyEventId) -> ApiResult<EventView> {
    let row = visible(state, caller, id).await?;
    view(&state.db, row).await
}

/// The event's state changes with opinions.
#[utoipa::path(get, path = "/daily-events/{id}/history", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<StateChange>), (status = 404, body = Problem)))]
async fn event_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<DailyEventId>,
) -> ApiResult<Json<Vec<StateChange>>> {
    Ok(Json(history(&state, &caller, &id).await?))
}

/// An event's state changes, as the caller may read them.
pub async fn history(state: &AppState, caller: &Caller, id: &DailyEventId) -> ApiResult<Vec<StateChange>> {
    let row = visible(state, caller, id).await?;
    Ok(DAILY_EVENTS.changes(&state.db, &row.id).await?)
}

/// The reporter corrects a returned event and reports it again.
#[utoipa::path(put, path = "/daily-events/{id}", tag = "assessments", params(("id" = String, Path)), request_body = EventBody,
    security(("bearer" = [])),
    responses((status = 200, body = EventView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn correct_event(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<DailyEventId>,
    Json(body): Json<EventBody>,
) -> ApiResult<Json<EventView>> {
    Ok(Json(reporting::correct(&state, &caller, &act, &id, &body).await?))
}

/// The reporter deletes a returned event (kept for the record, no longer listed).
#[utoipa::path(delete, path = "/daily-events/{id}", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_event(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<DailyEventId>,
) -> ApiResult<StatusCode> {
    reporting::delete(&state, &caller, &act, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Staff with jurisdiction pass or return an event. A deduction is reviewed by someone other
/// than who recorded it; passing fixes the event's points at the type's current value.
#[utoipa::path(post, path = "/daily-events/{id}/review", tag = "assessments", params(("id" = String, Path)),
    request_body = ReviewBody, security(("bearer" = [])),
    responses((status = 200, body = EventView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn review_event(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<DailyEventId>,
    Json(body): Json<ReviewBody>,
) -> ApiResult<Json<EventView>> {
    Ok(Json(review(&state, &caller, &act, &id, body).await?))
}

/// Passes or returns an event, in `act`: the API's `POST /daily-events/{id}/review` and the
/// staff console's event page.
pub async fn review(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &DailyEventId,
    body: ReviewBody,
) -> ApiResult<EventView> {
    caller.require(STAFF)?;
    let row = visible(state, caller, id).await?;
    act.set_target(format!("daily_event:{id}"));
    if caller.scope == Scope::City && !state.settings.assessments.city_reviews(&row.district_code) {
        return Err(crate::assessments::review::outside_review_scope());
    }
    if row.reported_by == caller.account_id {
        return Err(ApiError::conflict(
            "daily.own_record",
            "记录人不能审核自己记录的扣分事项",
            "Whoever recorded a deduction cannot review it",
        ));
    }
    let to = rules::transition(row.state(), body.event()).map_err(not_allowed)?;
    let mut tx = act.begin().await?;
    if !store::review(
        &mut *tx,
        &row,
        to,
        body.opinion.as_str(),
        &caller.account_id,
        state.clock.now_ms(),
    )
    .await?
    {
        return Err(changed_meanwhile());
    }
    let view = reread(&mut tx, caller, id).await?;
    act.commit(tx, format!("daily_event:{id}")).await?;
    Ok(view)
}
