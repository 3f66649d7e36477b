//! Staff decisions on exam registrations: the review (approved takes part, rejected gives its
//! place back) and, after the exam, the outcome; a pass opens the application that issues the
//! certificate (`applications::issue_after_pass`), decided like every other. The enterprise and
//! the person are told of each decision.

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{registration_not_found, EXAM_STAFF};
use crate::audit::Act;
use crate::auth::Caller;
use crate::exams::rules;
use crate::exams::store::{self, ExamRegistrationView, RegistrationRow};
use crate::notify::outbox::{self, Recipient};
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Message, Problem};
use crate::platform::ids::ExamRegistrationId;
use crate::platform::types::{Date, Text};
use crate::platform::web::Json;
use crate::state::AppState;

/// The exam as a notice names it: the batch's title.
fn exam_params(row: &RegistrationRow, state: &AppState, extra: serde_json::Value) -> serde_json::Value {
    let mut params = json!({
        "registration_id": row.id,
        "person": crate::people::store::unseal_name(&state.keys, &row.person_id, &row.name_sealed).unwrap_or_default(),
        "exam": row.batch_title,
        "exam_on": row.exam_on,
    });
    if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        params.extend(extra.clone());
    }
    params
}

/// Tells the enterprise (SMS) and the person (inbox) of a review.
async fn announce_review(
    conn: &mut Conn,
    state: &AppState,
    row: &RegistrationRow,
    opinion: Option<&str>,
    now: i64,
) -> ApiResult<()> {
    let kind = if row.state == "approved" {
        "exam.registration_approved"
    } else {
        "exam.registration_rejected"
    };
    let params = exam_params(row, state, json!({"opinion": opinion.unwrap_or_default()}));
    outbox::enqueue(
        conn,
        Recipient::EnterpriseContact(&row.enterprise_id),
        kind,
        params.clone(),
        now,
    )
    .await?;
    outbox::enqueue(conn, Recipient::PersonInbox(&row.person_id), kind, params, now).await?;
    Ok(())
}

/// The outcome as the person reads it.
fn outcome_label(outcome: &str) -> &'static str {
    match outcome {
        "absent" => "缺考",
        "cheating" => "作弊",
        "failed" => "不合格",
        _ => "合格，证书核发办理中",
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExamReviewDecision {
    Approve,
    Reject,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExamReviewBody {
    pub decision: ExamReviewDecision,
    /// Required when rejecting: what the enterprise should know.
    #[schema(value_type = Option<String>)]
    pub opinion: Option<Text<500>>,
}

/// Approves or rejects a submitted registration; a rejection gives its place back.
#[utoipa::path(post, path = "/exam-registrations/{id}/review", tag = "exams", params(("id" = String, Path)),
    request_body = ExamReviewBody, security(("bearer" = [])),
    responses((status = 200, body = ExamRegistrationView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn review(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ExamRegistrationId>,
    Json(body): Json<ExamReviewBody>,
) -> ApiResult<Json<ExamRegistrationView>> {
    Ok(Json(review_registration(&state, &caller, &act, &id, body).await?))
}

/// Staff's review of a submitted registration: `POST /exam-registrations/{id}/review` and the
/// staff console's.
pub async fn review_registration(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &ExamRegistrationId,
    body: ExamReviewBody,
) -> ApiResult<ExamRegistrationView> {
    caller.require(EXAM_STAFF)?;
    let opinion = body.opinion.as_ref().map(|o| o.as_str());
    let decision = match body.decision {
        ExamReviewDecision::Approve => "approved",
        ExamReviewDecision::Reject => "rejected",
    };
    if decision == "rejected" && opinion.is_none() {
        return Err(ApiError::validation(vec![]).with_field(
            "opinion",
            "exam.opinion_required",
            Message::new("退回报名须填写意见", "A rejection needs an opinion"),
        ));
    }
    let mut tx = act.begin().await?;
    let row = store::get_registration(&mut *tx, id, &caller.bounds())
        .await?
        .ok_or_else(registration_not_found)?;
    let now = state.clock.now_ms();
    if !store::review(&mut tx, id, decision, opinion, &caller.staff_id(), now).await? {
        return Err(ApiError::conflict(
            "exam.already_reviewed",
            "该报名已审核",
            "This registration has been reviewed already",
        ));
    }
    if decision == "rejected" {
        store::release_place(&mut tx, &row.batch_id).await?;
    }
    let row = store::get_registration(&mut *tx, id, &caller.bounds())
        .await?
        .ok_or_else(registration_not_found)?;
    announce_review(&mut tx, state, &row, opinion, now).await?;
    act.commit(tx, format!("exam_registration:{id}")).await?;
    Ok(row.view(&state.keys))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExamOutcome {
    Absent,
    Cheating,
    Failed,
    Passed,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExamOutcomeBody {
    pub outcome: ExamOutcome,
}

/// Records an approved candidate's outcome, once, from the exam day on. A no-show bars the
/// person for 6 months, cheating for a year.
#[utoipa::path(post, path = "/exam-registrations/{id}/outcome", tag = "exams", params(("id" = String, Path)),
    request_body = ExamOutcomeBody, security(("bearer" = [])),
    responses((status = 200, body = ExamRegistrationView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn record_outcome(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ExamRegistrationId>,
    Json(body): Json<ExamOutcomeBody>,
) -> ApiResult<Json<ExamRegistrationView>> {
    caller.require(EXAM_STAFF)?;
    let outcome = match body.outcome {
        ExamOutcome::Absent => "absent",
        ExamOutcome::Cheating => "cheating",
        ExamOutcome::Failed => "failed",
        ExamOutcome::Passed => "passed",
    };
    let now = state.clock.now_ms();
    let mut tx = act.begin().await?;
    let row = store::get_registration(&mut *tx, &id, &caller.bounds())
        .await?
        .ok_or_else(registration_not_found)?;
    let exam_on = Date::parse(&row.exam_on).map_err(|_| ApiError::internal("an exam batch has an unreadable date"))?;
    let allowed = rules::outcome_allowed(&row.state, exam_on, Date::today_in_china(now));
    if !allowed || !store::record_outcome(&mut tx, &id, outcome, &caller.staff_id(), now).await? {
        return Err(ApiError::conflict(
            "exam.outcome_not_allowed",
            "只能在考试日及以后为审核通过且尚无结果的报名登记考试结果",
            "An outcome is recorded once, from the exam day on, for an approved registration",
        ));
    }
    let row = store::get_registration(&mut *tx, &id, &caller.bounds())
        .await?
        .ok_or_else(registration_not_found)?;
    let params = exam_params(&row, &state, json!({"outcome": outcome_label(outcome)}));
    outbox::enqueue(
        &mut tx,
        Recipient::PersonInbox(&row.person_id),
        "exam.outcome",
        params,
        now,
    )
    .await?;
    if outcome == "passed" {
        let by = crate::applications::flow::By {
            kind: "staff",
            id: &caller.account_id,
        };
        crate::applications::issue_after_pass(&mut tx, &state, &row.passed(), &by, now).await?;
    }
    act.commit(tx, format!("exam_registration:{id}")).await?;
    Ok(Json(row.view(&state.keys)))
}
