//! Submitting the complete form to the city station, which passes it or returns it to the
//! supervisor.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};

use super::{reread, template_of, visible, ProjectAssessmentView};
use crate::assessments::project_safety::store;
use crate::assessments::rules::{self, Event};
use crate::assessments::store::lifecycle::PROJECT_ASSESSMENTS;
use crate::assessments::{changed_meanwhile, not_allowed, ReviewBody};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::platform::error::{ApiError, ApiResult, Message, Problem};
use crate::platform::ids::ProjectAssessmentId;
use crate::platform::web::Json;
use crate::state::AppState;

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
#[utoipa::path(post, operation_id = "submit_project_assessment", path = "/project-assessments/{id}/submit", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = ProjectAssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(super) async fn submit_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ProjectAssessmentId>,
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
pub(super) async fn review_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ProjectAssessmentId>,
    Json(body): Json<ReviewBody>,
) -> ApiResult<Json<ProjectAssessmentView>> {
    Ok(Json(review(&state, &caller, &act, &id, body).await?))
}

/// The city station passes a submitted project assessment or returns it to its supervisor,
/// with an opinion: `POST /project-assessments/{id}/review` and the staff console's review.
pub async fn review(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &ProjectAssessmentId,
    body: ReviewBody,
) -> ApiResult<ProjectAssessmentView> {
    caller.require(&[Role::City])?;
    let row = visible(state, caller, id).await?;
    act.set_target(format!("project_assessment:{id}"));
    let to = rules::transition(row.state(), body.event()).map_err(not_allowed)?;
    let template = template_of(state, &row).await?;
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
    let view = reread(&mut *tx, caller, &template, id).await?;
    act.commit(tx, format!("project_assessment:{id}")).await?;
    Ok(view)
}
