//! Submitting a self-assessment: the checks of what the round still lacks and the submission
//! itself, both while the record is held.

use crate::openapi::register::routes;
use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::routes::{begin_edit, reread, template_of, visible, AssessmentView};
use super::rules::{self, Event, Gap, ItemFill};
use super::store::{self, AssessmentRow};
use super::templates::{Template, TemplateItem};
use super::{changed_meanwhile, not_allowed};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::AssessmentId;
use crate::platform::types::{Text, MULTILINE};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(submit_assessment))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// 提交意见
    #[schema(value_type = String, example = "已按要求自评，请审核")]
    pub opinion: Text<500, MULTILINE>,
}

fn gap_words(gap: &Gap) -> (String, String) {
    match gap {
        Gap::NoSelfScore => ("未填自评得分".into(), "no self-score".into()),
        Gap::NoEvidence => ("缺少证明材料".into(), "no evidence".into()),
        Gap::MissingAttachment(name) => (format!("缺少附件“{name}”"), format!("attachment “{name}” missing")),
        Gap::NoPeople(role) => (format!("未填报 {role} 人员"), format!("no {role} listed")),
        Gap::NoRectificationMaterial => ("缺少整改材料".into(), "no rectification material".into()),
    }
}

/// Which items lack what a submission needs; on a rectification round, the items that lost
/// points in the previous round need rectification material.
async fn gaps(conn: &mut Conn, row: &AssessmentRow, template: &Template) -> ApiResult<Vec<(String, Gap)>> {
    let fills = store::items(&mut *conn, &row.id, row.round).await?;
    let documents = store::documents(&mut *conn, &row.id, row.round).await?;
    let people = store::people(&mut *conn, &row.id, row.round).await?;
    let previous = if row.return_reason.as_deref() == Some("rectification") {
        store::items(&mut *conn, &row.id, row.round - 1).await?
    } else {
        Vec::new()
    };
    let lost_points = |item: &TemplateItem| {
        previous.iter().any(|p| {
            p.number == item.number
                && matches!((p.assessed_score, item.max_score), (Some(got), Some(max)) if rules::tenths(got) < rules::tenths(max))
        })
    };
    let items: Vec<ItemFill> = template
        .items
        .iter()
        .map(|t| {
            let mine = |role: &'static str| documents.iter().filter(move |d| d.number == t.number && d.role == role);
            ItemFill {
                number: &t.number,
                kind: t.kind,
                evidence_required: t.evidence_required,
                slots: &t.slots,
                self_score: fills.iter().find(|f| f.number == t.number).and_then(|f| f.self_score),
                evidence: mine("evidence").map(|d| d.slot.as_str()).collect(),
                people: people
                    .iter()
                    .filter(|p| p.number == t.number)
                    .map(|p| p.role.as_str())
                    .collect(),
                needs_rectification: lost_points(t),
                rectification_documents: mine("rectification").count(),
            }
        })
        .collect();
    Ok(rules::missing_for_submission(&items))
}

/// Submits the self-assessment with an opinion. Every scored item needs a self-score, every
/// item that requires evidence its material, and, after a return for rectification, every item
/// that lost points its rectification material; otherwise the answer names the items.
#[utoipa::path(post, path = "/assessments/{id}/submit", tag = "assessments", params(("id" = String, Path)),
    request_body = SubmitBody, security(("bearer" = [])),
    responses((status = 200, body = AssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn submit_assessment(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<AssessmentId>,
    Json(body): Json<SubmitBody>,
) -> ApiResult<Json<AssessmentView>> {
    Ok(Json(submit(&state, &caller, &act, &id, &body).await?))
}

/// Submits the self-assessment, in `act`: the API's `POST /assessments/{id}/submit` and the
/// enterprise portal's submit form.
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &AssessmentId,
    body: &SubmitBody,
) -> ApiResult<AssessmentView> {
    caller.require(&[Role::Enterprise])?;
    let row = visible(&state.db, caller, id).await?;
    act.set_target(format!("assessment:{id}"));
    rules::transition(row.state(), Event::Submit).map_err(not_allowed)?;
    let template = template_of(&mut *state.db.acquire().await?, &row).await?;
    let now = state.clock.now_ms();
    // The checks and the submission happen while the record is held, so that no edit slips
    // between them.
    let mut tx = begin_edit(act, &row, now).await?;
    let gaps = gaps(&mut tx, &row, &template).await?;
    if !gaps.is_empty() {
        let numbers: Vec<&str> = gaps.iter().map(|(n, _)| n.as_str()).collect();
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "assessment.incomplete",
            format!("以下考核项未填完，不能提交：第 {} 项", numbers.join("、")),
            format!("These items are incomplete: {}", numbers.join(", ")),
        );
        for (number, gap) in &gaps {
            let (zh, en) = gap_words(gap);
            error = error.with_field(
                format!("items.{number}"),
                "assessment.item_incomplete",
                crate::platform::error::Message::new(zh, en),
            );
        }
        return Err(error);
    }
    if !store::submit(&mut tx, &row, body.opinion.as_str(), &caller.account_id, now).await? {
        return Err(changed_meanwhile());
    }
    let view = reread(&mut tx, caller, id).await?;
    act.commit(tx, format!("assessment:{id}")).await?;
    Ok(view)
}
