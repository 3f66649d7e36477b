//! Following and deciding applications: everyone lists those within their bounds (我的办件 for
//! a person and an enterprise, the desk's for staff); the enterprise at an `enterprise` step
//! confirms or declines; staff at their level's step accept, approve or refuse; the applicant
//! withdraws one still in progress.

use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::applications::flow::{self, By, Decision, Verdict};
use crate::applications::kinds::{ApplicationKind, ApplicationState, Step};
use crate::applications::store::{self, ApplicationRow, Filter};
use crate::applications::view::{ApplicationView, ApplicationWithHistory};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::platform::db::{Conn, Tx};
use crate::platform::error::{ApiError, ApiResult, Message, Problem};
use crate::platform::ids::ApplicationId;
use crate::platform::paging::Page;
use crate::platform::types::Text;
use crate::platform::web::Json;
use crate::state::AppState;

const READERS: &[Role] = &[Role::Person, Role::Enterprise, Role::City, Role::District];

fn not_found() -> ApiError {
    ApiError::not_found("办件", "Application")
}

fn not_yours() -> ApiError {
    ApiError::conflict(
        "application.not_your_step",
        "该办件当前不在您的办理环节",
        "This application is not at a step of yours",
    )
}

#[derive(Deserialize, IntoParams, Clone)]
#[into_params(parameter_in = Query)]
pub struct ApplicationFilter {
    pub state: Option<ApplicationState>,
    pub kind: Option<ApplicationKind>,
    /// Only those waiting for this step (e.g. `district` for a district desk's queue).
    pub waiting_for: Option<Step>,
}

/// Applications within the caller's bounds, newest first: a person's own, an enterprise's
/// (those for it and those it confirms), a district's desk's, or all for the city.
#[utoipa::path(get, path = "/applications", tag = "applications", params(ApplicationFilter, Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<ApplicationView>), (status = 403, body = Problem)))]
pub(super) async fn list_applications(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<ApplicationFilter>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ApplicationView>>> {
    Ok(Json(list(&state, &caller, filter, store::NEWEST_FIRST, page).await?))
}

/// The applications within the caller's bounds, filtered and paged in `order`:
/// `GET /applications` (newest first) and the staff console's table.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: ApplicationFilter,
    order: store::Order,
    page: Page,
) -> ApiResult<Vec<ApplicationView>> {
    caller.require(READERS)?;
    let rows = store::list(&state.db, &caller.bounds(), &filter.of(), order, &page).await?;
    Ok(rows.iter().map(|row| row.view(&state.keys)).collect())
}

/// How many applications within the caller's bounds pass the filter.
pub async fn count(state: &AppState, caller: &Caller, filter: ApplicationFilter) -> ApiResult<i64> {
    caller.require(READERS)?;
    Ok(store::count(&state.db, &caller.bounds(), &filter.of()).await?)
}

impl ApplicationFilter {
    fn of(&self) -> Filter {
        Filter {
            state: self.state,
            kind: self.kind,
            waiting_for: self.waiting_for,
        }
    }
}

async fn with_history(conn: &mut Conn, state: &AppState, row: &ApplicationRow) -> ApiResult<ApplicationWithHistory> {
    let events = store::events(&mut *conn, &row.id).await?;
    Ok(row.with_history(&state.keys, events))
}

/// One application with its history.
#[utoipa::path(get, path = "/applications/{id}", tag = "applications", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = ApplicationWithHistory), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn get_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ApplicationId>,
) -> ApiResult<Json<ApplicationWithHistory>> {
    Ok(Json(read(&state, &caller, &id).await?))
}

/// One application within the caller's bounds, with its history.
pub async fn read(state: &AppState, caller: &Caller, id: &ApplicationId) -> ApiResult<ApplicationWithHistory> {
    caller.require(READERS)?;
    let mut conn = state.db.acquire().await?;
    let row = store::get(&mut *conn, id, &caller.bounds())
        .await?
        .ok_or_else(not_found)?;
    with_history(&mut conn, state, &row).await
}

