//! Verification over HTTP: tasks, the selection of check-in personnel, and its review.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::rules::{self, Required, SelectionRule, TaskEvent, TaskKind, TaskState};
use super::store::{self, RequirementView, ReviewView, SelectedView, TaskRow};
use crate::audit::Act;
use crate::auth::{Bounds, Caller, Role, Scope};
use crate::platform::db::{Conn, Executor};
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::{EmploymentId, EnterpriseId, PersonId, QualificationId, VerificationTaskId};
use crate::platform::paging::Page;
use crate::platform::types::{Date, Name};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_task, list_tasks))
        .routes(routes!(get_task))
        .routes(routes!(list_candidates))
        .routes(routes!(submit_selection))
        .routes(routes!(review_selection))
        .routes(routes!(list_requirements, set_requirement))
}

const REVIEWERS: &[Role] = &[Role::City, Role::District, Role::Sysadmin];

fn not_found() -> ApiError {
    ApiError::not_found("核查任务", "Verification task")
}

fn not_allowed(state: TaskState) -> ApiError {
    ApiError::conflict(
        "verification.state",
        format!("核查任务当前为“{}”状态，不能进行此操作", state.as_str()),
        format!("The task is {}; this is not possible now", state.as_str()),
    )
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
    /// first_time | routine
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
    pub reviews: Vec<ReviewView>,
}

/// The task with its current selection and reviews, read on `conn` (an act's transaction,
/// or a pooled connection).
async fn view(conn: &mut Conn, row: TaskRow) -> ApiResult<TaskView> {
    let selection = store::selection(&mut *conn, &row.id, row.round).await?;
    let reviews = store::reviews(&mut *conn, &row.id).await?;
    Ok(TaskView {
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
        reviews,
    })
}

