//! Enterprise self-assessments over HTTP: create for a period, fill item by item (self-scores,
//! evidence, people, attachments), save as often as needed, submit with an opinion, delete
//! while still editable; and reading them, with every round, for the enterprise and staff.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::rules::{self, Event, Gap, ItemFill, ItemKind, PersonRole, TemplateKind};
use super::store::{self, AssessmentRow, HistoryEntry, LinkedDocument, RoundView, Visibility};
use super::templates::{self, Template, TemplateItem};
use super::{changed_meanwhile, check_item_score, document_unusable, not_allowed, valid_period};
use crate::audit::AuditContext;
use crate::auth::{Caller, Role};
use crate::documents::rules::{DocState, Purpose};
use crate::error::{ApiError, ApiResult, Invalid, Problem};
use crate::paging::Page;
use crate::state::AppState;
use crate::types::{Date, IdNumber, Name};
use crate::web::Json;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_assessment, list_assessments))
        .routes(routes!(get_assessment, delete_assessment))
        .routes(routes!(save_items))
        .routes(routes!(attach_document))
        .routes(routes!(detach_document))
        .routes(routes!(add_person))
        .routes(routes!(remove_person))
        .routes(routes!(submit_assessment))
        .routes(routes!(state_history))
}

/// Who reads self-assessments: the enterprise its own, staff within their jurisdiction.
pub const READERS: &[Role] = &[Role::Enterprise, Role::District, Role::City];

pub fn not_found() -> ApiError {
    ApiError::not_found("考核", "Assessment")
}

/// An assessment within the caller's scope, or 404.
pub async fn visible(state: &AppState, caller: &Caller, id: &str) -> ApiResult<AssessmentRow> {
    caller.require(READERS)?;
    store::get(&state.db, id, &Visibility::of(caller))
        .await?
        .ok_or_else(not_found)
}

/// The caller's own assessment, checked to be editable, with its template.
async fn editable(state: &AppState, caller: &Caller, id: &str) -> ApiResult<(AssessmentRow, Template)> {
    caller.require(&[Role::Enterprise])?;
    let row = visible(state, caller, id).await?;
    rules::transition(row.state(), Event::Edit).map_err(not_allowed)?;
    let template = template_of(state, &row).await?;
    Ok((row, template))
}

pub async fn template_of(state: &AppState, row: &AssessmentRow) -> ApiResult<Template> {
    super::template_of_record(state, &row.template_id).await
}

/// The item `number` of the record's template, or 404.
pub fn item_of<'t>(template: &'t Template, number: &str) -> ApiResult<&'t TemplateItem> {
    template
        .item(number)
        .ok_or_else(|| ApiError::not_found("考核项", "Assessment item"))
}

/// One item as shown: the template's wording and the round's fill and review.
#[derive(Serialize, ToSchema)]
pub struct ItemView {
    #[serde(flatten)]
    pub template: TemplateItem,
    pub self_score: Option<f64>,
    pub self_note: String,
    /// 考核得分: set by the reviewer (✓ takes the self-score, ✗ enters another).
    pub assessed_score: Option<f64>,
    /// pending | passed | rejected
    pub review_state: String,
    pub review_opinion: Option<String>,
    pub rectification_note: String,
    pub documents: Vec<LinkedDocument>,
    pub people: Vec<PersonView>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    pub role: PersonRole,
    pub name: String,
    /// Masked, e.g. `110105********002X`.
    pub id_number: String,
    pub position: String,
    pub certificate_name: String,
    pub certificate_number: String,
    pub certificate_valid_until: Option<String>,
    pub scan_document_id: String,
}

/// An assessment with the items of one round.
#[derive(Serialize, ToSchema)]
pub struct AssessmentView {
    #[serde(flatten)]
    pub record: AssessmentRow,
    pub template_name: String,
    /// The round the items below belong to.
    pub shown_round: i64,
    pub max_total: f64,
    pub self_total: f64,
    pub assessed_total: f64,
    pub items: Vec<ItemView>,
    /// Every submitted round and how its review ended.
    pub rounds: Vec<RoundView>,
}

