//! Verification over HTTP: tasks, the selection of check-in personnel, and its review.

use crate::openapi::register::routes;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use super::rules::{self, OpeningRule, TaskKind, TaskState};
use super::store::{self, RequirementView, ReviewView, SelectedRow, TaskRow};
use std::collections::HashMap;

use crate::audit::Act;
use crate::auth::{Bounds, Caller, Role, Scope};
use crate::platform::crypto::Keys;
use crate::platform::db::{Conn, Executor};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{DocumentId, EmploymentId, EnterpriseId, PersonId, QualificationId, VerificationTaskId};
use crate::platform::paging::Page;
use crate::platform::types::{Date, Text};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_task, list_tasks))
        .routes(routes!(get_task))
        .routes(routes!(list_requirements, set_requirement))
}

/// Staff who decide about tasks and check-ins in their jurisdiction. Not system
/// administrators: they administer accounts and see no person (`Caller::require_people_access`).
pub(super) const REVIEWERS: &[Role] = &[Role::City, Role::District];

fn not_found() -> ApiError {
    ApiError::not_found("核查任务", "Verification task")
}

pub(super) fn not_allowed(state: TaskState) -> ApiError {
    ApiError::conflict(
        "verification.state",
        format!("核查任务当前为“{}”状态，不能进行此操作", state.as_str()),
        format!("The task is {}; this is not possible now", state.as_str()),
    )
}

