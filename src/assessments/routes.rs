//! Enterprise self-assessments over HTTP: create for a period, delete while still editable;
//! and reading them, with every round, for the enterprise and staff. Filling the items is in
//! `filling`, submitting in `submission`; the views and lookups they share are here.

use crate::openapi::register::routes;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use super::rules::{self, Event, PersonRole, TemplateKind};
use super::store::{self, AssessmentRow, HistoryEntry, LinkedDocument, RoundView};
use super::templates::{self, Template, TemplateItem};
use super::{changed_meanwhile, not_allowed, valid_period};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::platform::db::{Conn, Executor, Tx};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{AssessmentId, DocumentId};
use crate::platform::paging::Page;
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_assessment, list_assessments))
        .routes(routes!(get_assessment, delete_assessment))
        .routes(routes!(state_history))
}

/// Who reads self-assessments: the enterprise its own, staff within their jurisdiction.
pub const READERS: &[Role] = &[Role::Enterprise, Role::District, Role::City];

pub fn not_found() -> ApiError {
    ApiError::not_found("考核", "Assessment")
}

/// An assessment within the caller's scope, or 404.
pub async fn visible(db: impl Executor<'_>, caller: &Caller, id: &AssessmentId) -> ApiResult<AssessmentRow> {
    caller.require(READERS)?;
    store::get(db, id, &caller.bounds()).await?.ok_or_else(not_found)
}

/// The caller's own assessment, checked to be editable, with its template.
pub async fn editable(state: &AppState, caller: &Caller, id: &AssessmentId) -> ApiResult<(AssessmentRow, Template)> {
    caller.require(&[Role::Enterprise])?;
    let row = visible(&state.db, caller, id).await?;
    rules::transition(row.state(), Event::Edit).map_err(not_allowed)?;
    let template = template_of(&mut *state.db.acquire().await?, &row).await?;
    Ok((row, template))
}

/// Begins the act's edit of `row`: its transaction, holding the record while it is still
/// editable in the same round.
pub async fn begin_edit(act: &Act, row: &AssessmentRow, now: i64) -> ApiResult<Tx<'static>> {
    let mut tx = act.begin().await?;
    if !store::hold_editable(&mut *tx, row, now).await? {
        return Err(changed_meanwhile());
    }
    Ok(tx)
}

pub async fn template_of(conn: &mut Conn, row: &AssessmentRow) -> ApiResult<Template> {
    super::template_of_record(conn, &row.template_id).await
}

/// The item `number` of the record's template, or 404.
pub fn item_of<'t>(template: &'t Template, number: &str) -> ApiResult<&'t TemplateItem> {
    template
        .item(number)
        .ok_or_else(|| ApiError::not_found("考核项", "Assessment item"))
}

/// One item as shown: the template's wording and the round's fill and review.
#[derive(Serialize, ToSchema)]
pub struct ItemView {
    #[serde(flatten)]
    pub template: TemplateItem,
    pub self_score: Option<f64>,
    pub self_note: String,
    /// 考核得分: set by the reviewer (✓ takes the self-score, ✗ enters another).
    pub assessed_score: Option<f64>,
    /// pending | passed | rejected
    pub review_state: String,
    pub review_opinion: Option<String>,
    pub rectification_note: String,
    pub documents: Vec<LinkedDocument>,
    pub people: Vec<PersonView>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    pub role: PersonRole,
    pub name: String,
    /// Masked, e.g. `110105********002X`.
    pub id_number: String,
    pub position: String,
    pub certificate_name: String,
    pub certificate_number: String,
    pub certificate_valid_until: Option<String>,
    #[schema(value_type = String)]
    pub scan_document_id: DocumentId,
}

/// An assessment with the items of one round.
#[derive(Serialize, ToSchema)]
pub struct AssessmentView {
    #[serde(flatten)]
    pub record: AssessmentRow,
    pub template_name: String,
    /// The round the items below belong to.
    pub shown_round: i64,
    pub max_total: f64,
    pub self_total: f64,
    pub assessed_total: f64,
    pub items: Vec<ItemView>,
    /// Every submitted round and how its review ended.
    pub rounds: Vec<RoundView>,
}

