//! Supervisors' project assessments over HTTP (seed 001 §3.2): start one for a project, score
//! the ten items, fill the inspection details, attach the signed scanned form, save as often as
//! needed, submit to the city station, which passes it or returns it to the supervisor.
//!
//! - `records`: starting, listing, reading and deleting assessments, their history and
//!   submissions;
//! - `filling`: the supervisor saves scores and details, attaches and removes documents;
//! - `submission`: submitting the complete form, and the city station's review;
//! - this file: the router, and what the handlers share (who may read, the editable record,
//!   the record as an answer).

mod filling;
mod records;
mod submission;

pub use records::{count, history, list, read, submissions, ListQuery};
pub use submission::review;

use crate::openapi::register::routes;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::store::{self, FormDocument, ProjectAssessmentRow};
use crate::assessments::not_allowed;
use crate::assessments::rules::{self, Event};
use crate::assessments::templates::{Template, TemplateItem};
use crate::auth::{Caller, Role};
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::ProjectAssessmentId;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(records::start_assessment))
        .routes(routes!(records::list_assessments))
        .routes(routes!(
            records::get_assessment,
            filling::save_assessment,
            records::delete_assessment
        ))
        .routes(routes!(filling::attach_document))
        .routes(routes!(filling::detach_document))
        .routes(routes!(submission::submit_assessment))
        .routes(routes!(submission::review_assessment))
        .routes(routes!(records::state_history))
        .routes(routes!(records::list_submissions))
}

const READERS: &[Role] = &[Role::Supervisor, Role::District, Role::City, Role::Enterprise];

fn not_found() -> ApiError {
    ApiError::not_found("项目考核", "Project assessment")
}

async fn visible(state: &AppState, caller: &Caller, id: &ProjectAssessmentId) -> ApiResult<ProjectAssessmentRow> {
    caller.require(READERS)?;
    store::get(&state.db, id, &caller.bounds()).await?.ok_or_else(not_found)
}

/// The supervisor's own assessment, still editable, with its template.
async fn editable(
    state: &AppState,
    caller: &Caller,
    id: &ProjectAssessmentId,
) -> ApiResult<(ProjectAssessmentRow, Template)> {
    caller.require(&[Role::Supervisor])?;
    let row = visible(state, caller, id).await?;
    rules::transition(row.state(), Event::Edit).map_err(not_allowed)?;
    let template = template_of(state, &row).await?;
    Ok((row, template))
}

async fn template_of(state: &AppState, row: &ProjectAssessmentRow) -> ApiResult<Template> {
    crate::assessments::template_of_record(&mut *state.db.acquire().await?, &row.template_id).await
}

#[derive(Serialize, ToSchema)]
pub struct ScoredItem {
    #[serde(flatten)]
    pub template: TemplateItem,
    pub score: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectAssessmentView {
    #[serde(flatten)]
    pub record: ProjectAssessmentRow,
    pub max_total: f64,
    /// The sum of the scores given so far.
    pub current_total: f64,
    pub items: Vec<ScoredItem>,
    pub documents: Vec<FormDocument>,
}

/// The record with its scores and documents, read on `conn`.
async fn view(conn: &mut Conn, template: &Template, row: ProjectAssessmentRow) -> ApiResult<ProjectAssessmentView> {
    let scores = store::scores(&mut *conn, &row.id).await?;
    let items: Vec<ScoredItem> = template
        .items
        .iter()
        .map(|t| ScoredItem {
            template: t.clone(),
            score: scores.iter().find(|(n, _)| *n == t.number).and_then(|(_, s)| *s),
        })
        .collect();
    Ok(ProjectAssessmentView {
        max_total: template.max_total(),
        current_total: rules::total(items.iter().filter_map(|i| i.score)),
        items,
        documents: store::documents(&mut *conn, &row.id).await?,
        record: row,
    })
}

/// The record as the act's transaction leaves it, for the answer.
async fn reread(
    conn: &mut Conn,
    caller: &Caller,
    template: &Template,
    id: &ProjectAssessmentId,
) -> ApiResult<ProjectAssessmentView> {
    let row = store::get(&mut *conn, id, &caller.bounds())
        .await?
        .ok_or_else(not_found)?;
    view(conn, template, row).await
}

/// The record as stored, for a read.
async fn view_of(state: &AppState, row: ProjectAssessmentRow) -> ApiResult<ProjectAssessmentView> {
    let template = template_of(state, &row).await?;
    view(&mut *state.db.acquire().await?, &template, row).await
}
