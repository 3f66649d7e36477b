//! Employees' registration certificates (注册证) and professional titles (职称), each with its
//! scan.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::own_active_relation;
use crate::audit::Act;
use crate::auth::Caller;
use crate::documents::rules::Purpose;
use crate::employment::store::{self, CertificateView, NewCertificate};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{DocumentId, EmploymentId, StaffCertificateId};
use crate::platform::types::{blank_as_none, Date, Text};
use crate::platform::web::Json;
use crate::state::AppState;

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// 注册证: type, number and validity required.
    Registration,
    /// 职称: title and specialty required.
    Title,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCertificateBody {
    pub kind: CertificateKind,
    /// Registration type (e.g. 一级注册建造师) or title (e.g. 高级工程师).
    #[schema(value_type = String)]
    pub name: Text<50>,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[schema(value_type = Option<String>)]
    pub number: Option<Text<100>>,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[schema(value_type = Option<String>)]
    pub specialty: Option<Text<100>>,
    #[schema(value_type = Option<String>, example = "2028-06-30")]
    pub valid_until: Option<Date>,
    /// The scan: a document of purpose `certificate_scan` uploaded by the enterprise.
    #[schema(value_type = String)]
    pub document_id: DocumentId,
}

/// Records an employee's registration certificate or professional title with its scan.
#[utoipa::path(post, path = "/employment/relations/{id}/certificates", tag = "employment", params(("id" = String, Path)),
    request_body = NewCertificateBody, security(("bearer" = [])),
    responses((status = 201, body = CertificateView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn add_certificate(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EmploymentId>,
    Json(body): Json<NewCertificateBody>,
) -> ApiResult<(StatusCode, Json<CertificateView>)> {
    Ok((StatusCode::CREATED, Json(add(&state, &caller, act, &id, &body).await?)))
}

/// Records a certificate of one of the enterprise's current employees (also the enterprise
/// portal's verification task page).
pub async fn add(
    state: &AppState,
    caller: &Caller,
    act: Act,
    id: &EmploymentId,
    body: &NewCertificateBody,
) -> ApiResult<CertificateView> {
    let relation = own_active_relation(state, caller, id).await?;
    act.set_target(format!("employment:{id}"));
    let (number, specialty) = (short_text(&body.number), short_text(&body.specialty));
    let mut invalid = Invalid::default();
    match body.kind {
        CertificateKind::Registration => {
            if number.is_none() {
                invalid.field(
                    "number",
                    "certificate.number_required",
                    "注册证须填写证书编号",
                    "A registration certificate needs its number",
                );
            }
            if body.valid_until.is_none() {
                invalid.field(
                    "valid_until",
                    "certificate.validity_required",
                    "注册证须填写有效期",
                    "A registration certificate needs its validity date",
                );
            }
        }
        CertificateKind::Title => {
            if specialty.is_none() {
                invalid.field(
                    "specialty",
                    "certificate.specialty_required",
                    "职称须填写专业",
                    "A professional title needs its specialty",
                );
            }
        }
    }
    let scan = crate::documents::visible(&state.db, &body.document_id, &caller.bounds()).await?;
    match scan {
        Some(doc)
            if doc.purpose() == Some(Purpose::CertificateScan)
                && doc.state() == crate::documents::rules::DocState::Available => {}
        _ => invalid.field(
            "document_id",
            "certificate.scan_invalid",
            "请先上传证书扫描件（用途 certificate_scan）",
            "Upload the certificate scan first (purpose certificate_scan)",
        ),
    }
    invalid.finish()?;
    let new = NewCertificate {
        kind: if body.kind == CertificateKind::Registration {
            "registration"
        } else {
            "title"
        },
        name: body.name.as_str(),
        number,
        specialty,
        valid_until: body.valid_until.map(|d| d.to_string()),
        document_id: &body.document_id,
    };
    let mut tx = act.begin().await?;
    let certificate = store::add_certificate(&mut *tx, &relation, &new, state.clock.now_ms()).await?;
    crate::documents::attach(&mut *tx, &body.document_id, "staff_certificate", &certificate).await?;
    let created = store::certificates(&mut *tx, id)
        .await?
        .into_iter()
        .find(|c| c.id == certificate)
        .ok_or_else(|| ApiError::internal("certificate vanished"))?;
    act.commit(tx, format!("employment:{id}")).await?;
    Ok(created)
}

/// An employee's certificates and titles (the enterprise, the person, or staff in jurisdiction).
#[utoipa::path(get, operation_id = "list_employee_certificates", path = "/employment/relations/{id}/certificates", tag = "employment", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<CertificateView>), (status = 404, body = Problem)))]
pub(super) async fn list_certificates(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EmploymentId>,
) -> ApiResult<Json<Vec<CertificateView>>> {
    Ok(Json(certificates_of(&state, &caller, &id).await?))
}

/// The certificates of an employment within the caller's scope (also the console's review of
/// a selection).
pub async fn certificates_of(state: &AppState, caller: &Caller, id: &EmploymentId) -> ApiResult<Vec<CertificateView>> {
    caller.require_people_access()?;
    store::get_employment(&state.db, id, &caller.bounds())
        .await?
        .ok_or_else(|| ApiError::not_found("聘用关系", "Employment"))?;
    Ok(store::certificates(&state.db, id).await?)
}

/// Removes a certificate; its scan is released (deletable again).
#[utoipa::path(delete, path = "/employment/relations/{id}/certificates/{certificate_id}", tag = "employment",
    params(("id" = String, Path), ("certificate_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
pub(super) async fn remove_certificate(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((id, certificate_id)): Path<(EmploymentId, StaffCertificateId)>,
) -> ApiResult<StatusCode> {
    own_active_relation(&state, &caller, &id).await?;
    act.set_target(format!("staff_certificate:{certificate_id}"));
    let mut tx = act.begin().await?;
    let scan = store::remove_certificate(&mut *tx, &id, &certificate_id)
        .await?
        .ok_or_else(|| ApiError::not_found("证书", "Certificate"))?;
    crate::documents::release(&mut *tx, &scan, "staff_certificate", &certificate_id).await?;
    act.commit(tx, format!("staff_certificate:{certificate_id}")).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An optional short text: trimmed, empty as absent, at most 100 characters.
fn short_text(value: &Option<Text<100>>) -> Option<&str> {
    value.as_ref().map(Text::as_str)
}
