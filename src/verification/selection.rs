//! The check-in personnel over HTTP: the candidates, the enterprise's selection, the
//! replacement of people who left during check-in, and the authority's review of either.
//! People are named in every answer and error by name and masked ID number, never by an
//! internal id alone.

use crate::openapi::register::routes;
use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::routes::{not_allowed, task_view, visible, TaskView, REVIEWERS};
use super::rules::{self, ReplacementRule, Required, Selected, SelectionRule, TaskEvent, TaskState};
use super::store::{self, TaskRow, Written};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::{EmploymentId, PersonId, VerificationTaskId};
use crate::platform::types::{Date, Text, MULTILINE};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_candidates))
        .routes(routes!(submit_selection))
        .routes(routes!(submit_replacement))
        .routes(routes!(review_selection))
}

/// A person as shown to the enterprise and staff: `张三（110105********002X）`.
pub(super) async fn label(state: &AppState, person: &PersonId) -> ApiResult<String> {
    let identity = crate::people::identity_of(&state.db, &state.keys, person).await?;
    Ok(identity.map_or_else(|| "未实名人员".to_owned(), |i| format!("{}（{}）", i.name, i.id_number)))
}

/// The person behind one of the enterprise's employments (current or ended), named.
async fn label_of(state: &AppState, task: &TaskRow, employment: &EmploymentId) -> ApiResult<String> {
    match store::person_of_employment(&state.db, employment, &task.enterprise_id).await? {
        Some(person) => label(state, &person).await,
        None => Ok("非本企业人员".to_owned()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CandidateView {
    #[schema(value_type = String)]
    pub employment_id: EmploymentId,
    #[schema(value_type = String)]
    pub person_id: PersonId,
    pub name: String,
    /// Masked, e.g. `110105********002X`.
    pub id_number: String,
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
    Ok(Json(candidates(&state, &caller, &id).await?))
}

/// The candidates of a task within the caller's scope (also the enterprise portal's task page).
pub async fn candidates(state: &AppState, caller: &Caller, id: &VerificationTaskId) -> ApiResult<Vec<CandidateView>> {
    let task = visible(&state.db, caller, id).await?;
    let mut out = Vec::new();
    for (c, person_id) in store::candidates(&state.db, &task.enterprise_id).await? {
        let identity = crate::people::identity_of(&state.db, &state.keys, &person_id).await?;
        let (name, id_number) = identity.map(|i| (i.name, i.id_number)).unwrap_or_default();
        out.push(CandidateView {
            selectable: c.registered || c.titled,
            employment_id: c.employment_id,
            person_id,
            name,
            id_number,
            registered: c.registered,
            titled: c.titled,
            technical_lead: c.technical_lead,
        });
    }
    Ok(out)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectionBody {
    /// Employment relations of the people who will check in.
    #[schema(value_type = Vec<String>)]
    pub employment_ids: Vec<EmploymentId>,
}

fn refusal(code: &'static str, zh: String, en: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en)
}

/// The first selection rule that fails, with the person it concerns named.
async fn selection_error(state: &AppState, task: &TaskRow, rule: SelectionRule) -> ApiResult<ApiError> {
    Ok(match rule {
        SelectionRule::NotQualified(id) => {
            let who = label_of(state, task, &id).await?;
            refusal(
                "verification.person_not_qualified",
                format!("所选人员 {who} 不是本企业在职的注册人员或职称技术人员，或未上传证件"),
                format!("Selected person {who} is not current registered or titled staff with an uploaded certificate"),
            )
        }
        SelectionRule::Duplicate(id) => {
            let who = label_of(state, task, &id).await?;
            refusal(
                "verification.duplicate",
                format!("人员 {who} 重复选择"),
                format!("{who} is selected twice"),
            )
        }
        SelectionRule::TechnicalLeadMissing => refusal(
            "verification.technical_lead_missing",
            "技术负责人必须选为打卡人员".into(),
            "The technical lead must be selected".into(),
        ),
        SelectionRule::TooFewInTotal { selected, needed } => refusal(
            "verification.too_few_in_total",
            format!("打卡人员不少于资质标准所需注册人员和职称技术人员总和的50%：需 {needed} 人，已选 {selected} 人"),
            format!("At least half the required total must check in: {needed} needed, {selected} selected"),
        ),
        SelectionRule::TooFewRegistered { selected, needed } => refusal(
            "verification.too_few_registered",
            format!("注册人员不足：需 {needed} 人，已选 {selected} 人"),
            format!("Too few registered staff: {needed} needed, {selected} selected"),
        ),
        SelectionRule::TooFewTitled { selected, needed } => refusal(
            "verification.too_few_titled",
            format!("职称技术人员不足：需 {needed} 人，已选 {selected} 人"),
            format!("Too few titled staff: {needed} needed, {selected} selected"),
        ),
    })
}

/// A person who left the enterprise before the write could take them.
async fn not_employed(state: &AppState, task: &TaskRow, employment: &EmploymentId) -> ApiResult<ApiError> {
    let who = label_of(state, task, employment).await?;
    Ok(ApiError::conflict(
        "verification.person_not_employed",
        format!("{who} 已不在本企业任职，请更换打卡人员"),
        format!("{who} no longer works for the enterprise; select someone else"),
    ))
}

/// Checks `picks` against the seed 004 selection rules with the enterprise's current staff:
/// the first rule broken is the refusal.
async fn check_picks(state: &AppState, task: &TaskRow, picks: &[EmploymentId]) -> ApiResult<()> {
    match violations_of(state, task, picks).await?.into_iter().next() {
        Some(refusal) => Err(refusal),
        None => Ok(()),
    }
}

/// Every seed 004 selection rule `picks` break with the enterprise's current staff, each as
/// the API's refusal of it; a pick who is not current staff is not qualified.
async fn violations_of(state: &AppState, task: &TaskRow, picks: &[EmploymentId]) -> ApiResult<Vec<ApiError>> {
    let staff = store::candidates(&state.db, &task.enterprise_id).await?;
    let mut broken = Vec::new();
    let mut chosen = Vec::new();
    for employment in picks {
        match staff.iter().find(|(c, _)| &c.employment_id == employment) {
            Some((candidate, _)) => chosen.push(candidate.clone()),
            None => broken.push(SelectionRule::NotQualified(employment.clone())),
        }
    }
    let requirement = store::requirement(&state.db, &task.category, &task.grade).await?;
    let Some((registered, titled)) = requirement else {
        // The picks are judged before the standard they are measured against.
        if broken.is_empty() {
            return Err(requirements_missing(task));
        }
        return named(state, task, broken).await;
    };
    let required = Required {
        registered: u32::try_from(registered).unwrap_or(u32::MAX),
        titled: u32::try_from(titled).unwrap_or(u32::MAX),
    };
    broken.extend(rules::selection_violations(&chosen, task.has_licence == 1, required));
    named(state, task, broken).await
}

/// The rules broken as the API's refusals, with the people they concern named.
async fn named(state: &AppState, task: &TaskRow, broken: Vec<SelectionRule>) -> ApiResult<Vec<ApiError>> {
    let mut out = Vec::with_capacity(broken.len());
    for rule in broken {
        out.push(selection_error(state, task, rule).await?);
    }
    Ok(out)
}

fn requirements_missing(task: &TaskRow) -> ApiError {
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
}

/// What submitting `picks` as the task's selection would break, before it is submitted (the
/// enterprise portal's live check): the same caller, state and rule checks as
/// `POST /verification/tasks/{id}/selection` (or `/replacement`, during check-in), every rule
/// broken listed (a replacement's own rule first). Empty: the submission would pass them.
pub async fn violations(
    state: &AppState,
    caller: &Caller,
    id: &VerificationTaskId,
    picks: &[EmploymentId],
) -> ApiResult<Vec<ApiError>> {
    caller.require(&[Role::Enterprise])?;
    let task = visible(&state.db, caller, id).await?;
    let event = match task.state() {
        TaskState::CheckingIn => TaskEvent::SubmitReplacement,
        _ => TaskEvent::SubmitSelection,
    };
    rules::transition(task.state(), event, task.kind(), task.round as u32).map_err(|e| not_allowed(e.state))?;
    let mut broken = Vec::new();
    if event == TaskEvent::SubmitReplacement {
        broken.extend(replacement_refusal(state, &task, picks).await?);
    }
    broken.extend(violations_of(state, &task, picks).await?);
    Ok(broken)
}

/// Ends a selection write: commits the act with the task's view, or refuses.
async fn finish(
    state: &AppState,
    caller: &Caller,
    act: Act,
    mut tx: crate::platform::db::Tx<'static>,
    task: &TaskRow,
    written: Written,
) -> ApiResult<TaskView> {
    match written {
        Written::Done => {}
        Written::TaskMoved => return Err(not_allowed(task.state())),
        Written::NotEmployed(e) => {
            drop(tx);
            return Err(not_employed(state, task, &e).await?);
        }
    }
    let row = visible(&mut *tx, caller, &task.id).await?;
    let view = task_view(&mut tx, state, row).await?;
    act.commit(tx, format!("verification_task:{}", task.id)).await?;
    Ok(view)
}

/// The task in the caller's scope, for callers with one of `roles`, when `event` is possible in
/// its state; the act is aimed at it.
async fn task_for(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &VerificationTaskId,
    roles: &[Role],
    event: TaskEvent,
) -> ApiResult<TaskRow> {
    caller.require(roles)?;
    let task = visible(&state.db, caller, id).await?;
    act.set_target(format!("verification_task:{id}"));
    rules::transition(task.state(), event, task.kind(), task.round as u32).map_err(|e| not_allowed(e.state))?;
    Ok(task)
}

/// The enterprise submits its check-in personnel; the rules of seed 004 are checked and the
/// first one that fails is named, with the person it concerns.
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
    Ok(Json(submit(&state, &caller, act, &id, &body).await?))
}

/// The enterprise's selection (also the enterprise portal's task page).
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    act: Act,
    id: &VerificationTaskId,
    body: &SelectionBody,
) -> ApiResult<TaskView> {
    let task = task_for(state, caller, &act, id, &[Role::Enterprise], TaskEvent::SubmitSelection).await?;
    check_picks(state, &task, &body.employment_ids).await?;
    let mut tx = act.begin().await?;
    let written = store::submit_selection(&mut tx, &task, &body.employment_ids, state.clock.now_ms()).await?;
    finish(state, caller, act, tx, &task, written).await
}

fn replacement_error(rule: ReplacementRule, who: String) -> ApiError {
    match rule {
        ReplacementRule::NothingToReplace => ApiError::conflict(
            "verification.nothing_to_replace",
            "所选打卡人员均在职，无需更换",
            "Everyone selected is still employed; there is no one to replace",
        ),
        ReplacementRule::DropsEmployed(_) => refusal(
            "verification.replacement_drops_employed",
            format!("{who} 仍在职，须保留在打卡人员中；只能更换已离职人员"),
            format!("{who} is still employed and must stay selected; only people who left can be replaced"),
        ),
        ReplacementRule::KeepsEnded(_) => refusal(
            "verification.replacement_keeps_ended",
            format!("{who} 已离职，须从打卡人员中更换"),
            format!("{who} has left the enterprise and must be replaced"),
        ),
    }
}

/// Why `picks` cannot replace the current selection (keeping everyone still employed,
/// dropping everyone who left), with the person concerned named; None when they can.
async fn replacement_refusal(state: &AppState, task: &TaskRow, picks: &[EmploymentId]) -> ApiResult<Option<ApiError>> {
    let current = store::selection(&state.db, task).await?;
    let selected: Vec<Selected> = current
        .iter()
        .map(|s| Selected {
            employment_id: s.employment_id.clone(),
            employed: s.employed == 1,
        })
        .collect();
    let Err(rule) = rules::check_replacement(&selected, picks) else {
        return Ok(None);
    };
    let who = match &rule {
        ReplacementRule::DropsEmployed(e) | ReplacementRule::KeepsEnded(e) => label_of(state, task, e).await?,
        ReplacementRule::NothingToReplace => String::new(),
    };
    Ok(Some(replacement_error(rule, who)))
}

/// During check-in, the enterprise replaces selected people whose employment has ended: the
/// new selection keeps everyone still employed, must meet the selection rules again, and is
/// reviewed like the first. Everyone else keeps checking in meanwhile.
#[utoipa::path(post, path = "/verification/tasks/{id}/replacement", tag = "verification", params(("id" = String, Path)),
    request_body = SelectionBody, security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn submit_replacement(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<VerificationTaskId>,
    Json(body): Json<SelectionBody>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(replace(&state, &caller, act, &id, &body).await?))
}

/// The enterprise's replacement (also the enterprise portal's task page).
pub async fn replace(
    state: &AppState,
    caller: &Caller,
    act: Act,
    id: &VerificationTaskId,
    body: &SelectionBody,
) -> ApiResult<TaskView> {
    let task = task_for(
        state,
        caller,
        &act,
        id,
        &[Role::Enterprise],
        TaskEvent::SubmitReplacement,
    )
    .await?;
    if let Some(refusal) = replacement_refusal(state, &task, &body.employment_ids).await? {
        return Err(refusal);
    }
    check_picks(state, &task, &body.employment_ids).await?;
    let mut tx = act.begin().await?;
    let written = store::propose_replacement(&mut tx, &task, &body.employment_ids, state.clock.now_ms()).await?;
    finish(state, caller, act, tx, &task, written).await
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SelectionReviewBody)]
pub struct ReviewBody {
    pub decision: Decision,
    /// 审核意见
    #[schema(value_type = String)]
    pub opinion: Text<500, MULTILINE>,
}

