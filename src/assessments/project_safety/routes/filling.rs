//! The supervisor fills the form: scores and inspection details, saved as often as needed; the
//! signed scanned form and other evidence attached, and removed while not yet submitted.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{editable, reread, ProjectAssessmentView};
use crate::assessments::project_safety::store::{self, Details, Unlinked};
use crate::assessments::{changed_meanwhile, check_item_score, document_unusable};
use crate::audit::Act;
use crate::auth::Caller;
use crate::documents::rules::Purpose;
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{DocumentId, ProjectAssessmentId};
use crate::platform::types::{DistrictCode, Phone, Text};
use crate::platform::web::Json;
use crate::projects::check_building_area;
use crate::state::AppState;

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
    pub inspecting_unit: Option<Text<100>>,
    #[schema(value_type = Option<String>)]
    pub person_in_charge: Option<Text<50>>,
    #[schema(value_type = Option<String>)]
    pub person_phone: Option<Phone>,
    /// 监管等级, as the local rules name it.
    #[schema(value_type = Option<String>)]
    pub supervision_level: Option<Text<20>>,
}

const DETAILS_MAX: usize = 2000;

/// Saves scores and details; a draft can be saved any number of times.
#[utoipa::path(put, path = "/project-assessments/{id}", tag = "assessments", params(("id" = String, Path)),
    request_body = SaveBody, security(("bearer" = [])),
    responses((status = 200, body = ProjectAssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(super) async fn save_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ProjectAssessmentId>,
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
#[schema(as = ProjectAttachBody)]
pub struct AttachBody {
    /// The supervisor's completed upload of purpose `supervision_form` (PDF).
    #[schema(value_type = String)]
    pub document_id: DocumentId,
    pub role: FormRole,
}

/// Attaches the signed scanned form or other evidence.
#[utoipa::path(post, operation_id = "attach_project_assessment_document", path = "/project-assessments/{id}/documents", tag = "assessments", params(("id" = String, Path)),
    request_body = AttachBody, security(("bearer" = [])),
    responses((status = 201, body = ProjectAssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(super) async fn attach_document(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ProjectAssessmentId>,
    Json(body): Json<AttachBody>,
) -> ApiResult<(StatusCode, Json<ProjectAssessmentView>)> {
    let (row, template) = editable(&state, &caller, &id).await?;
    act.set_target(format!("project_assessment:{id}"));
    let doc = crate::documents::visible(&state.db, &body.document_id, &caller.bounds()).await?;
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
#[utoipa::path(delete, operation_id = "detach_project_assessment_document", path = "/project-assessments/{id}/documents/{document_id}", tag = "assessments",
    params(("id" = String, Path), ("document_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn detach_document(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((id, document_id)): Path<(ProjectAssessmentId, DocumentId)>,
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
