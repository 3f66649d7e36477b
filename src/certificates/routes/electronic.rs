//! The electronic certificate (电子证书) over HTTP: the holder downloads it as a PDF; anyone
//! checks a scanned QR code online, or fetches the public key to check it offline.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{name_hash, not_found, status_of, StatusView};
use crate::auth::{Caller, Role};
use crate::certificates::electronic::{self, CertificateSheet, CertificateSigner, SignedData};
use crate::certificates::kinds::{category_label, Kind};
use crate::certificates::rules::Status;
use crate::certificates::store::{self, CertificateRow};
use crate::documents::rules::Purpose;
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::CertificateId;
use crate::platform::web::{app_url, Json};
use crate::state::AppState;

/// A PDF file's bytes, as the contract describes them (a binary string).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PdfFile(#[allow(dead_code)] Vec<u8>);

/// Who issues, as printed: the authority named in the settings.
fn issuer(state: &AppState) -> &str {
    &state.settings.certificates.issuer
}

/// The title printed on a certificate of `kind`.
fn title(kind: Kind) -> &'static str {
    match kind {
        Kind::Special => "建筑施工特种作业操作资格证书",
        _ => "建筑施工企业安全生产管理人员安全生产考核合格证书",
    }
}

/// The kind as printed: 安管人员 A/B/C, or the special-operations category.
fn kind_label(row: &CertificateRow) -> String {
    match row.kind {
        Kind::SafetyA => "企业主要负责人（A类）".to_owned(),
        Kind::SafetyB => "项目负责人（B类）".to_owned(),
        Kind::SafetyC => "专职安全生产管理人员（C类）".to_owned(),
        Kind::Special => format!("特种作业：{}", category_label(&row.category)),
    }
}

fn signed_data(row: &CertificateRow, holder_name: String) -> SignedData {
    SignedData {
        v: 1,
        n: row.number.clone(),
        k: kind_label(row),
        h: holder_name,
        i: row.holder_id_masked.clone(),
        e: row.enterprise_name.clone(),
        f: row.issued_on.clone(),
        u: row.expires_on.clone(),
    }
}

/// Statuses under which a certificate is a certificate to print.
fn printable(status: &Status) -> bool {
    matches!(status, Status::InUse | Status::NewlyArchived | Status::TransferredIn)
}