/// Builds the view of `round` (the current one unless given).
pub async fn view(state: &AppState, row: AssessmentRow, round: Option<i64>) -> ApiResult<AssessmentView> {
    let round = round.unwrap_or(row.round);
    if !(1..=row.round).contains(&round) {
        return Err(ApiError::not_found("考核轮次", "Assessment round"));
    }
    let template = template_of(state, &row).await?;
    let fills = store::items(&state.db, &row.id, round).await?;
    let documents = store::documents(&state.db, &row.id, round).await?;
    let people = store::people(&state.db, &row.id, round).await?;
    let items: Vec<ItemView> = template
        .items
        .iter()
        .filter_map(|t| {
            let fill = fills.iter().find(|f| f.number == t.number)?;
            Some(ItemView {
                template: t.clone(),
                self_score: fill.self_score,
                self_note: fill.self_note.clone(),
                assessed_score: fill.assessed_score,
                review_state: fill.review_state.clone(),
                review_opinion: fill.review_opinion.clone(),
                rectification_note: fill.rectification_note.clone(),
                documents: documents.iter().filter(|d| d.number == t.number).cloned().collect(),
                people: people
                    .iter()
                    .filter(|p| p.number == t.number)
                    .map(|p| PersonView {
                        id: p.id.clone(),
                        role: PersonRole::parse(&p.role).unwrap_or(PersonRole::EnterprisePrincipal),
                        name: p.name.clone(),
                        id_number: p.id_number_masked.clone(),
                        position: p.position.clone(),
                        certificate_name: p.certificate_name.clone(),
                        certificate_number: p.certificate_number.clone(),
                        certificate_valid_until: p.certificate_valid_until.clone(),
                        scan_document_id: p.scan_document_id.clone(),
                    })
                    .collect(),
            })
        })
        .collect();
    Ok(AssessmentView {
        template_name: template.name.clone(),
        shown_round: round,
        max_total: template.max_total(),
        self_total: rules::total(items.iter().filter_map(|i| i.self_score)),
        assessed_total: rules::total(items.iter().filter_map(|i| i.assessed_score)),
        items,
        rounds: store::rounds(&state.db, &row.id).await?,
        record: row,
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessmentBody {
    /// general_conditions | safety_director | licence_dynamic (the project assessment is a
    /// supervisor's).
    pub kind: TemplateKind,
    /// The assessment period: a year (`2026`), half-year (`2026-H2`) or quarter (`2026-Q3`).
    #[schema(example = "2026")]
    pub period: String,
}

/// The enterprise starts a self-assessment for a period on the template's current version.
#[utoipa::path(post, path = "/assessments", tag = "assessments", request_body = NewAssessmentBody, security(("bearer" = [])),
    responses((status = 201, body = AssessmentView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn create_assessment(
    State(state): State<AppState>,
    caller: Caller,
    audit: AuditContext,
    Json(body): Json<NewAssessmentBody>,
) -> ApiResult<(StatusCode, Json<AssessmentView>)> {
    caller.require(&[Role::Enterprise])?;
    let enterprise = caller.enterprise_id().ok_or_else(ApiError::forbidden_role)?;
    let mut invalid = Invalid::default();
    if !body.kind.is_self_assessment() {
        invalid.field(
            "kind",
            "assessment.not_self_assessed",
            "项目安全生产条件考核由监督员填报，企业不能自评",
            "The project assessment is filled by a supervisor, not by the enterprise",
        );
    }
    if !valid_period(&body.period) {
        invalid.field(
            "period",
            "assessment.period_invalid",
            "考核期为年份（2026）、半年（2026-H1）或季度（2026-Q3）",
            "The period is a year (2026), half-year (2026-H1) or quarter (2026-Q3)",
        );
    }
    invalid.finish()?;
    let template = templates::current(&state.db, body.kind)
        .await?
        .ok_or_else(|| ApiError::internal("template kind without a version"))?;
    let now = state.clock.now_ms();
    let id = store::create(&state.db, enterprise, &template, &body.period, &caller.account_id, now)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                "assessment.period_taken",
                format!("本企业已有 {} 期的该项考核，请在原记录上修改", body.period),
                format!("You already have this assessment for {}; edit that one", body.period),
            )
        })?;
    audit.set_target(format!("assessment:{id}"));
    let row = visible(&state, &caller, &id).await?;
    Ok((StatusCode::CREATED, Json(view(&state, row, None).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub kind: Option<TemplateKind>,
    pub state: Option<rules::State>,
    pub period: Option<String>,
    /// District code (staff).
    pub district: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Self-assessments within the caller's scope, most recently changed first.
#[utoipa::path(get, path = "/assessments", tag = "assessments", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<AssessmentRow>), (status = 403, body = Problem)))]
async fn list_assessments(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<AssessmentRow>>> {
    caller.require(READERS)?;
    let filter = store::Filter {
        kind: q.kind.map(|k| k.as_str().to_owned()),
        state: q.state.map(|s| s.as_str().to_owned()),
        period: q.period,
        district: q.district,
    };
    let page = Page {
        page: q.page,
        per_page: q.per_page,
    };
    Ok(Json(
        store::list(&state.db, &Visibility::of(&caller), &filter, &page).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    /// An earlier round (default: the current one).
    pub round: Option<i64>,
}

/// One self-assessment with the items of the current round, or of an earlier one.
#[utoipa::path(get, path = "/assessments/{id}", tag = "assessments", params(("id" = String, Path), RoundQuery),
    security(("bearer" = [])), responses((status = 200, body = AssessmentView), (status = 404, body = Problem)))]
async fn get_assessment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<RoundQuery>,
) -> ApiResult<Json<AssessmentView>> {
    let row = visible(&state, &caller, &id).await?;
    Ok(Json(view(&state, row, q.round).await?))
}

/// Every state change of a self-assessment: who, when, from, to, and the opinion given.
#[utoipa::path(get, path = "/assessments/{id}/history", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = Problem)))]
async fn state_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    let row = visible(&state, &caller, &id).await?;
    Ok(Json(store::state_history(&state.db, &row.id).await?))
}

/// Deletes a draft or returned self-assessment (seed 000 §2.2); it is kept for the record but
/// no longer listed, and its unsubmitted documents become deletable again.
#[utoipa::path(delete, path = "/assessments/{id}", tag = "assessments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_assessment(
    State(state): State<AppState>,
    caller: Caller,
    audit: AuditContext,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(&[Role::Enterprise])?;
    let row = visible(&state, &caller, &id).await?;
    audit.set_target(format!("assessment:{id}"));
    rules::transition(row.state(), Event::Delete).map_err(not_allowed)?;
    if !store::delete(&state.db, &row, &caller.account_id, state.clock.now_ms()).await? {
        return Err(changed_meanwhile());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Present-but-null and absent told apart: `Some(None)` clears, `None` leaves as is.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemFillBody {
    pub number: String,
    /// 自评得分, between 0 and the item's maximum in steps of 0.1; `null` clears it; absent
    /// leaves it as it is.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>)]
    pub self_score: Option<Option<f64>>,
    pub self_note: Option<String>,
    /// What was rectified (整改说明), when the record came back for rectification.
    pub rectification_note: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveItemsBody {
    pub items: Vec<ItemFillBody>,
}

const NOTE_MAX: usize = 1000;

fn check_fill(invalid: &mut Invalid, template: &Template, i: usize, fill: &ItemFillBody) {
    let at = |field: &str| format!("items[{i}].{field}");
    let Some(item) = template.item(&fill.number) else {
        invalid.field(
            &at("number"),
            "assessment.no_such_item",
            "模板中没有此编号的考核项",
            "The template has no item with this number",
        );
        return;
    };
    if let Some(Some(score)) = fill.self_score {
        match (item.max_score, item.kind) {
            (Some(max), ItemKind::Scored) => check_item_score(invalid, &at("self_score"), &item.number, score, max),
            _ => invalid.field(
                &at("self_score"),
                "assessment.item_not_scored",
                format!("第 {} 项不计分", item.number),
                format!("Item {} is not scored", item.number),
            ),
        }
    }
    for (field, text) in [
        ("self_note", &fill.self_note),
        ("rectification_note", &fill.rectification_note),
    ] {
        if text.as_ref().is_some_and(|t| t.chars().count() > NOTE_MAX) {
            invalid.field(
                &at(field),
                "text.too_long",
                format!("最多 {NOTE_MAX} 字"),
                format!("At most {NOTE_MAX} characters"),
            );
        }
    }
}

/// Saves self-scores and notes of some items; a draft can be saved any number of times.
#[utoipa::path(put, path = "/assessments/{id}/items", tag = "assessments", params(("id" = String, Path)),
    request_body = SaveItemsBody, security(("bearer" = [])),
    responses((status = 200, body = AssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn save_items(
    State(state): State<AppState>,
    caller: Caller,
    audit: AuditContext,
    Path(id): Path<String>,
    Json(body): Json<SaveItemsBody>,
) -> ApiResult<Json<AssessmentView>> {
    let (row, template) = editable(&state, &caller, &id).await?;
    audit.set_target(format!("assessment:{id}"));
    let mut invalid = Invalid::default();
    for (i, fill) in body.items.iter().enumerate() {
        check_fill(&mut invalid, &template, i, fill);
    }
    invalid.finish()?;
    let mut tx = store::begin_edit(&state.db, &row, state.clock.now_ms())
        .await?
        .ok_or_else(changed_meanwhile)?;
    for fill in &body.items {
        let trim = |t: &Option<String>| t.as_deref().map(str::trim).map(str::to_owned);
        store::save_item(
            &mut tx,
            &row,
            &fill.number,
            fill.self_score,
            trim(&fill.self_note).as_deref(),
            trim(&fill.rectification_note).as_deref(),
        )
        .await?;
    }
    tx.commit().await?;
    let row = visible(&state, &caller, &id).await?;
    Ok(Json(view(&state, row, None).await?))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum DocumentRole {
    /// 证明材料
    #[default]
    Evidence,
    /// 整改材料: only while the record is back for rectification.
    Rectification,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachBody {
    /// A completed upload of purpose `material_scan` (PDF).
    pub document_id: String,
    #[serde(default)]
    pub role: DocumentRole,
    /// For attachment lists: which named attachment this document is.
    pub slot: Option<String>,
}

/// The caller's completed PDF scan, free or already this record's; with `fresh`, one never
/// submitted (rectification material must be new, not last round's evidence). Refusals name
/// `field`.
async fn own_scan(
    state: &AppState,
    caller: &Caller,
    row: &AssessmentRow,
    id: &str,
    field: &str,
    fresh: bool,
) -> ApiResult<()> {
    let doc = crate::documents::store::get(&state.db, id, &crate::documents::store::Visibility::of(caller)).await?;
    let usable = doc.is_some_and(|d| {
        d.attachable_to(Purpose::MaterialScan, &row.id) && (!fresh || d.state() == DocState::Available)
    });
    let mut invalid = Invalid::default();
    if !usable {
        document_unusable(&mut invalid, field, Purpose::MaterialScan);
    }
    invalid.finish()
}

/// Attaches evidence (or, when back for rectification, rectification material) to an item.
#[utoipa::path(post, path = "/assessments/{id}/items/{number}/documents", tag = "assessments",
    params(("id" = String, Path), ("number" = String, Path)), request_body = AttachBody, security(("bearer" = [])),
    responses((status = 201, body = AssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn attach_document(
    State(state): State<AppState>,
    caller: Caller,
    audit: AuditContext,
    Path((id, number)): Path<(String, String)>,
    Json(body): Json<AttachBody>,
) -> ApiResult<(StatusCode, Json<AssessmentView>)> {
    let (row, template) = editable(&state, &caller, &id).await?;
    let item = item_of(&template, &number)?;
    audit.set_target(format!("assessment:{id}"));
    let slot = body.slot.as_deref().map(str::trim).unwrap_or("");
    let mut invalid = Invalid::default();
    if body.role == DocumentRole::Rectification && row.return_reason.as_deref() != Some("rectification") {
        invalid.field(
            "role",
            "assessment.not_rectifying",
            "只有退回整改的考核才能上传整改材料",
            "Rectification material is added only when the record is back for rectification",
        );
    }
    let slot_ok = match (item.kind, body.role) {
        (ItemKind::Attachments, DocumentRole::Evidence) => item.slots.iter().any(|s| s == slot),
        (ItemKind::People, DocumentRole::Evidence) => false,
        _ => slot.is_empty(),
    };
    if !slot_ok {
        invalid.field(
            "slot",
            "assessment.slot_invalid",
            "附件列表须指明附件名称；人员列表请逐人填报；其他项不填 slot",
            "Attachment lists name the attachment; people lists take people; other items take no slot",
        );
    }
    invalid.finish()?;
    let fresh = body.role == DocumentRole::Rectification;
    own_scan(&state, &caller, &row, &body.document_id, "document_id", fresh).await?;
    let now = state.clock.now_ms();
    let mut tx = store::begin_edit(&state.db, &row, now)
        .await?
        .ok_or_else(changed_meanwhile)?;
    let role = match body.role {
        DocumentRole::Evidence => "evidence",
        DocumentRole::Rectification => "rectification",
    };
    let link = store::Link {
        number: &number,
        document: &body.document_id,
        role,
        slot,
    };
    if !store::link_document(&mut tx, &row, &link, &caller.account_id, now).await? {
        return Err(ApiError::conflict(
            "assessment.document_already_attached",
            "该文件已附在此考核项上",
            "This document is already attached to the item",
        ));
    }
    tx.commit().await?;
    let row = visible(&state, &caller, &id).await?;
    Ok((StatusCode::CREATED, Json(view(&state, row, None).await?)))
}

/// Removes a document from an item of the editable round. Documents an earlier, submitted
/// round used stay with that round.
#[utoipa::path(delete, path = "/assessments/{id}/items/{number}/documents/{document_id}", tag = "assessments",
    params(("id" = String, Path), ("number" = String, Path), ("document_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn detach_document(
    State(state): State<AppState>,
    caller: Caller,
    audit: AuditContext,
    Path((id, number, document_id)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let (row, _) = editable(&state, &caller, &id).await?;
    audit.set_target(format!("assessment:{id}"));
    let mut tx = store::begin_edit(&state.db, &row, state.clock.now_ms())
        .await?
        .ok_or_else(changed_meanwhile)?;
    if !store::unlink_document(&mut tx, &row, &number, &document_id).await? {
        return Err(ApiError::not_found("该考核项的附件", "Attachment of this item"));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    pub role: PersonRole,
    #[schema(value_type = String, example = "张三")]
    pub name: Name<50>,
    #[schema(value_type = String, example = "11010519491231002X")]
    pub id_number: IdNumber,
    /// 职务
    #[schema(value_type = String, example = "总经理")]
    pub position: Name<50>,
    /// e.g. 安全生产考核合格证书（A 类）, 特种作业操作资格证书
    #[schema(value_type = String)]
    pub certificate_name: Name<100>,
    #[schema(value_type = String)]
    pub certificate_number: Name<50>,
    #[schema(value_type = Option<String>, example = "2028-06-30")]
    pub certificate_valid_until: Option<Date>,
    /// The certificate scan: a completed upload of purpose `material_scan` (PDF).
    pub scan_document_id: String,
}

/// Adds a person with their certificate to a people list (Jinan licence assessment, item 09).
#[utoipa::path(post, path = "/assessments/{id}/items/{number}/people", tag = "assessments",
    params(("id" = String, Path), ("number" = String, Path)), request_body = PersonBody, security(("bearer" = [])),
    responses((status = 201, body = AssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn add_person(
    State(state): State<AppState>,
    caller: Caller,
    audit: AuditContext,
    Path((id, number)): Path<(String, String)>,
    Json(body): Json<PersonBody>,
) -> ApiResult<(StatusCode, Json<AssessmentView>)> {
    let (row, template) = editable(&state, &caller, &id).await?;
    let item = item_of(&template, &number)?;
    audit.set_target(format!("assessment:{id}"));
    if item.kind != ItemKind::People || !item.slots.iter().any(|s| s == body.role.as_str()) {
        let mut invalid = Invalid::default();
        invalid.field(
            "role",
            "assessment.role_not_listed",
            "该考核项不填报此类人员",
            "This item does not list people of this role",
        );
        invalid.finish()?;
    }
    own_scan(&state, &caller, &row, &body.scan_document_id, "scan_document_id", false).await?;
    let sealed = state.keys.seal(
        &format!("assessment:{}:id_number", row.id),
        body.id_number.as_str().as_bytes(),
    );
    let valid_until = body.certificate_valid_until.map(|d| d.to_string());
    let person = store::NewPerson {
        number: &number,
        role: body.role.as_str(),
        name: body.name.as_str(),
        id_number_sealed: &sealed,
        id_number_masked: &body.id_number.masked(),
        position: body.position.as_str(),
        certificate_name: body.certificate_name.as_str(),
        certificate_number: body.certificate_number.as_str(),
        certificate_valid_until: valid_until.as_deref(),
        scan_document_id: &body.scan_document_id,
    };
    let now = state.clock.now_ms();
    let mut tx = store::begin_edit(&state.db, &row, now)
        .await?
        .ok_or_else(changed_meanwhile)?;
    store::add_person(&mut tx, &row, &person, now).await?;
    tx.commit().await?;
    let row = visible(&state, &caller, &id).await?;
    Ok((StatusCode::CREATED, Json(view(&state, row, None).await?)))
}

/// Removes a person from a people list of the editable round.
#[utoipa::path(delete, path = "/assessments/{id}/items/{number}/people/{person_id}", tag = "assessments",
    params(("id" = String, Path), ("number" = String, Path), ("person_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn remove_person(
    State(state): State<AppState>,
    caller: Caller,
    audit: AuditContext,
    Path((id, number, person_id)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let (row, _) = editable(&state, &caller, &id).await?;
    audit.set_target(format!("assessment:{id}"));
    let mut tx = store::begin_edit(&state.db, &row, state.clock.now_ms())
        .await?
        .ok_or_else(changed_meanwhile)?;
    if !store::remove_person(&mut tx, &row, &number, &person_id).await? {
        return Err(ApiError::not_found("人员", "Person"));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// 提交意见
    #[schema(value_type = String, example = "已按要求自评，请审核")]
    pub opinion: Name<500>,
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
async fn gaps(tx: &mut store::Tx<'_>, row: &AssessmentRow, template: &Template) -> ApiResult<Vec<(String, Gap)>> {
    let fills = store::items(&mut **tx, &row.id, row.round).await?;
    let documents = store::documents(&mut **tx, &row.id, row.round).await?;
    let people = store::people(&mut **tx, &row.id, row.round).await?;
    let previous = if row.return_reason.as_deref() == Some("rectification") {
        store::items(&mut **tx, &row.id, row.round - 1).await?
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
    audit: AuditContext,
    Path(id): Path<String>,
    Json(body): Json<SubmitBody>,
) -> ApiResult<Json<AssessmentView>> {
    caller.require(&[Role::Enterprise])?;
    let row = visible(&state, &caller, &id).await?;
    audit.set_target(format!("assessment:{id}"));
    rules::transition(row.state(), Event::Submit).map_err(not_allowed)?;
    let template = template_of(&state, &row).await?;
    let now = state.clock.now_ms();
    // The checks and the submission happen while the record is held, so that no edit slips
    // between them.
    let mut tx = store::begin_edit(&state.db, &row, now)
        .await?
        .ok_or_else(changed_meanwhile)?;
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
                crate::error::Message::new(zh, en),
            );
        }
        return Err(error);
    }
    if !store::submit(&mut tx, &row, body.opinion.as_str(), &caller.account_id, now).await? {
        return Err(changed_meanwhile());
    }
    tx.commit().await?;
    let row = visible(&state, &caller, &id).await?;
    Ok(Json(view(&state, row, None).await?))
}
