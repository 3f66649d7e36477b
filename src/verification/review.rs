//! Staff review of flagged check-ins and the enterprise's appeal of refused ones (issue 12,
//! item 6). The rules are in `rules/review.rs`; every state change is guarded in SQL
//! (`UPDATE … WHERE outcome = …`, one decision of each kind per attempt) so that concurrent
//! decisions cannot both apply.

use crate::openapi::register::routes;
use axum::extract::{Path, Query, State};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use super::routes::{visible, REVIEWERS};
use super::rules::review::{
    self as rules, AppealDecision, AppealDecisionRule, AppealFacts, AppealRule, NotUnderReview, Outcome, ReviewDecision,
};
use super::rules::TaskState;
use super::store::{self, AttemptView, NewDecision, TaskRow};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::documents::DocumentRow;
use crate::platform::db::{is_unique_violation, Conn};
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::{CheckInAttemptId, EnterpriseId, VerificationTaskId};
use crate::platform::paging::Page;
use crate::platform::types::{Text, MULTILINE};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_awaiting))
        .routes(routes!(review_check_in))
        .routes(routes!(appeal))
        .routes(routes!(decide_appeal))
}

fn target(id: &CheckInAttemptId) -> String {
    format!("check_in:{id}")
}

/// The attempt and its task when the task is within the caller's scope; 404 otherwise.
async fn in_scope(state: &AppState, caller: &Caller, id: &CheckInAttemptId) -> ApiResult<(TaskRow, AttemptView)> {
    let attempt = store::attempt(&mut *state.db.acquire().await?, id)
        .await?
        .ok_or_else(|| ApiError::not_found("打卡记录", "Check-in"))?;
    let task = visible(&state.db, caller, &attempt.task_id).await?;
    Ok((task, attempt))
}

/// A check-in as staff with jurisdiction over its task see it (404 outside it): the console
/// opens an inbox item of a check-in at its task's progress page.
pub async fn attempt_for_staff(state: &AppState, caller: &Caller, id: &CheckInAttemptId) -> ApiResult<AttemptView> {
    caller.require(REVIEWERS)?;
    Ok(in_scope(state, caller, id).await?.1)
}

fn outcome_of(attempt: &AttemptView) -> ApiResult<Outcome> {
    Outcome::parse(&attempt.outcome).ok_or_else(|| ApiError::internal("unknown check-in outcome"))
}

fn not_under_review() -> ApiError {
    ApiError::conflict(
        "check_in.not_under_review",
        "该打卡记录不在待复核状态（可能已被他人处理），请刷新后查看",
        "This check-in is not waiting for review (someone may have decided it already); reload it",
    )
}

fn appeal_refused(rule: AppealRule) -> ApiError {
    match rule {
        AppealRule::NotRefused(_) => ApiError::conflict(
            "check_in.not_refused",
            "只能对被拒绝的打卡记录提出申诉",
            "Only a refused check-in can be appealed",
        ),
        AppealRule::AlreadyAppealed => already_appealed(),
        AppealRule::ReasonNotAppealable => ApiError::conflict(
            "check_in.not_appealable",
            "该拒绝原因不是对打卡证据的判断，不能申诉（可申诉：不在范围内、定位精度不足、人脸不符、照片重复）",
            "This refusal is not a judgement about the evidence and cannot be appealed (appealable: outside the area, poor accuracy, face mismatch, reused photo)",
        ),
        AppealRule::TaskClosed(state) => ApiError::conflict(
            "verification.state",
            format!("核查任务当前为“{}”状态，已不接受打卡，不能申诉", state.as_str()),
            format!("The task is {}; it no longer takes check-ins, so no appeal", state.as_str()),
        ),
        AppealRule::EarlierRound => ApiError::conflict(
            "check_in.not_appealable",
            "该打卡记录属于上一轮核查，不能申诉",
            "This check-in belongs to an earlier round and cannot be appealed",
        ),
    }
}

fn already_appealed() -> ApiError {
    ApiError::conflict(
        "check_in.already_appealed",
        "该打卡记录已申诉过，每条记录只能申诉一次",
        "This check-in was already appealed; each can be appealed once",
    )
}

fn appeal_decision_refused(rule: AppealDecisionRule) -> ApiError {
    match rule {
        AppealDecisionRule::NoAppeal => ApiError::conflict(
            "check_in.no_appeal",
            "该打卡记录没有待处理的申诉",
            "This check-in has no appeal to decide",
        ),
        AppealDecisionRule::AlreadyDecided => appeal_decided(),
    }
}

fn appeal_decided() -> ApiError {
    ApiError::conflict(
        "check_in.appeal_decided",
        "该申诉已处理",
        "This appeal has already been decided",
    )
}

#[derive(Serialize, ToSchema)]
pub struct DecisionResult {
    pub attempt: AttemptView,
    /// The task's state after the decision (passed once everyone selected has an accepted
    /// check-in).
    pub task_state: TaskState,
}