/// One selected person: named, and whether they are still employed and have checked in.
#[derive(Serialize, ToSchema)]
pub struct SelectedView {
    #[schema(value_type = String)]
    pub employment_id: EmploymentId,
    #[schema(value_type = String)]
    pub person_id: PersonId,
    pub name: String,
    /// Masked, e.g. `110105********002X`.
    pub id_number: String,
    /// False once the employment has ended: the enterprise must replace this person.
    pub employed: bool,
    /// Has an accepted check-in in the current round.
    pub checked_in: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TaskView {
    #[schema(value_type = String)]
    pub id: VerificationTaskId,
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    #[schema(value_type = String)]
    pub qualification_id: QualificationId,
    /// e.g. 建筑工程施工总承包 一级
    pub qualification: String,
    #[schema(value_type = crate::verification::rules::TaskKind)]
    pub kind: String,
    pub state: TaskState,
    /// 1, or 2 after a rectification.
    pub round: i64,
    pub notice_date: String,
    /// The last day to submit the check-in personnel.
    pub start_deadline: String,
    /// The last day to check in, once the selection is approved.
    pub window_end: Option<String>,
    pub opened_at: i64,
    pub selection: Vec<SelectedView>,
    /// Someone selected has left the enterprise during check-in: the enterprise must submit a
    /// replacement (`POST /verification/tasks/{id}/replacement`).
    pub needs_replacement: bool,
    /// The replacement awaiting review, while the task is `replacement_submitted`.
    pub proposed_replacement: Vec<SelectedView>,
    pub reviews: Vec<ReviewView>,
    /// The rectification notice (责令整改通知书) of a routine task closed overdue, with the
    /// enterprise's report once answered; kept in later rounds.
    pub rectification: Option<RectificationNotice>,
}

#[derive(Serialize, ToSchema)]
pub struct RectificationNotice {
    /// The last day to rectify.
    pub deadline: String,
    /// Why the notice was issued (who had not checked in).
    pub reasons: String,
    /// The enterprise's report, once submitted.
    pub report: Option<String>,
    /// The report's PDF, once submitted.
    #[schema(value_type = Option<String>)]
    pub report_document_id: Option<DocumentId>,
}

/// The selected people of one task, named.
fn selected_views(
    keys: &Keys,
    rows: &mut HashMap<VerificationTaskId, Vec<SelectedRow>>,
    task: &VerificationTaskId,
) -> Vec<SelectedView> {
    let rows = rows.remove(task).unwrap_or_default();
    rows.into_iter()
        .map(|row| {
            let (name, id_number) = row.identity(keys);
            SelectedView {
                employment_id: row.employment_id,
                person_id: row.person_id,
                name,
                id_number,
                employed: row.employed == 1,
                checked_in: row.checked_in == 1,
            }
        })
        .collect()
}

fn by_task(rows: Vec<SelectedRow>) -> HashMap<VerificationTaskId, Vec<SelectedRow>> {
    let mut grouped: HashMap<_, Vec<_>> = HashMap::new();
    for row in rows {
        grouped.entry(row.task_id.clone()).or_default().push(row);
    }
    grouped
}

/// Each task with its current selection, any proposed replacement and every review, read on
/// `conn` (an act's transaction, or a pooled connection) in three queries for the whole page.
pub(super) async fn task_views(conn: &mut Conn, state: &AppState, rows: Vec<TaskRow>) -> ApiResult<Vec<TaskView>> {
    let tasks: Vec<&TaskRow> = rows.iter().collect();
    let mut selected = by_task(store::selections(&mut *conn, &tasks).await?);
    let mut proposed = by_task(store::proposed_replacements(&mut *conn, &tasks).await?);
    let mut reviews: HashMap<_, Vec<ReviewView>> = HashMap::new();
    for (task, review) in store::reviews_of(&mut *conn, &tasks).await? {
        reviews.entry(task).or_default().push(review);
    }
    let keys = &state.keys;
    let views = rows.into_iter().map(|row| {
        let selection = selected_views(keys, &mut selected, &row.id);
        let proposed_replacement = selected_views(keys, &mut proposed, &row.id);
        let reviews = reviews.remove(&row.id).unwrap_or_default();
        assemble(row, selection, proposed_replacement, reviews)
    });
    Ok(views.collect())
}

fn assemble(
    row: TaskRow,
    selection: Vec<SelectedView>,
    proposed_replacement: Vec<SelectedView>,
    reviews: Vec<ReviewView>,
) -> TaskView {
    let needs_replacement = row.state() == TaskState::CheckingIn && selection.iter().any(|s| !s.employed);
    let rectification = row.rectification_deadline.clone().map(|deadline| RectificationNotice {
        deadline,
        reasons: row.rectification_reasons.clone().unwrap_or_default(),
        report: row.rectification_report.clone(),
        report_document_id: row.rectification_document_id.clone(),
    });
    TaskView {
        state: row.state(),
        qualification: format!("{} {}", row.category, row.grade),
        id: row.id,
        enterprise_id: row.enterprise_id,
        enterprise_name: row.enterprise_name,
        qualification_id: row.qualification_id,
        kind: row.kind.as_str().to_owned(),
        round: row.round,
        notice_date: row.notice_date,
        start_deadline: row.start_deadline,
        window_end: row.window_end,
        opened_at: row.opened_at,
        selection,
        needs_replacement,
        proposed_replacement,
        reviews,
        rectification,
    }
}

/// One task's view (see `task_views`).
pub(super) async fn task_view(conn: &mut Conn, state: &AppState, row: TaskRow) -> ApiResult<TaskView> {
    let mut views = task_views(conn, state, vec![row]).await?;
    Ok(views.pop().expect("a view of the one task"))
}

/// A selected person's view of a task: their own line only, no reviews.
fn own_line(mut view: TaskView, person: &PersonId) -> TaskView {
    view.selection.retain(|s| &s.person_id == person);
    view.proposed_replacement.clear();
    view.reviews.clear();
    view.rectification = None;
    view.needs_replacement = false;
    view
}

/// The tasks a caller may see; a person sees theirs only through `list_tasks`.
pub(super) fn scope(caller: &Caller) -> ApiResult<Bounds> {
    caller.require_people_access()?;
    match caller.scope {
        Scope::Person(_) => Err(ApiError::forbidden_role()),
        _ => Ok(caller.bounds()),
    }
}

/// The task within the caller's scope, read on `db`.
pub(super) async fn visible(db: impl Executor<'_>, caller: &Caller, id: &VerificationTaskId) -> ApiResult<TaskRow> {
    store::get_task(db, id, &scope(caller)?).await?.ok_or_else(not_found)
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum KindBody {
    /// 告知承诺制: start within ten months of the certificate's issue date.
    FirstTime,
    /// 存量: start within one month of the notice.
    Routine,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    /// One of the enterprise's qualification certificates.
    #[schema(value_type = String)]
    pub qualification_id: QualificationId,
    pub kind: KindBody,
    /// The notice date (default: today in China).
    #[schema(value_type = Option<String>, example = "2026-11-21")]
    pub notice_date: Option<Date>,
}

fn opening_error(rule: OpeningRule) -> ApiError {
    let mut invalid = Invalid::default();
    match rule {
        OpeningRule::NoticeInFuture => invalid.field(
            "notice_date",
            "verification.notice_in_future",
            "通知日期不能晚于今天",
            "The notice date cannot be later than today",
        ),
        OpeningRule::DeadlinePassed { deadline } => invalid.field(
            "notice_date",
            "verification.deadline_passed",
            format!("按此计算的启动期限 {deadline} 已过，任务开启即会逾期；请核对通知日期和资质发证日期"),
            format!("The start deadline this gives, {deadline}, has already passed; check the notice date and the certificate's issue date"),
        ),
    }
    invalid.finish().unwrap_err()
}

fn task_exists() -> ApiError {
    ApiError::conflict(
        "verification.task_exists",
        "该资质已有进行中的核查任务",
        "This qualification already has a verification task in progress",
    )
}

/// Staff open a verification task for an enterprise in their jurisdiction; the enterprise
/// contact is told by SMS. One task at a time per qualification; its start deadline must lie
/// ahead.
#[utoipa::path(post, path = "/verification/tasks", tag = "verification", request_body = NewTask, security(("bearer" = [])),
    responses((status = 201, body = TaskView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn open_task(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<NewTask>,
) -> ApiResult<(StatusCode, Json<TaskView>)> {
    caller.require(REVIEWERS)?;
    let enterprise = crate::enterprises::get(&state.db, &body.enterprise_id, &caller.bounds())
        .await?
        .ok_or_else(|| ApiError::not_found("企业", "Enterprise"))?;
    let issued = store::qualification_issued_on(&state.db, &body.qualification_id, &enterprise.id)
        .await?
        .and_then(|d| Date::parse(&d).ok())
        .ok_or_else(|| ApiError::not_found("资质证书", "Qualification"))?;
    let kind = match body.kind {
        KindBody::FirstTime => TaskKind::FirstTime,
        KindBody::Routine => TaskKind::Routine,
    };
    let now = state.clock.now_ms();
    let today = Date::today_in_china(now);
    let notice = body.notice_date.unwrap_or(today);
    let start_deadline = rules::opening_deadline(kind, issued, notice, today).map_err(opening_error)?;
    let new = store::NewTask {
        enterprise_id: &enterprise.id,
        qualification_id: &body.qualification_id,
        kind,
        notice_date: notice.to_string(),
        start_deadline: start_deadline.to_string(),
        opened_by: &caller.account_id,
    };
    let mut tx = act.begin().await?;
    // The database keeps one task in progress per qualification.
    let id = store::insert_task(&mut tx, &new, now).await.map_err(|e| {
        if crate::platform::db::is_unique_violation(&e) {
            task_exists()
        } else {
            e.into()
        }
    })?;
    let row = visible(&mut *tx, &caller, &id).await?;
    let task = task_view(&mut tx, &state, row).await?;
    act.commit(tx, format!("verification_task:{id}")).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct TasksQuery {
    #[param(value_type = Option<String>)]
    pub enterprise_id: Option<EnterpriseId>,
    /// Only tasks in this state (staff; ignored for a person, whose tasks are those taking
    /// check-ins).
    pub state: Option<TaskState>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Tasks: the enterprise's own, those in a staff member's jurisdiction, or, for a person, the
/// tasks they are selected for that take check-ins now (their own line only).
#[utoipa::path(get, path = "/verification/tasks", tag = "verification", params(TasksQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<TaskView>), (status = 403, body = Problem)))]
async fn list_tasks(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TasksQuery>,
) -> ApiResult<Json<Vec<TaskView>>> {
    Ok(Json(tasks(&state, &caller, &q, store::NEWEST_OPENED).await?))
}

/// The tasks `caller` may see, one page of them in `order` (the API's newest first; the
/// console's as its table is sorted).
pub async fn tasks(
    state: &AppState,
    caller: &Caller,
    q: &TasksQuery,
    order: store::TaskOrder,
) -> ApiResult<Vec<TaskView>> {
    let (limit, offset) = Page {
        page: q.page,
        per_page: q.per_page,
    }
    .limit_offset();
    let mut conn = state.db.acquire().await?;
    if let Scope::Person(person) = &caller.scope {
        let rows = store::open_tasks_of_person(&mut *conn, person).await?;
        let views = task_views(&mut conn, state, rows).await?;
        return Ok(views.into_iter().map(|view| own_line(view, person)).collect());
    }
    let scope = scope(caller)?;
    let rows = store::list_tasks(&mut *conn, &scope, &filter_of(q), order, limit, offset).await?;
    task_views(&mut conn, state, rows).await
}

/// How many tasks in a staff member's or an enterprise's scope the query selects (its page aside).
pub async fn count_tasks(state: &AppState, caller: &Caller, q: &TasksQuery) -> ApiResult<i64> {
    Ok(store::count_tasks(&state.db, &scope(caller)?, &filter_of(q)).await?)
}

fn filter_of(q: &TasksQuery) -> store::TaskFilter<'_> {
    store::TaskFilter {
        enterprise: q.enterprise_id.as_deref(),
        state: q.state,
    }
}

/// One task with its current selection and every review.
#[utoipa::path(get, path = "/verification/tasks/{id}", tag = "verification", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 404, body = Problem)))]
async fn get_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<VerificationTaskId>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(task(&state, &caller, &id).await?))
}

/// One task within the caller's scope (also the console's task page).
pub async fn task(state: &AppState, caller: &Caller, id: &VerificationTaskId) -> ApiResult<TaskView> {
    let mut conn = state.db.acquire().await?;
    let row = visible(&mut *conn, caller, id).await?;
    task_view(&mut conn, state, row).await
}

/// The staff each qualification requires (editable by city staff).
#[utoipa::path(get, path = "/verification/requirements", tag = "verification", security(("bearer" = [])),
    responses((status = 200, body = Vec<RequirementView>), (status = 403, body = Problem)))]
async fn list_requirements(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<RequirementView>>> {
    caller.require(&[
        Role::City,
        Role::District,
        Role::Supervisor,
        Role::Sysadmin,
        Role::Enterprise,
    ])?;
    Ok(Json(store::requirements(&state.db).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementBody {
    #[schema(value_type = String)]
    pub category: Text<100>,
    #[schema(value_type = String)]
    pub grade: Text<20>,
    pub registered: u32,
    pub titled: u32,
}

/// City staff set how many registered and titled staff a qualification requires.
#[utoipa::path(put, path = "/verification/requirements", tag = "verification", request_body = RequirementBody, security(("bearer" = [])),
    responses((status = 200, body = RequirementView), (status = 403, body = Problem)))]
async fn set_requirement(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<RequirementBody>,
) -> ApiResult<Json<RequirementView>> {
    caller.require(&[Role::City, Role::Sysadmin])?;
    let target = format!("requirement:{} {}", body.category.as_str(), body.grade.as_str());
    act.set_target(&target);
    let requirement = RequirementView {
        category: body.category.as_str().to_owned(),
        grade: body.grade.as_str().to_owned(),
        registered: i64::from(body.registered),
        titled: i64::from(body.titled),
        updated_at: state.clock.now_ms(),
    };
    let mut tx = act.begin().await?;
    store::set_requirement(&mut *tx, &requirement, &caller.account_id).await?;
    act.commit(tx, target).await?;
    Ok(Json(requirement))
}
