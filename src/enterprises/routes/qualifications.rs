//! Qualification certificates (资质证书) of the enterprise, and the documents of its profile:
//! the business licence and the enterprise video.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{current_view, text, visible};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::documents::rules::{DocState, Purpose};
use crate::enterprises::store::{self, Change, EnterpriseView, QualificationView, Value};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{DocumentId, EnterpriseId, QualificationId};
use crate::platform::types::{blank_as_none, Date, Text};
use crate::platform::web::Json;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQualification {
    #[schema(value_type = String, example = "建筑工程施工总承包")]
    pub category: Text<100>,
    #[schema(value_type = String, example = "一级")]
    pub grade: Text<20>,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[schema(value_type = Option<String>)]
    pub certificate_number: Option<Text<50>>,
    /// The certificate's issue date; first-time verification must start within ten months of it.
    #[schema(value_type = String, example = "2026-03-01")]
    pub issued_on: Date,
}

/// Records a qualification certificate (资质证书) of the enterprise.
#[utoipa::path(post, path = "/enterprises/{id}/qualifications", tag = "enterprises", params(("id" = String, Path)),
    request_body = NewQualification, security(("bearer" = [])),
    responses((status = 201, body = QualificationView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn add_qualification(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EnterpriseId>,
    Json(body): Json<NewQualification>,
) -> ApiResult<(StatusCode, Json<QualificationView>)> {
    let view = add(&state, &caller, &act, &id, &body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Records a qualification (the API's `POST` and the enterprise portal).
pub async fn add(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &EnterpriseId,
    body: &NewQualification,
) -> ApiResult<QualificationView> {
    caller.require(&[Role::Enterprise, Role::City, Role::District, Role::Sysadmin])?;
    visible(state, caller, id).await?;
    act.set_target(format!("enterprise:{id}"));
    // A certificate dated ahead would push its verification deadline into the future.
    if body.issued_on > Date::today_in_china(state.clock.now_ms()) {
        let mut invalid = Invalid::default();
        invalid.field(
            "issued_on",
            "enterprise.qualification_issued_in_future",
            "资质证书发证日期不能晚于今天",
            "The certificate's issue date cannot be later than today",
        );
        invalid.finish()?;
    }
    let issued_on = body.issued_on.to_string();
    let new = store::NewQualification {
        category: body.category.as_str(),
        grade: body.grade.as_str(),
        certificate_number: body.certificate_number.as_ref().map(Text::as_str),
        issued_on: &issued_on,
    };
    let (by, role, now) = (&caller.account_id, caller.role.as_str(), state.clock.now_ms());
    let mut tx = act.begin().await?;
    let qualification = store::add_qualification(&mut *tx, id, &new, by, role, now).await?;
    let view = store::qualifications(&mut *tx, id)
        .await?
        .into_iter()
        .find(|q| q.id == qualification)
        .ok_or_else(|| ApiError::internal("qualification vanished"))?;
    act.commit(tx, format!("enterprise:{id}")).await?;
    Ok(view)
}

/// Removes a qualification certificate (kept in the history).
#[utoipa::path(delete, path = "/enterprises/{id}/qualifications/{qualification_id}", tag = "enterprises",
    params(("id" = String, Path), ("qualification_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
pub(super) async fn remove_qualification(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((id, qualification_id)): Path<(EnterpriseId, QualificationId)>,
) -> ApiResult<StatusCode> {
    remove(&state, &caller, &act, &id, &qualification_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a qualification (the API's `DELETE` and the enterprise portal).
pub async fn remove(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &EnterpriseId,
    qualification_id: &QualificationId,
) -> ApiResult<()> {
    caller.require(&[Role::Enterprise, Role::City, Role::District, Role::Sysadmin])?;
    visible(state, caller, id).await?;
    act.set_target(format!("enterprise:{id}"));
    let (by, role, now) = (&caller.account_id, caller.role.as_str(), state.clock.now_ms());
    let mut tx = act.begin().await?;
    if !store::remove_qualification(&mut *tx, id, qualification_id, by, role, now).await? {
        return Err(ApiError::not_found("资质证书", "Qualification"));
    }
    act.commit(tx, format!("enterprise:{id}")).await?;
    Ok(())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentChoice {
    #[schema(value_type = String)]
    pub document_id: DocumentId,
}

/// Puts one of the enterprise's own documents in a profile slot: locks the new one, releases
/// the old one, and records the change (the API's `PUT`s and the enterprise portal's uploads).
pub async fn set_document(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &EnterpriseId,
    purpose: Purpose,
    document_id: &DocumentId,
) -> ApiResult<EnterpriseView> {
    let column = match purpose {
        Purpose::BusinessLicence => "business_licence_document_id",
        Purpose::EnterpriseVideo => "video_document_id",
        _ => return Err(ApiError::internal("no profile slot for this purpose")),
    };
    caller.require(&[Role::Enterprise])?;
    let row = visible(state, caller, id).await?;
    let doc = crate::documents::visible(&state.db, document_id, &caller.bounds()).await?;
    if !doc.is_some_and(|d| d.purpose() == Some(purpose) && d.state() == DocState::Available) {
        let mut invalid = Invalid::default();
        invalid.field(
            "document_id",
            "enterprise.document_invalid",
            format!("请先上传用途为 {} 的文件", purpose.as_str()),
            format!("Upload a document of purpose {} first", purpose.as_str()),
        );
        invalid.finish()?;
    }
    let old = if column == "business_licence_document_id" {
        row.business_licence_document_id.clone()
    } else {
        row.video_document_id.clone()
    };
    let change = Change {
        column,
        old: Value::Text(old.clone().map(String::from)),
        new: text(document_id.as_str()),
    };
    let mut tx = act.begin().await?;
    store::apply(
        &mut *tx,
        &state.keys,
        id,
        &[change],
        &caller.account_id,
        caller.role.as_str(),
        state.clock.now_ms(),
    )
    .await?;
    crate::documents::attach(&mut *tx, document_id, "enterprise_profile", id).await?;
    if let Some(old) = old.filter(|o| o != document_id) {
        crate::documents::release(&mut *tx, &old, "enterprise_profile", id).await?;
    }
    let view = current_view(&mut *tx, id).await?;
    act.commit(tx, format!("enterprise:{id}")).await?;
    Ok(view)
}

/// Sets the business licence (营业执照) from an uploaded document (PDF or image).
#[utoipa::path(put, path = "/enterprises/{id}/business-licence", tag = "enterprises", params(("id" = String, Path)),
    request_body = DocumentChoice, security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn set_business_licence(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EnterpriseId>,
    Json(body): Json<DocumentChoice>,
) -> ApiResult<Json<EnterpriseView>> {
    act.set_target(format!("enterprise:{id}"));
    set_document(&state, &caller, &act, &id, Purpose::BusinessLicence, &body.document_id)
        .await
        .map(Json)
}

/// Sets the enterprise video (企业视频) from an uploaded MP4 or QuickTime document.
#[utoipa::path(put, path = "/enterprises/{id}/video", tag = "enterprises", params(("id" = String, Path)),
    request_body = DocumentChoice, security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn set_video(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EnterpriseId>,
    Json(body): Json<DocumentChoice>,
) -> ApiResult<Json<EnterpriseView>> {
    act.set_target(format!("enterprise:{id}"));
    set_document(&state, &caller, &act, &id, Purpose::EnterpriseVideo, &body.document_id)
        .await
        .map(Json)
}
