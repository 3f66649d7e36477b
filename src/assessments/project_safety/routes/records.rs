//! Project assessment records: a supervisor starts one for a project and period, or deletes a
//! draft; everyone in scope lists and reads them, with their state history and submissions.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{reread, view_of, visible, ProjectAssessmentView, READERS};
use crate::assessments::project_safety::store::{self, ProjectAssessmentRow, Submission};
use crate::assessments::rules::{self, Event, TemplateKind};
use crate::assessments::store::lifecycle::{StateChange, PROJECT_ASSESSMENTS};
use crate::assessments::templates;
use crate::assessments::{changed_meanwhile, not_allowed, valid_period};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{ProjectAssessmentId, ProjectId};
use crate::platform::paging::Page;
use crate::platform::web::Json;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// `2026`, `2026-H2` or `2026-Q3`.
    #[schema(example = "2026-H2")]
    pub period: String,
}

/// A supervisor starts the assessment of a project in their scope for a period; enterprise,
/// project and project manager come from the project.
#[utoipa::path(post, path = "/projects/{id}/assessments", tag = "assessments", params(("id" = String, Path)),
    request_body = StartBody, security(("bearer" = [])),
    responses((status = 201, body = ProjectAssessmentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn start_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(project_id): Path<ProjectId>,
    Json(body): Json<StartBody>,
) -> ApiResult<(StatusCode, Json<ProjectAssessmentView>)> {
    caller.require(&[Role::Supervisor])?;
    let project = crate::projects::get(&state.db, &project_id, &caller.bounds())
        .await?
        .ok_or_else(|| ApiError::not_found("工程项目", "Project"))?;
    if !valid_period(&body.period) {
        let mut invalid = Invalid::default();
        invalid.field(
            "period",
            "assessment.period_invalid",
            "考核期为年份（2026）、半年（2026-H1）或季度（2026-Q3）",
            "The period is a year (2026), half-year (2026-H1) or quarter (2026-Q3)",
        );
        invalid.finish()?;
    }
    let template = templates::current(&mut *state.db.acquire().await?, TemplateKind::Project)
        .await?
        .ok_or_else(|| ApiError::internal("no project template"))?;
    let mut tx = act.begin().await?;
    let id = store::create(
        &mut *tx,
        &project,
        &template,
        &body.period,
        &caller.staff_id(),
        state.clock.now_ms(),
    )
    .await?
    .ok_or_else(|| {
        ApiError::conflict(
            "assessment.period_taken",
            format!("该项目已有 {} 期的考核", body.period),
            format!("This project already has an assessment for {}", body.period),
        )
    })?;
    let view = reread(&mut *tx, &caller, &template, &id).await?;
    act.commit(tx, format!("project_assessment:{id}")).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, IntoParams, Clone)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub state: Option<rules::State>,
    pub district: Option<String>,
    #[param(value_type = Option<String>)]
    pub project_id: Option<ProjectId>,
    pub period: Option<String>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Project assessments within the caller's scope: a supervisor's own, a district's, all for the
/// city station, and an enterprise's passed ones.
#[utoipa::path(get, operation_id = "list_project_assessments", path = "/project-assessments", tag = "assessments", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ProjectAssessmentRow>), (status = 403, body = Problem)))]
pub(super) async fn list_assessments(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<ProjectAssessmentRow>>> {
    Ok(Json(list(&state, &caller, q, store::NEWEST_FIRST).await?))
}

/// The project assessments `caller` may read, filtered and paged in `order`:
/// `GET /project-assessments` (newest first) and the city station's table.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    q: ListQuery,
    order: store::Order,
) -> ApiResult<Vec<ProjectAssessmentRow>> {
    caller.require(READERS)?;
    let page = Page {
        page: q.page,
        per_page: q.per_page,
    };
    Ok(store::list(&state.db, &caller.bounds(), &filter_of(q), order, &page).await?)
}

/// How many project assessments `caller` may read the query selects (its page aside).
pub async fn count(state: &AppState, caller: &Caller, q: ListQuery) -> ApiResult<i64> {
    caller.require(READERS)?;
    Ok(store::count(&state.db, &caller.bounds(), &filter_of(q)).await?)
}

fn filter_of(q: ListQuery) -> store::Filter {
    store::Filter {
        state: q.state.map(|s| s.as_str().to_owned()),
        district: q.district,
        project: q.project_id,
        period: q.period,
    }
}

/// One project assessment with its scores and documents.
#[utoipa::path(get, operation_id = "get_project_assessment", path = "/project-assessments/{id}", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = ProjectAssessmentView), (status = 404, body = Problem)))]
pub(super) async fn get_assessment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ProjectAssessmentId>,
) -> ApiResult<Json<ProjectAssessmentView>> {
    Ok(Json(read(&state, &caller, &id).await?))
}

/// One project assessment `caller` may read, with its scores and documents.
pub async fn read(state: &AppState, caller: &Caller, id: &ProjectAssessmentId) -> ApiResult<ProjectAssessmentView> {
    let row = visible(state, caller, id).await?;
    view_of(state, row).await
}

/// Every state change: who, when, from, to, with what opinion.
#[utoipa::path(get, operation_id = "project_assessment_history", path = "/project-assessments/{id}/history", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<StateChange>), (status = 404, body = Problem)))]
pub(super) async fn state_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ProjectAssessmentId>,
) -> ApiResult<Json<Vec<StateChange>>> {
    Ok(Json(history(&state, &caller, &id).await?))
}

/// The state changes of a project assessment `caller` may read, first to last.
pub async fn history(state: &AppState, caller: &Caller, id: &ProjectAssessmentId) -> ApiResult<Vec<StateChange>> {
    let row = visible(state, caller, id).await?;
    Ok(PROJECT_ASSESSMENTS.changes(&state.db, &row.id).await?)
}

/// Every submission as the city station received it, first to last.
#[utoipa::path(get, path = "/project-assessments/{id}/submissions", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<Submission>), (status = 404, body = Problem)))]
pub(super) async fn list_submissions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ProjectAssessmentId>,
) -> ApiResult<Json<Vec<Submission>>> {
    Ok(Json(submissions(&state, &caller, &id).await?))
}

/// The submissions of a project assessment `caller` may read, first to last.
pub async fn submissions(state: &AppState, caller: &Caller, id: &ProjectAssessmentId) -> ApiResult<Vec<Submission>> {
    let row = visible(state, caller, id).await?;
    Ok(store::submissions(&state.db, &row.id).await?)
}

/// Deletes a draft or returned project assessment (kept for the record, no longer listed);
/// documents never submitted become deletable again.
#[utoipa::path(delete, operation_id = "delete_project_assessment", path = "/project-assessments/{id}", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn delete_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ProjectAssessmentId>,
) -> ApiResult<StatusCode> {
    caller.require(&[Role::Supervisor])?;
    let row = visible(&state, &caller, &id).await?;
    act.set_target(format!("project_assessment:{id}"));
    rules::transition(row.state(), Event::Delete).map_err(not_allowed)?;
    let mut tx = act.begin().await?;
    if !store::delete(&mut *tx, &row, &caller.account_id, state.clock.now_ms()).await? {
        return Err(changed_meanwhile());
    }
    act.commit(tx, format!("project_assessment:{id}")).await?;
    Ok(StatusCode::NO_CONTENT)
}