/// Decides the application in the act's transaction and answers with it and its history.
async fn decided(
    state: &AppState,
    act: Act,
    mut tx: Tx<'static>,
    row: &ApplicationRow,
    by: &By<'_>,
    verdict: &Verdict<'_>,
) -> ApiResult<ApplicationWithHistory> {
    let row = flow::decide(&mut tx, state, row, by, verdict, state.clock.now_ms()).await?;
    answered(state, act, tx, &row).await
}

/// Commits the act on the application and answers with it and its history.
async fn answered(
    state: &AppState,
    act: Act,
    mut tx: Tx<'static>,
    row: &ApplicationRow,
) -> ApiResult<ApplicationWithHistory> {
    let answer = with_history(&mut tx, state, row).await?;
    act.commit(tx, format!("application:{}", row.id)).await?;
    Ok(answer)
}

/// The decision of a body, refused without an opinion when it refuses.
fn decision_with(pass: bool, opinion: Option<&str>) -> ApiResult<Decision> {
    match (pass, opinion) {
        (true, _) => Ok(Decision::Pass),
        (false, Some(_)) => Ok(Decision::Refuse),
        (false, None) => Err(opinion_required()),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ApplicationConfirmDecision)]
pub enum ConfirmDecision {
    Confirm,
    Decline,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ApplicationConfirmBody)]
pub struct ConfirmBody {
    pub decision: ConfirmDecision,
    /// Required when declining: why, for the applicant.
    #[schema(value_type = Option<String>)]
    pub opinion: Option<Text<500>>,
}

fn opinion_required() -> ApiError {
    ApiError::validation(vec![]).with_field(
        "opinion",
        "application.opinion_required",
        Message::new("退回或不同意须填写意见", "A refusal needs an opinion"),
    )
}

