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
use super::store::{self, EventRow, EventType, NewEvent};
use crate::assessments::rules::{self, Event};
use crate::assessments::store::lifecycle::{StateChange, DAILY_EVENTS};
use crate::assessments::{changed_meanwhile, document_unusable, not_allowed, ReviewBody};
use crate::audit::Act;
use crate::auth::{Caller, Role, Scope};
use crate::documents::rules::Purpose;
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
    caller.require(READERS)?;
    Ok(Json(store::event_types(&state.db).await?))
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

/// Checks a report against who makes it: enterprises report bonuses with evidence about
/// themselves, staff record deductions for enterprises within their jurisdiction.
async fn check_report(
    state: &AppState,
    caller: &Caller,
    body: &EventBody,
    event: Option<&str>,
) -> ApiResult<EnterpriseId> {
    let types = store::event_types(&state.db).await?;
    let category = types
        .iter()
        .find(|t| t.code == body.type_code)
        .map(|t| t.category.as_str());
    let mut invalid = Invalid::default();
    let enterprise = match (&caller.scope, category) {
        (_, None) => {
            invalid.field(
                "type_code",
                "daily.type_unknown",
                "没有此事件类型",
                "No such event type",
            );
            None
        }
        (Scope::Enterprise(own), Some("bonus")) => Some(own.clone()),
        (Scope::Enterprise(_), Some(_)) => {
            invalid.field(
                "type_code",
                "daily.deduction_by_staff",
                "扣分事项由主管部门记录",
                "Deductions are recorded by the authority",
            );
            None
        }
        (_, Some("deduction")) => {
            let found = match &body.enterprise_id {
                Some(id) => crate::enterprises::get(&state.db, id, &caller.bounds()).await?,
                None => None,
            };
            if found.is_none() {
                invalid.field(
                    "enterprise_id",
                    "daily.enterprise_unknown",
                    "请选择辖区内的企业",
                    "Choose an enterprise within your jurisdiction",
                );
            }
            found.map(|e| e.id)
        }
        (_, Some(_)) => {
            invalid.field(
                "type_code",
                "daily.bonus_by_enterprise",
                "加分事项由企业提报",
                "Bonuses are reported by the enterprise",
            );
            None
        }
    };
    if category == Some("bonus") && body.document_ids.is_empty() {
        invalid.field(
            "document_ids",
            "daily.evidence_required",
            "加分事项须上传获奖证明材料",
            "A bonus needs its award evidence",
        );
    }
    let bounds = caller.bounds();
    for (i, id) in body.document_ids.iter().enumerate() {
        let doc = crate::documents::visible(&state.db, id, &bounds).await?;
        // A free upload, or evidence this event already holds (a correction may send it again).
        let usable = doc.is_some_and(|d| {
            caller.enterprise_id().is_some_and(|e| e.as_str() == d.owner_id)
                && d.attachable_to(Purpose::MaterialScan, event.unwrap_or_default())
        });
        if !usable {
            document_unusable(&mut invalid, &format!("document_ids[{i}]"), Purpose::MaterialScan);
        }
    }
    if let (Some(project), Some(enterprise)) = (&body.project_id, &enterprise) {
        let own = crate::projects::get(&state.db, project, &caller.bounds()).await?;
        if own.is_none_or(|p| &p.enterprise_id != enterprise) {
            invalid.field(
                "project_id",
                "daily.project_unknown",
                "该项目不属于此企业",
                "The project is not this enterprise's",
            );
        }
    }
    invalid.finish()?;
    enterprise.ok_or_else(|| ApiError::internal("report without an enterprise"))
}

fn new_event<'a>(body: &'a EventBody, enterprise: &'a EnterpriseId, occurred_on: &'a str) -> NewEvent<'a> {
    NewEvent {
        enterprise_id: enterprise,
        project_id: body.project_id.as_ref(),
        type_code: &body.type_code,
        occurred_on,
        description: body.description.as_str(),
        documents: &body.document_ids,
    }
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
    caller.require(READERS)?;
    let enterprise = check_report(&state, &caller, &body, None).await?;
    let occurred_on = body.occurred_on.to_string();
    let event = new_event(&body, &enterprise, &occurred_on);
    let mut tx = act.begin().await?;
    let id = store::insert(&mut *tx, &event, &caller.account_id, state.clock.now_ms()).await?;
    let view = reread(&mut *tx, &caller, &id).await?;
    act.commit(tx, format!("daily_event:{id}")).await?;
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
async fn reread(conn: &mut Conn, caller: &Caller, id: &DailyEventId) -> ApiResult<EventView> {
    let row = store::get(&mut *conn, id, &caller.bounds())
        .await?
        .ok_or_else(not_found)?;
    view(conn, row).await
}

async fn visible(state: &AppState, caller: &Caller, id: &DailyEventId) -> ApiResult<EventRow> {
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

/// A returned event, for its reporter to correct or delete.
async fn own_returned(state: &AppState, caller: &Caller, id: &DailyEventId, event: Event) -> ApiResult<EventRow> {
    let row = visible(state, caller, id).await?;
    if row.reported_by != caller.account_id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "daily.not_reporter",
            "只有提报人可以修改或删除该记录",
            "Only whoever reported the event can change or delete it",
        ));
    }
    rules::transition(row.state(), event).map_err(not_allowed)?;
    Ok(row)
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
    let row = own_returned(&state, &caller, &id, Event::Submit).await?;
    act.set_target(format!("daily_event:{id}"));
    let enterprise = check_report(&state, &caller, &body, Some(&row.id)).await?;
    if enterprise != row.enterprise_id {
        let mut invalid = Invalid::default();
        invalid.field(
            "enterprise_id",
            "daily.enterprise_fixed",
            "不能更换记录所属企业",
            "The event's enterprise cannot change",
        );
        invalid.finish()?;
    }
    let occurred_on = body.occurred_on.to_string();
    let event = new_event(&body, &enterprise, &occurred_on);
    let mut tx = act.begin().await?;
    if !store::resubmit(&mut *tx, &row, &event, &caller.account_id, state.clock.now_ms()).await? {
        return Err(changed_meanwhile());
    }
    let view = reread(&mut *tx, &caller, &id).await?;
    act.commit(tx, format!("daily_event:{id}")).await?;
    Ok(Json(view))
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
    let row = own_returned(&state, &caller, &id, Event::Delete).await?;
    act.set_target(format!("daily_event:{id}"));
    let mut tx = act.begin().await?;
    if !DAILY_EVENTS
        .advance(
            &mut *tx,
            &row.id,
            row.state,
            rules::State::Deleted,
            &caller.account_id,
            None,
            state.clock.now_ms(),
        )
        .await?
    {
        return Err(changed_meanwhile());
    }
    act.commit(tx, format!("daily_event:{id}")).await?;
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