/// The holder's electronic certificate, a one-page PDF. Only the holder downloads it (it
/// carries their portrait); a certificate that is not in use gets none.
#[utoipa::path(get, path = "/people/me/certificates/{id}/electronic", tag = "certificates",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = PdfFile, description = "The certificate, A4 landscape"),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 503, body = Problem)))]
pub(super) async fn electronic_certificate(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<CertificateId>,
) -> ApiResult<Response> {
    caller.require(&[Role::Person])?;
    let person = caller.person_id().ok_or_else(ApiError::forbidden_role)?;
    let row = store::get(&state.db, &id, &caller.bounds())
        .await?
        .ok_or_else(not_found)?;
    let status = status_of(&row, state.clock.now_ms())?;
    if !printable(&status) {
        return Err(ApiError::conflict(
            "certificate.not_printable",
            "证书不在正常使用状态，不能出具电子证书",
            "The certificate is not in use; no electronic certificate is issued for it",
        ));
    }
    let identity = crate::people::store::identity(&state.db, person)
        .await?
        .ok_or_else(not_found)?;
    let (_, portrait) = crate::documents::read_own_photo(
        &state,
        &caller,
        &identity.portrait_document_id,
        Purpose::IdPortrait,
        "portrait",
    )
    .await?;
    let data = signed_data(&row, super::holder_name(&row, &state.keys)?);
    let sealed = CertificateSigner::from_keys(&state.keys).seal(&data);
    let qr_text = app_url(
        &state.settings,
        &headers,
        &format!("/api/v1/public/certificates/verify?c={sealed}"),
    );
    let font = electronic::font::cached(&state.settings.models_dir()).map_err(|error| {
        tracing::error!(%error, "the certificate font is not usable");
        ApiError::unavailable(
            "certificate.font_missing",
            "电子证书暂不可出具，请稍后再试",
            "Electronic certificates cannot be issued right now; try again later",
        )
    })?;
    let (issuer, number) = (issuer(&state).to_owned(), row.number.clone());
    let pdf = tokio::task::spawn_blocking(move || {
        let sheet = CertificateSheet {
            title: title(row.kind),
            data: &data,
            issuer: &issuer,
            portrait: Some(&portrait),
            qr_text: &qr_text,
        };
        electronic::render(font, &sheet)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let file_name = format!(
        "certificate-{}.pdf",
        number.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// The `c` parameter of the certificate's QR code.
    pub c: String,
}

/// What a scanned certificate code says, checked.
#[derive(Serialize, ToSchema)]
pub struct CertificateCodeCheck {
    /// The data printed on the certificate, as signed.
    pub printed: PrintedCertificate,
    /// The certificate's status now, when it still stands under this number and name;
    /// null when no standing certificate matches (cancelled, replaced, or never here).
    pub current_status: Option<StatusView>,
    /// Whether what was printed is the certificate as it stands now: false once a change,
    /// renewal, correction or reissue was approved after it was printed (download it anew).
    pub printed_is_current: bool,
}

/// The signed data of an electronic certificate.
#[derive(Serialize, ToSchema)]
pub struct PrintedCertificate {
    pub number: String,
    pub kind: String,
    pub holder_name: String,
    pub holder_id_number_masked: String,
    pub enterprise_name: String,
    pub issued_on: String,
    pub expires_on: String,
}

/// Checks a scanned electronic-certificate code (no sign-in): the signature must be this
/// authority's; the answer is what was printed and the certificate's status now.
#[utoipa::path(get, path = "/public/certificates/verify", tag = "certificates", params(VerifyQuery),
    responses((status = 200, body = CertificateCodeCheck), (status = 422, body = Problem)))]
pub(super) async fn verify_certificate_code(
    State(state): State<AppState>,
    Query(query): Query<VerifyQuery>,
) -> ApiResult<Json<CertificateCodeCheck>> {
    let data = CertificateSigner::from_keys(&state.keys)
        .verify(&query.c)
        .map_err(|_| {
            ApiError::validation(vec![]).with_field(
                "c",
                "certificate.code_invalid",
                crate::platform::error::Message::new(
                    "不是本机关签发的电子证书，或证书内容已被改动",
                    "Not an electronic certificate issued here, or its content was altered",
                ),
            )
        })?;
    let now = state.clock.now_ms();
    let (mut current_status, mut printed_is_current) = (None, false);
    for row in store::by_number_and_name(&state.db, &data.n, &name_hash(&state.keys, &data.h)).await? {
        if kind_label(&row) == data.k {
            current_status = Some(StatusView::of(&status_of(&row, now)?));
            printed_is_current = signed_data(&row, data.h.clone()) == data;
        }
    }
    Ok(Json(CertificateCodeCheck {
        printed: PrintedCertificate {
            number: data.n,
            kind: data.k,
            holder_name: crate::platform::types::mask_name(&data.h),
            holder_id_number_masked: data.i,
            enterprise_name: data.e,
            issued_on: data.f,
            expires_on: data.u,
        },
        current_status,
        printed_is_current,
    }))
}

/// The public key that signs electronic certificates.
#[derive(Serialize, ToSchema)]
pub struct CertificateSigningKey {
    /// Always `Ed25519`.
    pub algorithm: &'static str,
    /// The 32-byte public key, base64url without padding.
    pub public_key: String,
    /// What is signed: the QR code's `c` is `<data>.<signature>`, both base64url; `data` is
    /// compact JSON with keys v, n (number), k (kind), h (name), i (masked ID number),
    /// e (enterprise), f (issued on), u (valid until).
    pub format: &'static str,
}

/// The key to check electronic certificates offline (no sign-in).
#[utoipa::path(get, path = "/public/certificates/signing-key", tag = "certificates",
    responses((status = 200, body = CertificateSigningKey)))]
pub(super) async fn signing_key(State(state): State<AppState>) -> Json<CertificateSigningKey> {
    Json(CertificateSigningKey {
        algorithm: "Ed25519",
        public_key: CertificateSigner::from_keys(&state.keys).public_key(),
        format: "c = base64url(data) '.' base64url(Ed25519(data)); data = {v,n,k,h,i,e,f,u} as compact JSON",
    })
}