/// Builds the view of `round` (the current one unless given); inside an act's transaction, it
/// shows what the act wrote.
pub async fn view(conn: &mut Conn, row: AssessmentRow, round: Option<i64>) -> ApiResult<AssessmentView> {
    let round = round.unwrap_or(row.round);
    if !(1..=row.round).contains(&round) {
        return Err(ApiError::not_found("考核轮次", "Assessment round"));
    }
    let template = template_of(conn, &row).await?;
    let fills = store::items(&mut *conn, &row.id, round).await?;
    let documents = store::documents(&mut *conn, &row.id, round).await?;
    let people = store::people(&mut *conn, &row.id, round).await?;
    let items: Vec<ItemView> = template
        .items
        .iter()
        .filter_map(|t| {
            let fill = fills.iter().find(|f| f.number == t.number)?;
            Some(ItemView {
                template: t.clone(),
                self_score: fill.self_score,
                self_note: fill.self_note.clone(),
                assessed_score: fill.assessed_score,
                review_state: fill.review_state.as_str().to_owned(),
                review_opinion: fill.review_opinion.clone(),
                rectification_note: fill.rectification_note.clone(),
                documents: documents.iter().filter(|d| d.number == t.number).cloned().collect(),
                people: people
                    .iter()
                    .filter(|p| p.number == t.number)
                    .map(|p| PersonView {
                        id: p.id.clone(),
                        role: p.role,
                        name: p.name_masked.clone(),
                        id_number: p.id_number_masked.clone(),
                        position: p.position.clone(),
                        certificate_name: p.certificate_name.clone(),
                        certificate_number: p.certificate_number.clone(),
                        certificate_valid_until: p.certificate_valid_until.clone(),
                        scan_document_id: p.scan_document_id.clone(),
                    })
                    .collect(),
            })
        })
        .collect();
    Ok(AssessmentView {
        template_name: template.name.clone(),
        shown_round: round,
        max_total: template.max_total(),
        self_total: rules::total(items.iter().filter_map(|i| i.self_score)),
        assessed_total: rules::total(items.iter().filter_map(|i| i.assessed_score)),
        items,
        rounds: store::rounds(&mut *conn, &row.id).await?,
        record: row,
    })
}

/// The current round of the record as the caller now sees it: read inside the act's
/// transaction, before its commit.
pub async fn reread(conn: &mut Conn, caller: &Caller, id: &AssessmentId) -> ApiResult<AssessmentView> {
    let row = visible(&mut *conn, caller, id).await?;
    view(conn, row, None).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessmentBody {
    /// general_conditions | safety_director | licence_dynamic (the project assessment is a
    /// supervisor's).
    pub kind: TemplateKind,
    /// The assessment period: a year (`2026`), half-year (`2026-H2`) or quarter (`2026-Q3`).
    #[schema(example = "2026")]
    pub period: String,
}

/// The enterprise starts a self-assessment for a period on the template's current version.
#[utoipa::path(post, path = "/assessments", tag = "assessments", request_body = NewAssessmentBody, security(("bearer" = [])),
    responses((status = 201, body = AssessmentView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn create_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<NewAssessmentBody>,
) -> ApiResult<(StatusCode, Json<AssessmentView>)> {
    Ok((StatusCode::CREATED, Json(create(&state, &caller, &act, &body).await?)))
}

/// Starts a self-assessment, in `act`: the API's `POST /assessments` and the enterprise
/// portal's form.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    body: &NewAssessmentBody,
) -> ApiResult<AssessmentView> {
    caller.require(&[Role::Enterprise])?;
    let enterprise = caller.enterprise_id().ok_or_else(ApiError::forbidden_role)?;
    let mut invalid = Invalid::default();
    if !body.kind.is_self_assessment() {
        invalid.field(
            "kind",
            "assessment.not_self_assessed",
            "项目安全生产条件考核由监督员填报，企业不能自评",
            "The project assessment is filled by a supervisor, not by the enterprise",
        );
    }
    if !valid_period(&body.period) {
        invalid.field(
            "period",
            "assessment.period_invalid",
            "考核期为年份（2026）、半年（2026-H1）或季度（2026-Q3）",
            "The period is a year (2026), half-year (2026-H1) or quarter (2026-Q3)",
        );
    }
    invalid.finish()?;
    let template = templates::current(&mut *state.db.acquire().await?, body.kind)
        .await?
        .ok_or_else(|| ApiError::internal("template kind without a version"))?;
    let now = state.clock.now_ms();
    let mut tx = act.begin().await?;
    let id = store::create(&mut tx, enterprise, &template, &body.period, &caller.account_id, now)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                "assessment.period_taken",
                format!("本企业已有 {} 期的该项考核，请在原记录上修改", body.period),
                format!("You already have this assessment for {}; edit that one", body.period),
            )
        })?;
    let view = reread(&mut tx, caller, &id).await?;
    act.commit(tx, format!("assessment:{id}")).await?;
    Ok(view)
}

