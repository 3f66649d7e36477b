//! Supervisors' project assessments over HTTP (seed 001 §3.2): start one for a project, score
//! the ten items, fill the inspection details, attach the signed scanned form, save as often as
//! needed, submit to the city station, which passes it or returns it to the supervisor.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{self, Details, FormDocument, ProjectAssessmentRow, Submission, Unlinked, Visibility};
use crate::assessments::lifecycle::{StateChange, PROJECT_ASSESSMENTS};
use crate::assessments::rules::{self, Event, TemplateKind};
use crate::assessments::templates::{self, Template, TemplateItem};
use crate::assessments::{
    changed_meanwhile, check_item_score, document_unusable, not_allowed, valid_period, ReviewBody,
};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::db::Conn;
use crate::documents::rules::Purpose;
use crate::error::{ApiError, ApiResult, Invalid, Message, Problem};
use crate::paging::Page;
use crate::projects::routes::check_building_area;
use crate::state::AppState;
use crate::types::{DistrictCode, Name, Phone};
use crate::web::Json;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_assessment))
        .routes(routes!(list_assessments))
        .routes(routes!(get_assessment, save_assessment, delete_assessment))
        .routes(routes!(attach_document))
        .routes(routes!(detach_document))
        .routes(routes!(submit_assessment))
        .routes(routes!(review_assessment))
        .routes(routes!(state_history))
        .routes(routes!(list_submissions))
}

const READERS: &[Role] = &[Role::Supervisor, Role::District, Role::City, Role::Enterprise];

fn not_found() -> ApiError {
    ApiError::not_found("项目考核", "Project assessment")
}