/// The enterprise at the `enterprise` step confirms the application (it goes on to the
/// authority) or declines it (it ends refused).
#[utoipa::path(post, path = "/applications/{id}/confirm", tag = "applications", params(("id" = String, Path)),
    request_body = ConfirmBody, security(("bearer" = [])),
    responses((status = 200, body = ApplicationWithHistory), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn confirm_application(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ApplicationId>,
    Json(body): Json<ConfirmBody>,
) -> ApiResult<Json<ApplicationWithHistory>> {
    confirm(&state, &caller, act, &id, body).await.map(Json)
}

/// The enterprise's answer at the `enterprise` step: `POST /applications/{id}/confirm` and the
/// enterprise portal's form.
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    act: Act,
    id: &ApplicationId,
    body: ConfirmBody,
) -> ApiResult<ApplicationWithHistory> {
    caller.require(&[Role::Enterprise])?;
    let opinion = body.opinion.as_ref().map(|o| o.as_str());
    let decision = decision_with(matches!(body.decision, ConfirmDecision::Confirm), opinion)?;
    let mut tx = act.begin().await?;
    let row = store::get(&mut *tx, id, &caller.bounds())
        .await?
        .ok_or_else(not_found)?;
    let confirms = row.confirming_enterprise_id.as_ref() == caller.enterprise_id();
    if row.waiting_for != Some(Step::Enterprise) || !confirms {
        return Err(not_yours());
    }
    let by = By {
        kind: "enterprise",
        id: &caller.account_id,
    };
    let verdict = Verdict {
        decision,
        opinion,
        original_checked: false,
    };
    decided(state, act, tx, &row, &by, &verdict).await
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ApplicationReviewDecision)]
pub enum ReviewDecision {
    /// Accept and pass on, or approve at the last step.
    Approve,
    Refuse,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationReviewBody {
    pub decision: ReviewDecision,
    /// Required when refusing.
    #[schema(value_type = Option<String>)]
    pub opinion: Option<Text<500>>,
    /// The original was checked at the desk: required to pass a supplement, a correction, or
    /// an employer change without the enterprise's confirmation at the first staff step.
    #[serde(default)]
    pub original_checked: bool,
}

/// Whether the step the application waits at is the caller's: the district desk's for district
/// staff of its district (the bounds found it), the city's for city staff.
fn at_callers_step(caller: &Caller, row: &ApplicationRow) -> bool {
    matches!(
        (row.waiting_for, caller.role),
        (Some(Step::District), Role::District) | (Some(Step::City), Role::City)
    )
}

/// Whether this is the first staff step of an application whose original is checked at the desk.
fn original_due(row: &ApplicationRow) -> bool {
    let steps = row.steps();
    let first_staff = steps.iter().position(|s| s.is_staff());
    row.detail().needs_original(row.kind) && first_staff.is_some_and(|i| i64::try_from(i) == Ok(row.step))
}

/// Staff at the application's step accept it (it goes on), approve it at the last step (it is
/// carried out: the certificate changes and its electronic certificate is issued anew), or
/// refuse it.
#[utoipa::path(post, path = "/applications/{id}/review", tag = "applications", params(("id" = String, Path)),
    request_body = ApplicationReviewBody, security(("bearer" = [])),
    responses((status = 200, body = ApplicationWithHistory), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn review_application(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ApplicationId>,
    Json(body): Json<ApplicationReviewBody>,
) -> ApiResult<Json<ApplicationWithHistory>> {
    Ok(Json(review(&state, &caller, act, &id, body).await?))
}

/// Staff's decision at their step: `POST /applications/{id}/review` and the staff console's.
pub async fn review(
    state: &AppState,
    caller: &Caller,
    act: Act,
    id: &ApplicationId,
    body: ApplicationReviewBody,
) -> ApiResult<ApplicationWithHistory> {
    caller.require(&[Role::City, Role::District])?;
    let opinion = body.opinion.as_ref().map(|o| o.as_str());
    let decision = decision_with(matches!(body.decision, ReviewDecision::Approve), opinion)?;
    let mut tx = act.begin().await?;
    let row = store::get(&mut *tx, id, &caller.bounds())
        .await?
        .ok_or_else(not_found)?;
    if !at_callers_step(caller, &row) {
        return Err(not_yours());
    }
    if decision == Decision::Pass && original_due(&row) && !body.original_checked {
        return Err(ApiError::validation(vec![]).with_field(
            "original_checked",
            "application.original_not_checked",
            Message::new(
                "须在窗口核验证书原件（或证明材料）后办理",
                "Check the original certificate (or the proof) at the desk first",
            ),
        ));
    }
    let by = By {
        kind: "staff",
        id: &caller.account_id,
    };
    let verdict = Verdict {
        decision,
        opinion,
        original_checked: body.original_checked,
    };
    decided(state, act, tx, &row, &by, &verdict).await
}

/// The applicant withdraws an application still in progress.
#[utoipa::path(post, path = "/applications/{id}/withdraw", tag = "applications", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = ApplicationWithHistory), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub(super) async fn withdraw_application(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ApplicationId>,
) -> ApiResult<Json<ApplicationWithHistory>> {
    caller.require(&[Role::Person, Role::Enterprise])?;
    let mut tx = act.begin().await?;
    let row = store::get(&mut *tx, &id, &caller.bounds())
        .await?
        .ok_or_else(not_found)?;
    let applicant = match (caller.person_id(), caller.enterprise_id()) {
        (Some(person), _) => format!("person:{person}"),
        (_, Some(enterprise)) => format!("enterprise:{enterprise}"),
        _ => return Err(ApiError::forbidden_role()),
    };
    if row.applicant != applicant {
        return Err(ApiError::forbidden_role());
    }
    let by = By {
        kind: caller.role.as_str(),
        id: &caller.account_id,
    };
    let row = flow::withdraw(&mut tx, &state, &row, &by, state.clock.now_ms()).await?;
    answered(&state, act, tx, &row).await.map(Json)
}