#[derive(Deserialize, IntoParams, Clone)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub kind: Option<TemplateKind>,
    pub state: Option<rules::State>,
    pub period: Option<String>,
    /// District code (staff).
    pub district: Option<String>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Self-assessments within the caller's scope, most recently changed first.
#[utoipa::path(get, path = "/assessments", tag = "assessments", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<AssessmentRow>), (status = 403, body = Problem)))]
async fn list_assessments(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<AssessmentRow>>> {
    Ok(Json(list(&state, &caller, q, store::NEWEST_FIRST).await?))
}

/// A page of the self-assessments within the caller's scope in `order`: the API's
/// `GET /assessments` (newest first) and the staff console's review queue (sorted by the reviewer).
pub async fn list(
    state: &AppState,
    caller: &Caller,
    q: ListQuery,
    order: store::Order,
) -> ApiResult<Vec<AssessmentRow>> {
    caller.require(READERS)?;
    let page = Page {
        page: q.page,
        per_page: q.per_page,
    };
    Ok(store::list(&state.db, &caller.bounds(), &filter_of(q), order, &page).await?)
}

/// How many self-assessments within the caller's scope the query selects (its page aside).
pub async fn count(state: &AppState, caller: &Caller, q: ListQuery) -> ApiResult<i64> {
    caller.require(READERS)?;
    Ok(store::count(&state.db, &caller.bounds(), &filter_of(q)).await?)
}

fn filter_of(q: ListQuery) -> store::Filter {
    store::Filter {
        kind: q.kind.map(|k| k.as_str().to_owned()),
        state: q.state.map(|s| s.as_str().to_owned()),
        period: q.period,
        district: q.district,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    /// An earlier round (default: the current one).
    pub round: Option<i64>,
}

/// One self-assessment with the items of the current round, or of an earlier one.
#[utoipa::path(get, path = "/assessments/{id}", tag = "assessments", params(("id" = String, Path), RoundQuery),
    security(("bearer" = [])), responses((status = 200, body = AssessmentView), (status = 404, body = Problem)))]
async fn get_assessment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<AssessmentId>,
    Query(q): Query<RoundQuery>,
) -> ApiResult<Json<AssessmentView>> {
    Ok(Json(read(&state, &caller, &id, q.round).await?))
}

/// A self-assessment the caller may see, with the items of `round` (the current one unless
/// given).
pub async fn read(
    state: &AppState,
    caller: &Caller,
    id: &AssessmentId,
    round: Option<i64>,
) -> ApiResult<AssessmentView> {
    let mut conn = state.db.acquire().await?;
    let row = visible(&mut *conn, caller, id).await?;
    view(&mut conn, row, round).await
}

/// Every state change of a self-assessment: who, when, from, to, and the opinion given.
#[utoipa::path(get, path = "/assessments/{id}/history", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = Problem)))]
async fn state_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<AssessmentId>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    let row = visible(&state.db, &caller, &id).await?;
    Ok(Json(store::state_history(&state.db, &row.id).await?))
}

/// Deletes a draft or returned self-assessment (seed 000 §2.2); it is kept for the record but
/// no longer listed, and its unsubmitted documents become deletable again.
#[utoipa::path(delete, path = "/assessments/{id}", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<AssessmentId>,
) -> ApiResult<StatusCode> {
    delete(&state, &caller, &act, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a draft or returned self-assessment, in `act`: the API's `DELETE /assessments/{id}`
/// and the enterprise portal's delete button.
pub async fn delete(state: &AppState, caller: &Caller, act: &Act, id: &AssessmentId) -> ApiResult<()> {
    caller.require(&[Role::Enterprise])?;
    let row = visible(&state.db, caller, id).await?;
    act.set_target(format!("assessment:{id}"));
    rules::transition(row.state(), Event::Delete).map_err(not_allowed)?;
    let mut tx = act.begin().await?;
    if !store::delete(&mut tx, &row, &caller.account_id, state.clock.now_ms()).await? {
        return Err(changed_meanwhile());
    }
    act.commit(tx, format!("assessment:{id}")).await?;
    Ok(())
}
