//! Reviewing self-assessments item by item (seed 001 §3.3.1): accept the self-score (✓) or
//! override it (✗) with a score and an opinion, pass or reject each item, and finish the
//! review, which approves the record or returns it to the enterprise.

use crate::openapi::register::routes;
use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::routes::{item_of, reread, template_of, view, visible, AssessmentView};
use super::rules::{self, Event, ItemKind, Outcome};
use super::store::{self, AssessmentRow, ReviewAct, ReviewRecord};
use super::templates::Template;
use super::{changed_meanwhile, check_item_score, not_allowed};
use crate::audit::Act;
use crate::auth::{Caller, Role, Scope};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::AssessmentId;
use crate::platform::types::{Text, MULTILINE};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(score_item))
        .routes(routes!(decide_item))
        .routes(routes!(item_history))
        .routes(routes!(finish_review))
}

/// A self-assessment the caller may review: district staff within their district; city staff
/// in the districts the city station reviews (`assessments.city_review_districts`).
async fn reviewable(state: &AppState, caller: &Caller, id: &AssessmentId) -> ApiResult<AssessmentRow> {
    caller.require(&[Role::District, Role::City])?;
    let row = visible(&state.db, caller, id).await?;
    if caller.scope == Scope::City && !state.settings.assessments.city_reviews(&row.district_code) {
        return Err(outside_review_scope());
    }
    Ok(row)
}

/// A record the caller may review, in review, with its template; the act names it.
async fn under_review(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &AssessmentId,
) -> ApiResult<(AssessmentRow, Template)> {
    let row = reviewable(state, caller, id).await?;
    act.set_target(format!("assessment:{id}"));
    rules::transition(row.state(), Event::Review).map_err(not_allowed)?;
    let template = template_of(&mut *state.db.acquire().await?, &row).await?;
    Ok((row, template))
}

