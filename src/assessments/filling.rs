//! The enterprise fills a self-assessment item by item while it is editable: self-scores and
//! notes (saved as often as needed), evidence and rectification documents, people with their
//! certificates. Each change holds the record first, so that it cannot slip between the checks
//! of a submission and the submission itself.

use crate::openapi::register::routes;
use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::routes::{begin_edit, editable, item_of, reread, AssessmentView};
use super::rules::{ItemKind, PersonRole};
use super::store::{self, AssessmentRow};
use super::templates::Template;
use super::{check_item_score, document_unusable};
use crate::audit::Act;
use crate::auth::Caller;
use crate::documents::rules::{DocState, Purpose};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{AssessmentId, DocumentId};
use crate::platform::types::{blank_as_none, Date, IdNumber, Text, MULTILINE};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(save_items))
        .routes(routes!(attach_document))
        .routes(routes!(detach_document))
        .routes(routes!(add_person))
        .routes(routes!(remove_person))
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
    #[serde(default, deserialize_with = "blank_as_none")]
    #[schema(value_type = Option<String>)]
    pub self_note: Option<Text<NOTE_MAX, MULTILINE>>,
    /// What was rectified (整改说明), when the record came back for rectification.
    #[serde(default, deserialize_with = "blank_as_none")]
    #[schema(value_type = Option<String>)]
    pub rectification_note: Option<Text<NOTE_MAX, MULTILINE>>,
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
}