/// The tasks a caller may see; a person sees none here (their check-ins have their own routes).
pub(super) fn scope(caller: &Caller) -> ApiResult<Bounds> {
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

/// Staff open a verification task for an enterprise in their jurisdiction; the enterprise
/// contact is told by SMS.
#[utoipa::path(post, path = "/verification/tasks", tag = "verification", request_body = NewTask, security(("bearer" = [])),
    responses((status = 201, body = TaskView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
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
    let notice = body.notice_date.unwrap_or_else(|| Date::today_in_china(now));
    let new = store::NewTask {
        enterprise_id: &enterprise.id,
        qualification_id: &body.qualification_id,
        kind,
        notice_date: notice.to_string(),
        start_deadline: rules::start_deadline(kind, issued, notice).to_string(),
        opened_by: &caller.account_id,
    };
    let mut tx = act.begin().await?;
    let id = store::insert_task(&mut tx, &new, now).await?;
    let row = visible(&mut *tx, &caller, &id).await?;
    let task = view(&mut tx, row).await?;
    act.commit(tx, format!("verification_task:{id}")).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TasksQuery {
    #[param(value_type = Option<String>)]
    pub enterprise_id: Option<EnterpriseId>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Tasks: the enterprise's own, or those in a staff member's jurisdiction.
#[utoipa::path(get, path = "/verification/tasks", tag = "verification", params(TasksQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<TaskView>), (status = 403, body = Problem)))]
async fn list_tasks(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TasksQuery>,
) -> ApiResult<Json<Vec<TaskView>>> {
    let scope = scope(&caller)?;
    let (limit, offset) = Page {
        page: q.page,
        per_page: q.per_page,
    }
    .limit_offset();
    let mut conn = state.db.acquire().await?;
    let mut out = Vec::new();
    for row in store::list_tasks(&mut *conn, &scope, q.enterprise_id.as_deref(), limit, offset).await? {
        out.push(view(&mut conn, row).await?);
    }
    Ok(Json(out))
}

/// One task with its current selection and every review.
#[utoipa::path(get, path = "/verification/tasks/{id}", tag = "verification", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 404, body = Problem)))]
async fn get_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<VerificationTaskId>,
) -> ApiResult<Json<TaskView>> {
    let mut conn = state.db.acquire().await?;
    let row = visible(&mut *conn, &caller, &id).await?;
    Ok(Json(view(&mut conn, row).await?))
}

#[derive(Serialize, ToSchema)]
pub struct CandidateView {
    #[schema(value_type = String)]
    pub employment_id: EmploymentId,
    #[schema(value_type = String)]
    pub person_id: PersonId,
    /// Holds a registration certificate with its scan.
    pub registered: bool,
    /// Holds a professional title with its scan.
    pub titled: bool,
    pub technical_lead: bool,
    /// Only registered or titled staff can be selected.
    pub selectable: bool,
}

/// The enterprise's current staff as candidates for check-in, with what each holds.
#[utoipa::path(get, path = "/verification/tasks/{id}/candidates", tag = "verification", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<CandidateView>), (status = 404, body = Problem)))]
async fn list_candidates(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<VerificationTaskId>,
) -> ApiResult<Json<Vec<CandidateView>>> {
    let task = visible(&state.db, &caller, &id).await?;
    let candidates = store::candidates(&state.db, &task.enterprise_id).await?;
    Ok(Json(
        candidates
            .into_iter()
            .map(|(c, person_id)| CandidateView {
                selectable: c.registered || c.titled,
                employment_id: c.employment_id,
                person_id,
                registered: c.registered,
                titled: c.titled,
                technical_lead: c.technical_lead,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectionBody {
    /// Employment relations of the people who will check in.
    #[schema(value_type = Vec<String>)]
    pub employment_ids: Vec<EmploymentId>,
}

fn selection_error(rule: SelectionRule) -> ApiError {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match rule {
        SelectionRule::NotQualified(id) => ApiError::new(
            status,
            "verification.person_not_qualified",
            format!("所选人员 {id} 不是注册人员或职称技术人员，或未上传证件"),
            format!("Selected staff {id} holds no registration or title with an uploaded certificate"),
        ),
        SelectionRule::TechnicalLeadMissing => ApiError::new(
            status,
            "verification.technical_lead_missing",
            "技术负责人必须选为打卡人员",
            "The technical lead must be selected",
        ),
        SelectionRule::TooFewInTotal { selected, needed } => ApiError::new(
            status,
            "verification.too_few_in_total",
            format!("打卡人员不少于资质标准所需注册人员和职称技术人员总和的50%：需 {needed} 人，已选 {selected} 人"),
            format!("At least half the required total must check in: {needed} needed, {selected} selected"),
        ),
        SelectionRule::TooFewRegistered { selected, needed } => ApiError::new(
            status,
            "verification.too_few_registered",
            format!("注册人员不足：需 {needed} 人，已选 {selected} 人"),
            format!("Too few registered staff: {needed} needed, {selected} selected"),
        ),
        SelectionRule::TooFewTitled { selected, needed } => ApiError::new(
            status,
            "verification.too_few_titled",
            format!("职称技术人员不足：需 {needed} 人，已选 {selected} 人"),
            format!("Too few titled staff: {needed} needed, {selected} selected"),
        ),
        SelectionRule::Duplicate(id) => ApiError::new(
            status,
            "verification.duplicate",
            format!("人员 {id} 重复选择"),
            format!("{id} is selected twice"),
        ),
    }
}

/// The enterprise submits its check-in personnel; the rules of seed 004 are checked and the
/// first one that fails is named.
#[utoipa::path(post, path = "/verification/tasks/{id}/selection", tag = "verification", params(("id" = String, Path)),
    request_body = SelectionBody, security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn submit_selection(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<VerificationTaskId>,
    Json(body): Json<SelectionBody>,
) -> ApiResult<Json<TaskView>> {
    caller.require(&[Role::Enterprise])?;
    let task = visible(&state.db, &caller, &id).await?;
    act.set_target(format!("verification_task:{id}"));
    rules::transition(task.state(), TaskEvent::SubmitSelection, task.kind(), task.round as u32)
        .map_err(|e| not_allowed(e.state))?;
    let staff = store::candidates(&state.db, &task.enterprise_id).await?;
    let mut picked = Vec::new();
    for employment in &body.employment_ids {
        let Some((candidate, person)) = staff.iter().find(|(c, _)| &c.employment_id == employment) else {
            return Err(selection_error(SelectionRule::NotQualified(employment.clone())));
        };
        picked.push((candidate.clone(), person.clone()));
    }
    let (registered, titled) = store::requirement(&state.db, &task.category, &task.grade)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                "verification.requirements_missing",
                format!(
                    "尚未设置资质“{} {}”的人员要求，请联系市级主管部门",
                    task.category, task.grade
                ),
                format!(
                    "No staff requirements are set for {} {}; ask the city station",
                    task.category, task.grade
                ),
            )
        })?;
    let candidates: Vec<_> = picked.iter().map(|(c, _)| c.clone()).collect();
    let required = Required {
        registered: registered as u32,
        titled: titled as u32,
    };
    rules::check_selection(&candidates, task.has_licence == 1, required).map_err(selection_error)?;
    let picks: Vec<(EmploymentId, PersonId)> = picked.into_iter().map(|(c, p)| (c.employment_id, p)).collect();
    let mut tx = act.begin().await?;
    if !store::submit_selection(&mut tx, &task, &picks, state.clock.now_ms()).await? {
        return Err(not_allowed(task.state()));
    }
    let row = visible(&mut *tx, &caller, &id).await?;
    let task = view(&mut tx, row).await?;
    act.commit(tx, format!("verification_task:{id}")).await?;
    Ok(Json(task))
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    pub decision: Decision,
    /// 审核意见
    #[schema(value_type = String)]
    pub opinion: Name<500>,
}

/// District staff (for their district) or city staff approve or reject the selection with an
/// opinion. Approved: the selection is frozen and the check-in window opens for one calendar
/// month; each selected person is notified. Rejected: the enterprise selects again.
#[utoipa::path(post, path = "/verification/tasks/{id}/review", tag = "verification", params(("id" = String, Path)),
    request_body = ReviewBody, security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn review_selection(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<VerificationTaskId>,
    Json(body): Json<ReviewBody>,
) -> ApiResult<Json<TaskView>> {
    caller.require(REVIEWERS)?;
    let task = visible(&state.db, &caller, &id).await?;
    act.set_target(format!("verification_task:{id}"));
    let approve = body.decision == Decision::Approve;
    let event = if approve { TaskEvent::Approve } else { TaskEvent::Reject };
    rules::transition(task.state(), event, task.kind(), task.round as u32).map_err(|e| not_allowed(e.state))?;
    let now = state.clock.now_ms();
    let review = store::Review {
        approve,
        opinion: body.opinion.as_str(),
        reviewer: &caller.account_id,
        window_end: approve.then(|| rules::window_end(Date::today_in_china(now)).to_string()),
    };
    let mut tx = act.begin().await?;
    if !store::review(&mut tx, &task, &review, now).await? {
        return Err(not_allowed(task.state()));
    }
    let row = visible(&mut *tx, &caller, &id).await?;
    let task = view(&mut tx, row).await?;
    act.commit(tx, format!("verification_task:{id}")).await?;
    Ok(Json(task))
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
    pub category: Name<100>,
    #[schema(value_type = String)]
    pub grade: Name<20>,
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