/// The city station reads every district's assessments but reviews only its own districts'.
pub fn outside_review_scope() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "assessment.outside_review_scope",
        "市级只审核其负责区（市）的考核，本区考核由区（市）主管部门审核",
        "The city station does not review this district's assessments; the district authority does",
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoreAction {
    /// ✓: the assessed score is the self-score.
    Accept,
    /// ✗: the reviewer enters the assessed score and an opinion.
    Override,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreBody {
    pub action: ScoreAction,
    /// Required to override.
    pub score: Option<f64>,
    /// Required to override.
    pub opinion: Option<String>,
}

fn opinion_of(raw: Option<&str>, field: &str, invalid: &mut Invalid) -> Option<String> {
    match raw.map(Text::<500, MULTILINE>::parse) {
        Some(Ok(name)) => Some(name.as_str().to_owned()),
        Some(Err(e)) => {
            invalid.reject(field, e);
            None
        }
        None => {
            invalid.field(
                field,
                "assessment.opinion_required",
                "请填写审核意见",
                "An opinion is required",
            );
            None
        }
    }
}

/// Sets an item's assessed score: ✓ takes the self-score, ✗ enters another with an opinion.
/// Every change is kept as a review record.
#[utoipa::path(post, path = "/assessments/{id}/items/{number}/score", tag = "assessments",
    params(("id" = String, Path), ("number" = String, Path)), request_body = ScoreBody, security(("bearer" = [])),
    responses((status = 200, body = AssessmentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn score_item(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((id, number)): Path<(AssessmentId, String)>,
    Json(body): Json<ScoreBody>,
) -> ApiResult<Json<AssessmentView>> {
    Ok(Json(score(&state, &caller, &act, &id, &number, body).await?))
}

/// ✓ or ✗ on an item, in `act`: the API's `POST /assessments/{id}/items/{number}/score` and
/// the staff console's review page.
pub async fn score(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &AssessmentId,
    number: &str,
    body: ScoreBody,
) -> ApiResult<AssessmentView> {
    let (row, template) = under_review(state, caller, act, id).await?;
    let item = item_of(&template, number)?;
    let (Some(max), ItemKind::Scored) = (item.max_score, item.kind) else {
        return Err(ApiError::conflict(
            "assessment.item_not_scored",
            format!("第 {number} 项不计分，只需通过或驳回"),
            format!("Item {number} is not scored; pass or reject it"),
        ));
    };
    let fill = store::items(&state.db, &row.id, row.round)
        .await?
        .into_iter()
        .find(|f| f.number == number)
        .ok_or_else(|| ApiError::internal("item without a fill"))?;
    let mut invalid = Invalid::default();
    let opinion;
    let review = match body.action {
        // Submission requires a self-score on every scored item.
        ScoreAction::Accept => ReviewAct::Score {
            accepted: true,
            score: fill.self_score.unwrap_or(0.0),
            opinion: None,
        },
        ScoreAction::Override => {
            opinion = opinion_of(body.opinion.as_deref(), "opinion", &mut invalid);
            match body.score {
                Some(score) => check_item_score(&mut invalid, "score", number, score, max),
                None => invalid.field(
                    "score",
                    "assessment.score_required",
                    "请填写考核得分",
                    "Enter the assessed score",
                ),
            }
            ReviewAct::Score {
                accepted: false,
                score: body.score.unwrap_or_default(),
                opinion: opinion.as_deref(),
            }
        }
    };
    invalid.finish()?;
    apply(state, caller, act, row, number, review).await
}

/// Applies a reviewer's act on an item in the act's transaction and answers with the record.
async fn apply(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    row: AssessmentRow,
    number: &str,
    review: ReviewAct<'_>,
) -> ApiResult<AssessmentView> {
    let mut tx = act.begin().await?;
    let now = state.clock.now_ms();
    if !store::review_item(&mut tx, &row, number, &review, &caller.account_id, now).await? {
        return Err(changed_meanwhile());
    }
    let view = reread(&mut tx, caller, &row.id).await?;
    act.commit(tx, format!("assessment:{}", row.id)).await?;
    Ok(view)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemDecision {
    Pass,
    /// 驳回: requires an opinion; finishing the review returns the record with this item.
    Reject,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    pub decision: ItemDecision,
    pub opinion: Option<String>,
}

/// Passes an item (a scored item needs its assessed score first) or rejects it with an opinion.
#[utoipa::path(post, path = "/assessments/{id}/items/{number}/decision", tag = "assessments",
    params(("id" = String, Path), ("number" = String, Path)), request_body = DecisionBody, security(("bearer" = [])),
    responses((status = 200, body = AssessmentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide_item(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((id, number)): Path<(AssessmentId, String)>,
    Json(body): Json<DecisionBody>,
) -> ApiResult<Json<AssessmentView>> {
    Ok(Json(decide(&state, &caller, &act, &id, &number, body).await?))
}

/// Passes or rejects an item, in `act`: the API's
/// `POST /assessments/{id}/items/{number}/decision` and the staff console's review page.
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &AssessmentId,
    number: &str,
    body: DecisionBody,
) -> ApiResult<AssessmentView> {
    let (row, template) = under_review(state, caller, act, id).await?;
    let item = item_of(&template, number)?;
    let passed = body.decision == ItemDecision::Pass;
    let mut invalid = Invalid::default();
    let opinion = match (passed, body.opinion.as_deref()) {
        (true, None) => None,
        (_, raw) => opinion_of(raw, "opinion", &mut invalid),
    };
    invalid.finish()?;
    if passed && item.kind == ItemKind::Scored {
        let scored = store::items(&state.db, &row.id, row.round)
            .await?
            .iter()
            .any(|f| f.number == number && f.assessed_score.is_some());
        if !scored {
            return Err(ApiError::conflict(
                "assessment.item_not_assessed",
                format!("请先确认第 {number} 项的考核得分（✓ 或 ✗），再通过"),
                format!("Set item {number}'s assessed score (accept or override) before passing it"),
            ));
        }
    }
    let review = ReviewAct::Decide {
        passed,
        opinion: opinion.as_deref(),
    };
    apply(state, caller, act, row, number, review).await
}

/// Every review record of an item across all rounds (考核记录), oldest first.
#[utoipa::path(get, path = "/assessments/{id}/items/{number}/history", tag = "assessments",
    params(("id" = String, Path), ("number" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<ReviewRecord>), (status = 404, body = Problem)))]
async fn item_history(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, number)): Path<(AssessmentId, String)>,
) -> ApiResult<Json<Vec<ReviewRecord>>> {
    Ok(Json(history(&state, &caller, &id, &number).await?))
}

/// An item's review records across all rounds, as the caller may read them.
pub async fn history(
    state: &AppState,
    caller: &Caller,
    id: &AssessmentId,
    number: &str,
) -> ApiResult<Vec<ReviewRecord>> {
    let mut conn = state.db.acquire().await?;
    let row = visible(&mut *conn, caller, id).await?;
    item_of(&template_of(&mut conn, &row).await?, number)?;
    Ok(store::item_history(&mut *conn, &row.id, number).await?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinishBody {
    /// 审核意见
    #[schema(value_type = String, example = "审核通过")]
    pub opinion: Text<500, MULTILINE>,
}

/// Finishes the review once every item is passed or rejected. Rejected items return the record
/// to the enterprise; otherwise the assessed total decides the result: qualified approves it,
/// basically qualified or unqualified returns it for rectification.
#[utoipa::path(post, path = "/assessments/{id}/finish", tag = "assessments", params(("id" = String, Path)),
    request_body = FinishBody, security(("bearer" = [])),
    responses((status = 200, body = AssessmentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn finish_review(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<AssessmentId>,
    Json(body): Json<FinishBody>,
) -> ApiResult<Json<AssessmentView>> {
    Ok(Json(finish(&state, &caller, &act, &id, body).await?))
}

/// Finishes the review, in `act`: the API's `POST /assessments/{id}/finish` and the staff
/// console's review page.
pub async fn finish(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &AssessmentId,
    body: FinishBody,
) -> ApiResult<AssessmentView> {
    let (row, template) = under_review(state, caller, act, id).await?;
    let now = state.clock.now_ms();
    // The items are read while the record is held, so that the outcome is decided on exactly
    // the items a concurrent reviewer cannot change any more.
    let mut tx = act.begin().await?;
    if !store::hold_unchanged(&mut *tx, &row, now).await? {
        return Err(changed_meanwhile());
    }
    let fills = store::items(&mut *tx, &row.id, row.round).await?;
    let assessed_total = rules::total(fills.iter().filter_map(|f| f.assessed_score));
    let result = rules::result_level(
        assessed_total,
        template.max_total(),
        &super::rules::ResultBands::of(&state.settings.assessments),
    );
    let ordered: Vec<_> = template
        .items
        .iter()
        .filter_map(|t| fills.iter().find(|f| f.number == t.number))
        .collect();
    let outcome =
        rules::finish(ordered.iter().map(|f| (f.number.as_str(), f.review())), result).map_err(|pending| {
            ApiError::conflict(
                "assessment.items_undecided",
                format!("以下考核项尚未通过或驳回：第 {} 项", pending.join("、")),
                format!("These items are neither passed nor rejected: {}", pending.join(", ")),
            )
        })?;
    let rejected = ordered
        .iter()
        .filter(|f| f.review() == rules::ItemReview::Rejected)
        .map(|f| f.number.clone())
        .collect();
    let finish = store::Finish {
        outcome,
        result,
        self_total: rules::total(fills.iter().filter_map(|f| f.self_score)),
        assessed_total,
        opinion: body.opinion.as_str(),
        rejected,
    };
    rules::transition(row.state(), Event::Finish(outcome)).map_err(not_allowed)?;
    if !store::finish(&mut tx, &row, &finish, &caller.account_id, now).await? {
        return Err(changed_meanwhile());
    }
    let row = visible(&mut *tx, caller, id).await?;
    // Show the round just finished: after a return the current round is the enterprise's copy.
    let shown = if outcome == Outcome::Approved {
        row.round
    } else {
        row.round - 1
    };
    let view = view(&mut tx, row, Some(shown)).await?;
    act.commit(tx, format!("assessment:{id}")).await?;
    Ok(view)
}
