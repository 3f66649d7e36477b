//! A person's services on their certificates (我的证书 → 业务办理): which services a certificate
//! can take now and why not, and the applications for each — employer change, cancellation,
//! renewal, correction — and the supplement of a certificate not on record.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{checked_scan, created, own_person, prepare, shown, submit_for, Prepared, ServiceBar};
use crate::applications::kinds::{ApplicationKind, CancellationReason};
use crate::applications::rules::{self, Confirmation};
use crate::applications::view::{ApplicationWithHistory, CertificateData, Detail};
use crate::audit::Act;
use crate::auth::Caller;
use crate::certificates::changes::{self, Correction};
use crate::certificates::kinds::{parse_category, Kind};
use crate::platform::error::{ApiError, ApiResult, Invalid, Lang, Problem};
use crate::platform::ids::{CertificateId, DocumentId};
use crate::platform::types::{Date, Text};
use crate::platform::web::Json;
use crate::state::AppState;

/// Whether a service can be applied for now, and every condition it fails.
#[derive(Serialize, ToSchema)]
pub struct ServiceCheck {
    pub service: ApplicationKind,
    pub available: bool,
    pub bars: Vec<ServiceBar>,
}

/// The services of a certificate, each checked now (系统自动检测办理条件).
#[utoipa::path(get, path = "/people/me/certificates/{id}/services", tag = "applications", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ServiceCheck>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn certificate_services(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<CertificateId>,
) -> ApiResult<Json<Vec<ServiceCheck>>> {
    let person = own_person(&caller)?;
    let lang = Lang::from_headers(&headers);
    let mut conn = state.db.acquire().await?;
    let mut checks = Vec::new();
    for kind in [
        ApplicationKind::EmployerChange,
        ApplicationKind::Cancellation,
        ApplicationKind::Renewal,
        ApplicationKind::Correction,
    ] {
        let Prepared { facts, .. } = prepare(&mut conn, &state, person, Some(&id), kind).await?;
        let bars = rules::bars(
            kind,
            &facts,
            Confirmation::ByEnterprise,
            super::limits(&state),
            super::today(&state),
        );
        checks.push(ServiceCheck {
            service: kind,
            available: bars.is_empty(),
            bars: bars.into_iter().map(|bar| shown(bar, lang)).collect(),
        });
    }
    Ok(Json(checks))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployerChangeBody {
    /// The certificate's enterprise cannot confirm (closed, data missing): correct the
    /// enterprise with proof, checked at the desk (企业信息纠错).
    #[serde(default)]
    pub at_the_desk: bool,
    /// The proof (an upload of purpose `application_scan`); required at the desk.
    #[schema(value_type = Option<String>)]
    pub proof_document_id: Option<DocumentId>,
}

/// Applies to move the certificate to the current employer (执业企业变更): the certificate's
/// enterprise confirms, then the authority reviews; or, when that enterprise cannot confirm,
/// the proof is checked at the desk.
#[utoipa::path(post, path = "/people/me/certificates/{id}/employer-change", tag = "applications", params(("id" = String, Path)),
    request_body = EmployerChangeBody, security(("bearer" = [])),
    responses((status = 201, body = ApplicationWithHistory), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(super) async fn apply_employer_change(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<CertificateId>,
    Json(body): Json<EmployerChangeBody>,
) -> ApiResult<(StatusCode, Json<ApplicationWithHistory>)> {
    let person = own_person(&caller)?;
    let confirmation = if body.at_the_desk {
        Confirmation::AtTheDesk
    } else {
        Confirmation::ByEnterprise
    };
    let mut tx = act.begin().await?;
    let proof = match (body.at_the_desk, &body.proof_document_id) {
        (true, None) => return Err(super::scan_required("proof_document_id")),
        (_, Some(doc)) => Some(checked_scan(&mut tx, &caller, doc, "proof_document_id").await?),
        (false, None) => None,
    };
    let prepared = prepare(&mut tx, &state, person, Some(&id), ApplicationKind::EmployerChange).await?;
    let detail = Detail {
        at_the_desk: body.at_the_desk,
        from_enterprise_name: prepared.certificate.as_ref().map(|c| c.enterprise_name.clone()),
        ..Detail::default()
    };
    let row = submit_for(&mut tx, &state, &caller, prepared, confirmation, detail, proof.as_ref()).await?;
    created(act, tx, row).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancellationBody {
    pub reason: CancellationReason,
    /// The holder read and accepts the commitment (阅读并勾选确认承诺内容).
    pub commitment_accepted: bool,
}

/// 422 unless the applicant read and accepted the commitment (阅读并勾选确认承诺内容).
fn require_commitment(accepted: bool) -> ApiResult<()> {
    if accepted {
        return Ok(());
    }
    Err(ApiError::validation(vec![]).with_field(
        "commitment_accepted",
        "application.commitment_required",
        crate::platform::error::Message::new("请阅读并勾选承诺内容", "Read and accept the commitment"),
    ))
}

/// Applies to cancel the certificate (注销): the employer confirms, the city approves, and the
/// cancellation is published.
#[utoipa::path(post, path = "/people/me/certificates/{id}/cancellation", tag = "applications", params(("id" = String, Path)),
    request_body = CancellationBody, security(("bearer" = [])),
    responses((status = 201, body = ApplicationWithHistory), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(super) async fn apply_cancellation(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<CertificateId>,
    Json(body): Json<CancellationBody>,
) -> ApiResult<(StatusCode, Json<ApplicationWithHistory>)> {
    let person = own_person(&caller)?;
    require_commitment(body.commitment_accepted)?;
    let mut tx = act.begin().await?;
    let prepared = prepare(&mut tx, &state, person, Some(&id), ApplicationKind::Cancellation).await?;
    let detail = Detail {
        reason: Some(body.reason),
        ..Detail::default()
    };
    let row = submit_for(
        &mut tx,
        &state,
        &caller,
        prepared,
        Confirmation::ByEnterprise,
        detail,
        None,
    )
    .await?;
    created(act, tx, row).await
}

/// Applies to renew the certificate (延续) with the continuing education on record: the
/// employer confirms, the district accepts, the city approves.
#[utoipa::path(post, path = "/people/me/certificates/{id}/renewal", tag = "applications", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 201, body = ApplicationWithHistory), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(super) async fn apply_renewal(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<CertificateId>,
) -> ApiResult<(StatusCode, Json<ApplicationWithHistory>)> {
    let person = own_person(&caller)?;
    let mut tx = act.begin().await?;
    let prepared = prepare(&mut tx, &state, person, Some(&id), ApplicationKind::Renewal).await?;
    let row = submit_for(
        &mut tx,
        &state,
        &caller,
        prepared,
        Confirmation::ByEnterprise,
        Detail::default(),
        None,
    )
    .await?;
    created(act, tx, row).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionBody {
    /// The special-operations category as on the original (code or label).
    #[schema(value_type = Option<String>)]
    pub category: Option<Text<60>>,
    #[schema(value_type = Option<String>)]
    pub number: Option<Text<40>>,
    #[schema(value_type = Option<String>, example = "2024-03-01")]
    pub issued_on: Option<Date>,
    #[schema(value_type = Option<String>, example = "2027-02-28")]
    pub expires_on: Option<Date>,
    /// The scan of the original certificate (an upload of purpose `application_scan`).
    #[schema(value_type = String)]
    pub scan_document_id: DocumentId,
    pub commitment_accepted: bool,
}

/// What a correction changes, checked against the certificate: field errors for values that
/// are not right, and a 422 when nothing differs.
fn correction_of(body: &CorrectionBody, before: &changes::Snapshot) -> ApiResult<Correction> {
    let mut invalid = Invalid::default();
    let category = match &body.category {
        Some(raw) if before.kind == Kind::Special => match parse_category(raw.as_str()) {
            Some(code) => Some(code.to_owned()),
            None => {
                invalid.field(
                    "category",
                    "certificate.category_invalid",
                    "操作类别须为列表中的类别之一",
                    "The category is one of the listed operation categories",
                );
                None
            }
        },
        Some(_) => {
            invalid.field(
                "category",
                "certificate.category_invalid",
                "安管人员证书没有操作类别",
                "Safety-management certificates have no operation category",
            );
            None
        }
        None => None,
    };
    let dates = (
        body.issued_on.map_or(before.issued_on.clone(), |d| d.to_string()),
        body.expires_on.map_or(before.expires_on.clone(), |d| d.to_string()),
    );
    if dates.0 >= dates.1 {
        invalid.field(
            "expires_on",
            "certificate.validity_invalid",
            "有效期截止日须晚于发证日期",
            "The expiry must be after the issue date",
        );
    }
    invalid.finish()?;
    let changed = |new: Option<String>, old: &str| new.filter(|n| n != old);
    let correction = Correction {
        category: changed(category, &before.category),
        number: changed(body.number.as_ref().map(|n| n.as_str().to_owned()), &before.number),
        issued_on: changed(body.issued_on.map(|d| d.to_string()), &before.issued_on),
        expires_on: changed(body.expires_on.map(|d| d.to_string()), &before.expires_on),
    };
    if correction.category.is_none()
        && correction.number.is_none()
        && correction.issued_on.is_none()
        && correction.expires_on.is_none()
    {
        return Err(ApiError::validation(vec![]).with_field(
            "number",
            "application.nothing_corrected",
            crate::platform::error::Message::new("纠错内容与证书现有信息相同", "Nothing differs from the certificate"),
        ));
    }
    Ok(correction)
}

/// Applies to correct wrong data of the certificate (纠错), with a scan of the original; the
/// holder brings the original to the district's desk.
#[utoipa::path(post, path = "/people/me/certificates/{id}/correction", tag = "applications", params(("id" = String, Path)),
    request_body = CorrectionBody, security(("bearer" = [])),
    responses((status = 201, body = ApplicationWithHistory), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(super) async fn apply_correction(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<CertificateId>,
    Json(body): Json<CorrectionBody>,
) -> ApiResult<(StatusCode, Json<ApplicationWithHistory>)> {
    let person = own_person(&caller)?;
    require_commitment(body.commitment_accepted)?;
    let mut tx = act.begin().await?;
    let scan = checked_scan(&mut tx, &caller, &body.scan_document_id, "scan_document_id").await?;
    let prepared = prepare(&mut tx, &state, person, Some(&id), ApplicationKind::Correction).await?;
    let before = prepared
        .certificate
        .clone()
        .ok_or_else(|| ApiError::internal("a correction without its certificate"))?;
    let detail = Detail {
        correction: Some(correction_of(&body, &before)?),
        ..Detail::default()
    };
    let row = submit_for(
        &mut tx,
        &state,
        &caller,
        prepared,
        Confirmation::ByEnterprise,
        detail,
        Some(&scan),
    )
    .await?;
    created(act, tx, row).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplementBody {
    pub kind: Kind,
    /// The special-operations category (code or label); none for safety-management ones.
    #[schema(value_type = Option<String>)]
    pub category: Option<Text<60>>,
    #[schema(value_type = String)]
    pub number: Text<40>,
    #[schema(value_type = String, example = "2024-03-01")]
    pub issued_on: Date,
    #[schema(value_type = String, example = "2027-02-28")]
    pub expires_on: Date,
    /// The scan of the original certificate (an upload of purpose `application_scan`).
    #[schema(value_type = String)]
    pub scan_document_id: DocumentId,
    pub commitment_accepted: bool,
}

/// The certificate a supplement enters, checked.
fn supplement_of(body: &SupplementBody) -> ApiResult<CertificateData> {
    let mut invalid = Invalid::default();
    let category = match (body.kind, &body.category) {
        (Kind::Special, Some(raw)) => parse_category(raw.as_str()),
        (Kind::Special, None) | (_, Some(_)) => None,
        (_, None) => Some(""),
    };
    if category.is_none() {
        invalid.field(
            "category",
            "certificate.category_invalid",
            "特种作业证书须填写列表中的操作类别，安管人员证书不填",
            "A special-operations certificate needs a listed category; a safety-management one has none",
        );
    }
    if body.issued_on >= body.expires_on {
        invalid.field(
            "expires_on",
            "certificate.validity_invalid",
            "有效期截止日须晚于发证日期",
            "The expiry must be after the issue date",
        );
    }
    invalid.finish()?;
    Ok(CertificateData {
        kind: body.kind,
        category: category.unwrap_or_default().to_owned(),
        number: Some(body.number.as_str().to_owned()),
        issued_on: Some(body.issued_on.to_string()),
        expires_on: Some(body.expires_on.to_string()),
    })
}

/// Applies to enter a paper certificate that is not on record (补录), with a scan of it; the
/// holder brings the original to the district's desk, and an approval archives it (新增归档).
#[utoipa::path(post, path = "/people/me/certificate-supplements", tag = "applications",
    request_body = SupplementBody, security(("bearer" = [])),
    responses((status = 201, body = ApplicationWithHistory), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn apply_supplement(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<SupplementBody>,
) -> ApiResult<(StatusCode, Json<ApplicationWithHistory>)> {
    let person = own_person(&caller)?;
    require_commitment(body.commitment_accepted)?;
    let data = supplement_of(&body)?;
    let mut tx = act.begin().await?;
    let scan = checked_scan(&mut tx, &caller, &body.scan_document_id, "scan_document_id").await?;
    let mut prepared = prepare(&mut tx, &state, person, None, ApplicationKind::Supplement).await?;
    prepared.facts.number_on_record = changes::number_on_record(&mut *tx, data.kind, body.number.as_str()).await?;
    let detail = Detail {
        certificate: Some(data),
        ..Detail::default()
    };
    let row = submit_for(
        &mut tx,
        &state,
        &caller,
        prepared,
        Confirmation::ByEnterprise,
        detail,
        Some(&scan),
    )
    .await?;
    created(act, tx, row).await
}