fn site_missing() -> ApiError {
    ApiError::conflict(
        "verification.site_missing",
        "企业尚未登记注册地址坐标，无法在注册地址打卡；请企业先完善注册地址坐标",
        "The enterprise has no site coordinates, so no one could check in there; the enterprise must record them first",
    )
}

/// District staff (for their district) or city staff approve or reject what awaits review
/// with an opinion. A selection approved: it is frozen and the check-in window opens for one
/// calendar month; each selected person is notified. Rejected: the enterprise selects again.
/// A replacement approved replaces the selection (the window stays); rejected, the old
/// selection stays and still needs replacing. Approval requires everyone in it to be employed
/// and the enterprise's site to have coordinates.
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
    Ok(Json(review(&state, &caller, act, &id, &body).await?))
}

/// The review of a selection or replacement (also the console's task page).
pub async fn review(
    state: &AppState,
    caller: &Caller,
    act: Act,
    id: &VerificationTaskId,
    body: &ReviewBody,
) -> ApiResult<TaskView> {
    let approve = body.decision == Decision::Approve;
    let event = if approve { TaskEvent::Approve } else { TaskEvent::Reject };
    let task = task_for(state, caller, &act, id, REVIEWERS, event).await?;
    if approve {
        let site = crate::enterprises::site_of(&state.db, &task.enterprise_id).await?;
        if site.and_then(|s| s.position).is_none() {
            return Err(site_missing());
        }
    }
    let now = state.clock.now_ms();
    let opens_window = approve && task.state() == TaskState::SelectionSubmitted;
    let review = store::Review {
        approve,
        opinion: body.opinion.as_str(),
        reviewer: &caller.account_id,
        window_end: opens_window.then(|| rules::window_end(Date::today_in_china(now)).to_string()),
    };
    let mut tx = act.begin().await?;
    let written = store::review(&mut tx, &task, &review, now).await?;
    finish(state, caller, act, tx, &task, written).await
}