/// Saves self-scores and notes of some items; a draft can be saved any number of times.
#[utoipa::path(put, path = "/assessments/{id}/items", tag = "assessments", params(("id" = String, Path)),
    request_body = SaveItemsBody, security(("bearer" = [])),
    responses((status = 200, body = AssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn save_items(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<AssessmentId>,
    Json(body): Json<SaveItemsBody>,
) -> ApiResult<Json<AssessmentView>> {
    Ok(Json(save(&state, &caller, &act, &id, &body).await?))
}

/// Saves self-scores and notes, in `act`: the API's `PUT /assessments/{id}/items` and the
/// enterprise portal's draft form.
pub async fn save(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &AssessmentId,
    body: &SaveItemsBody,
) -> ApiResult<AssessmentView> {
    let (row, template) = editable(state, caller, id).await?;
    act.set_target(format!("assessment:{id}"));
    let mut invalid = Invalid::default();
    for (i, fill) in body.items.iter().enumerate() {
        check_fill(&mut invalid, &template, i, fill);
    }
    invalid.finish()?;
    let mut tx = begin_edit(act, &row, state.clock.now_ms()).await?;
    for fill in &body.items {
        store::save_item(
            &mut *tx,
            &row,
            &fill.number,
            fill.self_score,
            fill.self_note.as_ref().map(Text::as_str),
            fill.rectification_note.as_ref().map(Text::as_str),
        )
        .await?;
    }
    let view = reread(&mut tx, caller, id).await?;
    act.commit(tx, format!("assessment:{id}")).await?;
    Ok(view)
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
    #[schema(value_type = String)]
    pub document_id: DocumentId,
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
    id: &DocumentId,
    field: &str,
    fresh: bool,
) -> ApiResult<()> {
    let doc = crate::documents::visible(&state.db, id, &caller.bounds()).await?;
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
    act: Act,
    Path((id, number)): Path<(AssessmentId, String)>,
    Json(body): Json<AttachBody>,
) -> ApiResult<(StatusCode, Json<AssessmentView>)> {
    let view = attach(&state, &caller, &act, &id, &number, &body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Attaches a document to item `number`, in `act`: the API's `POST .../documents` and the
/// enterprise portal's uploads.
pub async fn attach(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &AssessmentId,
    number: &str,
    body: &AttachBody,
) -> ApiResult<AssessmentView> {
    let (row, template) = editable(state, caller, id).await?;
    let item = item_of(&template, number)?;
    act.set_target(format!("assessment:{id}"));
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
    own_scan(state, caller, &row, &body.document_id, "document_id", fresh).await?;
    let now = state.clock.now_ms();
    let mut tx = begin_edit(act, &row, now).await?;
    let role = match body.role {
        DocumentRole::Evidence => "evidence",
        DocumentRole::Rectification => "rectification",
    };
    let link = store::Link {
        number,
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
    let view = reread(&mut tx, caller, id).await?;
    act.commit(tx, format!("assessment:{id}")).await?;
    Ok(view)
}

/// Removes a document from an item of the editable round. Documents an earlier, submitted
/// round used stay with that round.
#[utoipa::path(delete, path = "/assessments/{id}/items/{number}/documents/{document_id}", tag = "assessments",
    params(("id" = String, Path), ("number" = String, Path), ("document_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn detach_document(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((id, number, document_id)): Path<(AssessmentId, String, DocumentId)>,
) -> ApiResult<StatusCode> {
    detach(&state, &caller, &act, &id, &number, &document_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a document from item `number`, in `act`: the API's `DELETE .../documents/{id}` and
/// the enterprise portal's remove button.
pub async fn detach(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &AssessmentId,
    number: &str,
    document_id: &DocumentId,
) -> ApiResult<()> {
    let (row, _) = editable(state, caller, id).await?;
    act.set_target(format!("assessment:{id}"));
    let mut tx = begin_edit(act, &row, state.clock.now_ms()).await?;
    if !store::unlink_document(&mut tx, &row, number, document_id).await? {
        return Err(ApiError::not_found("该考核项的附件", "Attachment of this item"));
    }
    act.commit(tx, format!("assessment:{id}")).await?;
    Ok(())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    pub role: PersonRole,
    #[schema(value_type = String, example = "张三")]
    pub name: Text<50>,
    #[schema(value_type = String, example = "11010519491231002X")]
    pub id_number: IdNumber,
    /// 职务
    #[schema(value_type = String, example = "总经理")]
    pub position: Text<50>,
    /// e.g. 安全生产考核合格证书（A 类）, 特种作业操作资格证书
    #[schema(value_type = String)]
    pub certificate_name: Text<100>,
    #[schema(value_type = String)]
    pub certificate_number: Text<50>,
    #[schema(value_type = Option<String>, example = "2028-06-30")]
    pub certificate_valid_until: Option<Date>,
    /// The certificate scan: a completed upload of purpose `material_scan` (PDF).
    #[schema(value_type = String)]
    pub scan_document_id: DocumentId,
}

/// Adds a person with their certificate to a people list (Jinan licence assessment, item 09).
#[utoipa::path(post, path = "/assessments/{id}/items/{number}/people", tag = "assessments",
    params(("id" = String, Path), ("number" = String, Path)), request_body = PersonBody, security(("bearer" = [])),
    responses((status = 201, body = AssessmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn add_person(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((id, number)): Path<(AssessmentId, String)>,
    Json(body): Json<PersonBody>,
) -> ApiResult<(StatusCode, Json<AssessmentView>)> {
    let view = add(&state, &caller, &act, &id, &number, &body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Adds a person to the people list of item `number`, in `act`: the API's `POST .../people`
/// and the enterprise portal's people form.
pub async fn add(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &AssessmentId,
    number: &str,
    body: &PersonBody,
) -> ApiResult<AssessmentView> {
    let (row, template) = editable(state, caller, id).await?;
    let item = item_of(&template, number)?;
    act.set_target(format!("assessment:{id}"));
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
    own_scan(state, caller, &row, &body.scan_document_id, "scan_document_id", false).await?;
    let sealed = state.keys.seal(
        &format!("assessment:{}:id_number", row.id),
        body.id_number.as_str().as_bytes(),
    );
    let name_sealed = state
        .keys
        .seal(&format!("assessment:{}:name", row.id), body.name.as_str().as_bytes());
    let valid_until = body.certificate_valid_until.map(|d| d.to_string());
    let person = store::NewPerson {
        number,
        role: body.role.as_str(),
        name_sealed: &name_sealed,
        name_masked: &crate::platform::types::mask_name(body.name.as_str()),
        id_number_sealed: &sealed,
        id_number_masked: &body.id_number.masked(),
        position: body.position.as_str(),
        certificate_name: body.certificate_name.as_str(),
        certificate_number: body.certificate_number.as_str(),
        certificate_valid_until: valid_until.as_deref(),
        scan_document_id: &body.scan_document_id,
    };
    let now = state.clock.now_ms();
    let mut tx = begin_edit(act, &row, now).await?;
    store::add_person(&mut tx, &row, &person, now).await?;
    let view = reread(&mut tx, caller, id).await?;
    act.commit(tx, format!("assessment:{id}")).await?;
    Ok(view)
}

/// Removes a person from a people list of the editable round.
#[utoipa::path(delete, path = "/assessments/{id}/items/{number}/people/{person_id}", tag = "assessments",
    params(("id" = String, Path), ("number" = String, Path), ("person_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn remove_person(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((id, number, person_id)): Path<(AssessmentId, String, String)>,
) -> ApiResult<StatusCode> {
    remove(&state, &caller, &act, &id, &number, &person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a person from the people list of item `number`, in `act`: the API's
/// `DELETE .../people/{id}` and the enterprise portal's remove button.
pub async fn remove(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &AssessmentId,
    number: &str,
    person_id: &str,
) -> ApiResult<()> {
    let (row, _) = editable(state, caller, id).await?;
    act.set_target(format!("assessment:{id}"));
    let mut tx = begin_edit(act, &row, state.clock.now_ms()).await?;
    if !store::remove_person(&mut tx, &row, number, person_id).await? {
        return Err(ApiError::not_found("人员", "Person"));
    }
    act.commit(tx, format!("assessment:{id}")).await?;
    Ok(())
}