/// The attempt and its task's state as the decision's transaction sees them.
async fn result(conn: &mut Conn, task: &VerificationTaskId, id: &CheckInAttemptId) -> ApiResult<DecisionResult> {
    let (attempt, task_state) = super::checkin::attempt_and_task_state(conn, task, id).await?;
    Ok(DecisionResult { attempt, task_state })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AwaitingQuery {
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AwaitingView {
    #[schema(value_type = String)]
    pub task_id: VerificationTaskId,
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    /// e.g. 建筑工程施工总承包 一级
    pub qualification: String,
    /// The person who checked in.
    pub person_name: String,
    /// The attempt; `awaiting` says what staff are to decide.
    pub attempt: AttemptView,
}

/// Check-ins waiting for staff in the caller's jurisdiction, oldest first: flagged attempts
/// (confirm or void) and refused ones under appeal (grant or dismiss).
#[utoipa::path(get, path = "/verification/reviews", tag = "verification", params(AwaitingQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<AwaitingView>), (status = 403, body = Problem)))]
async fn list_awaiting(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AwaitingQuery>,
) -> ApiResult<Json<Vec<AwaitingView>>> {
    caller.require(REVIEWERS)?;
    let (limit, offset) = Page {
        page: q.page,
        per_page: q.per_page,
    }
    .limit_offset();
    let mut conn = state.db.acquire().await?;
    let mut out = Vec::new();
    for row in store::awaiting_staff(&mut conn, &caller.bounds(), limit, offset).await? {
        let identity = crate::people::identity_of(&mut *conn, &state.keys, &row.attempt.person_id).await?;
        out.push(AwaitingView {
            task_id: row.attempt.task_id.clone(),
            enterprise_id: row.enterprise_id,
            enterprise_name: row.enterprise_name,
            qualification: format!("{} {}", row.category, row.grade),
            person_name: identity.map(|i| i.name).unwrap_or_default(),
            attempt: row.attempt,
        });
    }
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInReviewBody {
    pub decision: ReviewDecision,
    /// 复核意见
    #[schema(value_type = String)]
    pub opinion: Text<500, MULTILINE>,
}

/// Staff with jurisdiction decide a flagged check-in with an opinion: confirm (accepted, its
/// flags kept; the task passes if everyone selected has now an accepted check-in) or void
/// (it no longer counts; the person is told and may check in again while the window is open).
#[utoipa::path(post, path = "/verification/check-ins/{id}/review", tag = "verification", params(("id" = String, Path)),
    request_body = CheckInReviewBody, security(("bearer" = [])),
    responses((status = 200, body = DecisionResult), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn review_check_in(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<CheckInAttemptId>,
    Json(body): Json<CheckInReviewBody>,
) -> ApiResult<Json<DecisionResult>> {
    Ok(Json(review_attempt(&state, &caller, act, &id, &body).await?))
}

/// Staff's decision on a flagged check-in (also the console's progress page).
pub async fn review_attempt(
    state: &AppState,
    caller: &Caller,
    act: Act,
    id: &CheckInAttemptId,
    body: &CheckInReviewBody,
) -> ApiResult<DecisionResult> {
    caller.require(REVIEWERS)?;
    let (task, attempt) = in_scope(state, caller, id).await?;
    act.set_target(target(id));
    let to = rules::review(outcome_of(&attempt)?, body.decision).map_err(|_: NotUnderReview| not_under_review())?;
    let now = state.clock.now_ms();
    let mut tx = act.begin().await?;
    store::hold_task(&mut *tx, &task.id).await?;
    if !store::set_outcome(&mut *tx, id, Outcome::Flagged, to).await? {
        return Err(not_under_review());
    }
    let decision = NewDecision {
        attempt: id,
        kind: "review",
        decision: body.decision.as_str(),
        text: body.opinion.as_str(),
        by: &caller.account_id,
    };
    store::record_decision(&mut *tx, &decision, now).await?;
    match body.decision {
        ReviewDecision::Confirm => {
            store::pass_if_complete(&mut tx, &task, now).await?;
        }
        ReviewDecision::Void => {
            store::tell_voided(&mut tx, &task, &attempt.person_id, body.opinion.as_str(), now).await?;
        }
    }
    let result = result(&mut tx, &task.id, id).await?;
    act.commit(tx, target(id)).await?;
    Ok(result)
}

/// The selfie of a check-in, for staff who may see the check-in (its task in their scope) and
/// the photo (`documents::readable_by`: district staff the selfies of their district's tasks,
/// city staff all). The console shows it as the attempt's thumbnail.
pub async fn selfie(state: &AppState, caller: &Caller, id: &CheckInAttemptId) -> ApiResult<(DocumentRow, Bytes)> {
    caller.require(REVIEWERS)?;
    let (_, attempt) = in_scope(state, caller, id).await?;
    let not_found = || ApiError::not_found("打卡照片", "Check-in photo");
    let document = attempt.selfie_document_id.ok_or_else(not_found)?;
    let row = crate::documents::readable_by(&state.db, &document, caller)
        .await?
        .ok_or_else(not_found)?;
    let bytes = crate::documents::read_whole(state, &row).await?;
    Ok((row, bytes))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealBody {
    /// 申诉说明
    #[schema(value_type = String)]
    pub note: Text<1000, MULTILINE>,
}

/// The enterprise appeals a refused check-in of its own task, once, with a note: only while
/// the task takes check-ins and only a refusal that judged the evidence (outside the area,
/// poor accuracy, face mismatch, reused photo). Staff decide it.
#[utoipa::path(post, path = "/verification/check-ins/{id}/appeal", tag = "verification", params(("id" = String, Path)),
    request_body = AppealBody, security(("bearer" = [])),
    responses((status = 200, body = AttemptView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn appeal(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<CheckInAttemptId>,
    Json(body): Json<AppealBody>,
) -> ApiResult<Json<AttemptView>> {
    Ok(Json(appeal_attempt(&state, &caller, act, &id, &body).await?))
}

/// The enterprise's appeal of a refused check-in (also the enterprise portal's task page).
pub async fn appeal_attempt(
    state: &AppState,
    caller: &Caller,
    act: Act,
    id: &CheckInAttemptId,
    body: &AppealBody,
) -> ApiResult<AttemptView> {
    caller.require(&[Role::Enterprise])?;
    let (task, attempt) = in_scope(state, caller, id).await?;
    act.set_target(target(id));
    rules::check_appeal(AppealFacts {
        outcome: outcome_of(&attempt)?,
        reason: attempt.reason.as_deref(),
        attempt_round: attempt.round,
        task_round: task.round,
        task_state: task.state(),
        already_appealed: attempt.decisions.iter().any(|d| d.kind == "appeal"),
    })
    .map_err(appeal_refused)?;
    let decision = NewDecision {
        attempt: id,
        kind: "appeal",
        decision: "lodged",
        text: body.note.as_str(),
        by: &caller.account_id,
    };
    let mut tx = act.begin().await?;
    match store::record_decision(&mut *tx, &decision, state.clock.now_ms()).await {
        // A concurrent appeal of the same attempt won.
        Err(e) if is_unique_violation(&e) => return Err(already_appealed()),
        recorded => recorded?,
    }
    store::place_in_district(&mut *tx, id, &task.district_code).await?;
    let attempt = store::attempt(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::internal("the check-in vanished"))?;
    act.commit(tx, target(id)).await?;
    Ok(attempt)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealDecisionBody {
    pub decision: AppealDecision,
    /// 处理意见
    #[schema(value_type = String)]
    pub opinion: Text<500, MULTILINE>,
}

/// Staff with jurisdiction decide an appeal with an opinion: grant (the attempt is accepted;
/// refused when the person meanwhile holds the round with another check-in) or dismiss (it
/// stays refused). The enterprise contact is told.
#[utoipa::path(post, path = "/verification/check-ins/{id}/appeal/decision", tag = "verification", params(("id" = String, Path)),
    request_body = AppealDecisionBody, security(("bearer" = [])),
    responses((status = 200, body = DecisionResult), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide_appeal(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<CheckInAttemptId>,
    Json(body): Json<AppealDecisionBody>,
) -> ApiResult<Json<DecisionResult>> {
    Ok(Json(decide_appeal_of(&state, &caller, act, &id, &body).await?))
}

/// Staff's decision on an appeal (also the console's progress page).
pub async fn decide_appeal_of(
    state: &AppState,
    caller: &Caller,
    act: Act,
    id: &CheckInAttemptId,
    body: &AppealDecisionBody,
) -> ApiResult<DecisionResult> {
    caller.require(REVIEWERS)?;
    let (task, attempt) = in_scope(state, caller, id).await?;
    act.set_target(target(id));
    let has = |kind: &str| attempt.decisions.iter().any(|d| d.kind == kind);
    let to =
        rules::decide_appeal(has("appeal"), has("appeal_decision"), body.decision).map_err(appeal_decision_refused)?;
    let now = state.clock.now_ms();
    let decision = NewDecision {
        attempt: id,
        kind: "appeal_decision",
        decision: body.decision.as_str(),
        text: body.opinion.as_str(),
        by: &caller.account_id,
    };
    let mut tx = act.begin().await?;
    store::hold_task(&mut *tx, &task.id).await?;
    match store::record_decision(&mut *tx, &decision, now).await {
        // A concurrent decision on the same appeal won.
        Err(e) if is_unique_violation(&e) => return Err(appeal_decided()),
        recorded => recorded?,
    }
    let granted = to == Outcome::Accepted;
    if granted {
        match store::set_outcome(&mut *tx, id, Outcome::Refused, to).await {
            Err(e) if is_unique_violation(&e) => return Err(holds_round()),
            Ok(false) => return Err(appeal_decided()),
            moved => moved?,
        };
        store::pass_if_complete(&mut tx, &task, now).await?;
    }
    store::tell_appeal_decided(&mut tx, &task, granted, body.opinion.as_str(), now).await?;
    let result = result(&mut tx, &task.id, id).await?;
    act.commit(tx, target(id)).await?;
    Ok(result)
}

fn holds_round() -> ApiError {
    ApiError::conflict(
        "verification.already_checked_in",
        "该人员本轮已有有效或待复核的打卡记录，不能采纳此申诉",
        "The person already has an accepted or flagged check-in in this round; the appeal cannot be granted",
    )
}