async fn visible(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ProjectAssessmentRow> {
    caller.require(READERS)?;
    store::get(&state.db, id, &Visibility::of(caller))
        .await?
        .ok_or_else(not_found)
}

/// The supervisor's own assessment, still editable, with its template.
async fn editable(state: &AppState, caller: &Caller, id: &str) -> ApiResult<(ProjectAssessmentRow, Template)> {
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
async fn reread(conn: &mut Conn, caller: &Caller, template: &Template, id: &str) -> ApiResult<ProjectAssessmentView> {
    let row = store::get(&mut *conn, id, &Visibility::of(caller))
        .await?
        .ok_or_else(not_found)?;
    view(conn, template, row).await
}

/// The record as stored, for a read.
async fn view_of(state: &AppState, row: ProjectAssessmentRow) -> ApiResult<ProjectAssessmentView> {
    let template = template_of(state, &row).await?;
    view(&mut *state.db.acquire().await?, &template, row).await
}

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
async fn start_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(project_id): Path<String>,
    Json(body): Json<StartBody>,
) -> ApiResult<(StatusCode, Json<ProjectAssessmentView>)> {
    caller.require(&[Role::Supervisor])?;
    let project = crate::projects::store::get(&state.db, &project_id, &crate::projects::store::Visibility::of(&caller))
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
        &caller.account_id,
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub state: Option<rules::State>,
    pub district: Option<String>,
    pub project_id: Option<String>,
    pub period: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Project assessments within the caller's scope: a supervisor's own, a district's, all for the
/// city station, and an enterprise's passed ones.
#[utoipa::path(get, path = "/project-assessments", tag = "assessments", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ProjectAssessmentRow>), (status = 403, body = Problem)))]
async fn list_assessments(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<ProjectAssessmentRow>>> {
    caller.require(READERS)?;
    let filter = store::Filter {
        state: q.state.map(|s| s.as_str().to_owned()),
        district: q.district,
        project: q.project_id,
        period: q.period,
    };
    let page = Page {
        page: q.page,
        per_page: q.per_page,
    };
    Ok(Json(
        store::list(&state.db, &Visibility::of(&caller), &filter, &page).await?,
    ))
}

/// One project assessment with its scores and documents.
#[utoipa::path(get, path = "/project-assessments/{id}", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = ProjectAssessmentView), (status = 404, body = Problem)))]
async fn get_assessment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProjectAssessmentView>> {
    let row = visible(&state, &caller, &id).await?;
    Ok(Json(view_of(&state, row).await?))
}

/// Every state change: who, when, from, to, with what opinion.
#[utoipa::path(get, path = "/project-assessments/{id}/history", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<StateChange>), (status = 404, body = Problem)))]
async fn state_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<StateChange>>> {
    let row = visible(&state, &caller, &id).await?;
    Ok(Json(PROJECT_ASSESSMENTS.changes(&state.db, &row.id).await?))
}

/// Every submission as the city station received it, first to last.
#[utoipa::path(get, path = "/project-assessments/{id}/submissions", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<Submission>), (status = 404, body = Problem)))]
async fn list_submissions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Submission>>> {
    let row = visible(&state, &caller, &id).await?;
    Ok(Json(store::submissions(&state.db, &row.id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreFill {
    pub number: String,
    /// Between 0 and the item's maximum in steps of 0.1; `null` clears it.
    pub score: Option<f64>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    #[serde(default)]
    pub scores: Vec<ScoreFill>,
    #[schema(value_type = Option<String>)]
    pub district_code: Option<DistrictCode>,
    /// m²
    pub building_area: Option<f64>,
    pub inspection_details: Option<String>,
    #[schema(value_type = Option<String>)]
    pub inspecting_unit: Option<Name<100>>,
    #[schema(value_type = Option<String>)]
    pub person_in_charge: Option<Name<50>>,
    #[schema(value_type = Option<String>)]
    pub person_phone: Option<Phone>,
    /// 监管等级, as the local rules name it.
    #[schema(value_type = Option<String>)]
    pub supervision_level: Option<Name<20>>,
}

const DETAILS_MAX: usize = 2000;

/// Saves scores and details; a draft can be saved any number of times.
#[utoipa::path(put, path = "/project-assessments/{id}", tag = "assessments", params(("id" = String, Path)),
    request_body = SaveBody, security(("bearer" = [])),
    responses((status = 200, body = ProjectAssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn save_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
    Json(body): Json<SaveBody>,
) -> ApiResult<Json<ProjectAssessmentView>> {
    let (row, template) = editable(&state, &caller, &id).await?;
    act.set_target(format!("project_assessment:{id}"));
    let mut invalid = Invalid::default();
    for (i, fill) in body.scores.iter().enumerate() {
        let field = format!("scores[{i}].score");
        match (template.item(&fill.number).and_then(|t| t.max_score), fill.score) {
            (None, _) => invalid.field(
                &format!("scores[{i}].number"),
                "assessment.no_such_item",
                "模板中没有此编号的考核项",
                "The template has no item with this number",
            ),
            (Some(max), Some(score)) => check_item_score(&mut invalid, &field, &fill.number, score, max),
            (Some(_), None) => {}
        }
    }
    check_building_area(&mut invalid, "building_area", body.building_area);
    if body
        .district_code
        .as_ref()
        .is_some_and(|d| !caller.covers_district(d.as_str()))
    {
        invalid.field(
            "district_code",
            "project.outside_district",
            "只能改为本人负责辖区内的行政区",
            "Only a district within your own jurisdiction can be set",
        );
    }
    if body
        .inspection_details
        .as_ref()
        .is_some_and(|d| d.chars().count() > DETAILS_MAX)
    {
        invalid.field(
            "inspection_details",
            "text.too_long",
            format!("检查详情最多 {DETAILS_MAX} 字"),
            format!("At most {DETAILS_MAX} characters"),
        );
    }
    invalid.finish()?;
    let mut tx = act.begin().await?;
    if !store::claim_edit(&mut *tx, &row.id, state.clock.now_ms()).await? {
        return Err(changed_meanwhile());
    }
    for fill in &body.scores {
        store::save_score(&mut *tx, &row.id, &fill.number, fill.score).await?;
    }
    let details = Details {
        district_code: body.district_code.as_ref().map(|d| d.as_str()),
        building_area: body.building_area,
        inspection_details: body.inspection_details.as_deref().map(str::trim),
        inspecting_unit: body.inspecting_unit.as_ref().map(|n| n.as_str()),
        person_in_charge: body.person_in_charge.as_ref().map(|n| n.as_str()),
        person_phone: body.person_phone.as_ref().map(|p| p.as_str()),
        supervision_level: body.supervision_level.as_ref().map(|n| n.as_str()),
    };
    store::save_details(&mut *tx, &row.id, &details).await?;
    let view = reread(&mut *tx, &caller, &template, &id).await?;
    act.commit(tx, format!("project_assessment:{id}")).await?;
    Ok(Json(view))
}

/// Deletes a draft or returned project assessment (kept for the record, no longer listed);
/// documents never submitted become deletable again.
#[utoipa::path(delete, path = "/project-assessments/{id}", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormRole {
    /// 签字后的考核表扫描件
    SignedForm,
    /// 证明材料
    Evidence,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachBody {
    /// The supervisor's completed upload of purpose `supervision_form` (PDF).
    pub document_id: String,
    pub role: FormRole,
}

/// Attaches the signed scanned form or other evidence.
#[utoipa::path(post, path = "/project-assessments/{id}/documents", tag = "assessments", params(("id" = String, Path)),
    request_body = AttachBody, security(("bearer" = [])),
    responses((status = 201, body = ProjectAssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn attach_document(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
    Json(body): Json<AttachBody>,
) -> ApiResult<(StatusCode, Json<ProjectAssessmentView>)> {
    let (row, template) = editable(&state, &caller, &id).await?;
    act.set_target(format!("project_assessment:{id}"));
    let doc = crate::documents::store::get(
        &state.db,
        &body.document_id,
        &crate::documents::store::Visibility::of(&caller),
    )
    .await?;
    if !doc.is_some_and(|d| d.attachable_to(Purpose::SupervisionForm, &row.id)) {
        let mut invalid = Invalid::default();
        document_unusable(&mut invalid, "document_id", Purpose::SupervisionForm);
        invalid.finish()?;
    }
    let role = match body.role {
        FormRole::SignedForm => "signed_form",
        FormRole::Evidence => "evidence",
    };
    let now = state.clock.now_ms();
    let mut tx = act.begin().await?;
    if !store::claim_edit(&mut *tx, &row.id, now).await? {
        return Err(changed_meanwhile());
    }
    store::link_document(&mut *tx, &row.id, &body.document_id, role, now).await?;
    let view = reread(&mut *tx, &caller, &template, &id).await?;
    act.commit(tx, format!("project_assessment:{id}")).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Removes a document not yet submitted from the form.
#[utoipa::path(delete, path = "/project-assessments/{id}/documents/{document_id}", tag = "assessments",
    params(("id" = String, Path), ("document_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn detach_document(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((id, document_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (row, _) = editable(&state, &caller, &id).await?;
    act.set_target(format!("project_assessment:{id}"));
    let mut tx = act.begin().await?;
    if !store::claim_edit(&mut *tx, &row.id, state.clock.now_ms()).await? {
        return Err(changed_meanwhile());
    }
    match store::unlink_document(&mut *tx, &row.id, &document_id).await? {
        Unlinked::Done => {}
        Unlinked::Submitted => {
            return Err(ApiError::conflict(
                "assessment.document_submitted",
                "该附件已随考核表提交，须保留；可补充新的附件",
                "This document was submitted with the form and stays with it; attach a new one instead",
            ))
        }
        Unlinked::NotLinked => return Err(ApiError::not_found("该考核的附件", "Attachment of this assessment")),
    }
    act.commit(tx, format!("project_assessment:{id}")).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the form lacks before it can go to the city station: a score on every item, every
/// inspection field, and the signed form.
fn missing(view: &ProjectAssessmentView) -> Vec<(String, Message)> {
    let row = &view.record;
    let mut gaps: Vec<(String, Message)> = view
        .items
        .iter()
        .filter(|i| i.score.is_none())
        .map(|i| {
            (
                format!("items.{}", i.template.number),
                Message::new("未评分", "not scored"),
            )
        })
        .collect();
    let fields = [
        ("inspection_details", &row.inspection_details, "检查详情"),
        ("inspecting_unit", &row.inspecting_unit, "检查单位"),
        ("person_in_charge", &row.person_in_charge, "负责人"),
        ("person_phone", &row.person_phone, "负责人联系电话"),
        ("supervision_level", &row.supervision_level, "监管等级"),
    ];
    for (field, value, name) in fields {
        if value.trim().is_empty() {
            gaps.push((
                field.into(),
                Message::new(format!("未填写{name}"), format!("{field} is empty")),
            ));
        }
    }
    if !view.documents.iter().any(|d| d.role == "signed_form") {
        gaps.push((
            "signed_form".into(),
            Message::new("未上传签字后的考核表扫描件", "the signed form is not attached"),
        ));
    }
    gaps
}

/// Submits the form to the city station once complete; otherwise names what is missing.
#[utoipa::path(post, path = "/project-assessments/{id}/submit", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = ProjectAssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn submit_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
) -> ApiResult<Json<ProjectAssessmentView>> {
    caller.require(&[Role::Supervisor])?;
    let row = visible(&state, &caller, &id).await?;
    act.set_target(format!("project_assessment:{id}"));
    rules::transition(row.state(), Event::Submit).map_err(not_allowed)?;
    let template = template_of(&state, &row).await?;
    let now = state.clock.now_ms();
    let mut tx = act.begin().await?;
    // Held from here to the commit: the form checked is the form submitted.
    if !store::claim_edit(&mut *tx, &row.id, now).await? {
        return Err(changed_meanwhile());
    }
    let current = reread(&mut *tx, &caller, &template, &id).await?;
    let gaps = missing(&current);
    if !gaps.is_empty() {
        let names: Vec<&str> = gaps.iter().map(|(f, _)| f.as_str()).collect();
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "assessment.incomplete",
            format!("考核表未填完，不能提交：{}", names.join("、")),
            format!("The form is incomplete: {}", names.join(", ")),
        );
        for (field, message) in gaps {
            error = error.with_field(field, "assessment.item_incomplete", message);
        }
        return Err(error);
    }
    let form = serde_json::to_value(&current).map_err(ApiError::internal)?;
    let total = current.current_total;
    if !store::submit(&mut *tx, &current.record, total, &form, &caller.account_id, now).await? {
        return Err(changed_meanwhile());
    }
    let view = reread(&mut *tx, &caller, &template, &id).await?;
    act.commit(tx, format!("project_assessment:{id}")).await?;
    Ok(Json(view))
}

#[utoipa::path(post, path = "/project-assessments/{id}/review", tag = "assessments", params(("id" = String, Path)),
    request_body = ReviewBody, security(("bearer" = [])),
    responses((status = 200, body = ProjectAssessmentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn review_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
    Json(body): Json<ReviewBody>,
) -> ApiResult<Json<ProjectAssessmentView>> {
    caller.require(&[Role::City])?;
    let row = visible(&state, &caller, &id).await?;
    act.set_target(format!("project_assessment:{id}"));
    let to = rules::transition(row.state(), body.event()).map_err(not_allowed)?;
    let template = template_of(&state, &row).await?;
    let mut tx = act.begin().await?;
    if !PROJECT_ASSESSMENTS
        .advance(
            &mut *tx,
            &row.id,
            row.state,
            to,
            &caller.account_id,
            Some(body.opinion.as_str()),
            state.clock.now_ms(),
        )
        .await?
    {
        return Err(changed_meanwhile());
    }
    let view = reread(&mut *tx, &caller, &template, &id).await?;
    act.commit(tx, format!("project_assessment:{id}")).await?;
    Ok(Json(view))
}
