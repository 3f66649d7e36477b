//! Certificates over HTTP: staff import the historical records; a person reads their own
//! certificates, an enterprise its people's, staff those of their jurisdiction; anyone looks
//! up a certificate in use by its number and holder's name. Every answer carries the status
//! computed now (`rules::certificate_status`); ID numbers are always masked.

mod electronic;
mod import;
mod public;
mod read;

use axum::extract::DefaultBodyLimit;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::kinds::{category_label, EventKind, Kind, Origin, State};
use super::rules::{certificate_status, Facts, Reason, Status};
use super::store::{CertificateRow, EventRow};
use crate::openapi::register::routes;
use crate::platform::crypto::Keys;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{CertificateEventId, CertificateId};
use crate::platform::types::Date;
use crate::state::AppState;

/// The largest import file (a CSV of about 150,000 rows); larger files are imported in parts.
const IMPORT_MAX_BYTES: usize = 32 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read::my_certificates))
        .routes(routes!(read::list_certificates))
        .routes(routes!(read::get_certificate))
        .routes(routes!(public::lookup_certificate))
        .routes(routes!(electronic::electronic_certificate))
        .routes(routes!(electronic::verify_certificate_code))
        .routes(routes!(electronic::signing_key))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(import::import_certificates))
                .layer(DefaultBodyLimit::max(IMPORT_MAX_BYTES)),
        )
}

fn not_found() -> ApiError {
    ApiError::not_found("证书", "Certificate")
}

/// The sealing context of a certificate's personal field.
pub(super) fn context(id: &CertificateId, field: &str) -> String {
    format!("certificate:{id}:{field}")
}

/// The holder's name, unsealed.
fn holder_name(row: &CertificateRow, keys: &Keys) -> ApiResult<String> {
    keys.open(&context(&row.id, "name"), &row.holder_name_sealed)
        .and_then(|name| String::from_utf8(name).ok())
        .ok_or_else(|| ApiError::internal("a certificate's sealed name does not open"))
}

/// The keyed hash of a holder's name, for the public lookup.
pub(super) fn name_hash(keys: &Keys, name: &str) -> String {
    keys.mac("certificate-holder-name", name)
}

/// Why a certificate is unavailable, as shown.
#[derive(Serialize, ToSchema)]
#[schema(as = HolderCertificateReason)]
pub struct ReasonView {
    pub code: Reason,
    pub zh: &'static str,
    pub en: &'static str,
}

/// A certificate's status now.
#[derive(Serialize, ToSchema)]
#[schema(as = HolderCertificateStatus)]
pub struct StatusView {
    /// in_use | newly_archived | transferred_in | unavailable | cancelled | replaced
    pub code: &'static str,
    /// 正常使用 | 新增归档 | 进赣换证 | 暂不可用 | 已注销 | 已换发
    pub label: &'static str,
    /// Every reason it is unavailable (empty otherwise).
    pub reasons: Vec<ReasonView>,
}

impl StatusView {
    fn of(status: &Status) -> StatusView {
        StatusView {
            code: status.code(),
            label: status.label(),
            reasons: status
                .reasons()
                .iter()
                .map(|r| ReasonView {
                    code: *r,
                    zh: r.message().0,
                    en: r.message().1,
                })
                .collect(),
        }
    }
}

/// A certificate as its holder, their enterprise and staff see it.
#[derive(Serialize, ToSchema)]
#[schema(as = HolderCertificate)]
pub struct CertificateView {
    #[schema(value_type = String)]
    pub id: CertificateId,
    pub kind: Kind,
    /// The special-operations category code (null for safety-management certificates).
    pub category: Option<String>,
    /// The category as the manuals name it (建筑电工 …).
    pub category_label: Option<String>,
    pub number: String,
    pub holder_name: String,
    /// `110105********1234`
    pub holder_id_number_masked: String,
    pub enterprise_credit_code: String,
    /// The enterprise's name at issue.
    pub enterprise_name: String,
    #[schema(value_type = String, example = "2024-03-01")]
    pub issued_on: String,
    #[schema(value_type = String, example = "2027-02-28")]
    pub expires_on: String,
    pub origin: Origin,
    pub state: State,
    #[schema(value_type = Option<String>)]
    pub replaced_by: Option<CertificateId>,
    /// When the record was made here (Unix milliseconds).
    pub recorded_at: i64,
    pub status: StatusView,
}

/// The status of a row's certificate today in China.
fn status_of(row: &CertificateRow, now_ms: i64) -> ApiResult<Status> {
    let expires_on =
        Date::parse(&row.expires_on).map_err(|_| ApiError::internal("a stored expiry date is not a date"))?;
    Ok(certificate_status(&Facts {
        state: row.state,
        origin: row.origin,
        expires_on,
        today: Date::today_in_china(now_ms),
        enterprise_credit_code: &row.enterprise_credit_code,
        employer_credit_code: row.employer_credit_code.as_deref(),
        held_of_kind: u32::try_from(row.held_of_kind).unwrap_or(u32::MAX),
    }))
}

fn category_of(row: &CertificateRow) -> (Option<String>, Option<String>) {
    if row.category.is_empty() {
        (None, None)
    } else {
        (
            Some(row.category.clone()),
            Some(category_label(&row.category).to_owned()),
        )
    }
}

impl CertificateView {
    fn of(row: CertificateRow, keys: &Keys, now_ms: i64) -> ApiResult<CertificateView> {
        let status = status_of(&row, now_ms)?;
        let holder_name = holder_name(&row, keys)?;
        let (category, category_label) = category_of(&row);
        Ok(CertificateView {
            id: row.id,
            kind: row.kind,
            category,
            category_label,
            number: row.number,
            holder_name,
            holder_id_number_masked: row.holder_id_masked,
            enterprise_credit_code: row.enterprise_credit_code,
            enterprise_name: row.enterprise_name,
            issued_on: row.issued_on,
            expires_on: row.expires_on,
            origin: row.origin,
            state: row.state,
            replaced_by: row.replaced_by,
            recorded_at: row.created_at,
            status: StatusView::of(&status),
        })
    }
}

/// One event of a certificate's track (证书轨迹).
#[derive(Serialize, ToSchema)]
#[schema(as = HolderCertificateEvent)]
pub struct EventView {
    #[schema(value_type = String)]
    pub id: CertificateEventId,
    pub kind: EventKind,
    /// staff | enterprise | person | system
    pub actor_kind: String,
    pub actor_id: String,
    /// Unix milliseconds.
    pub at: i64,
    /// What the event set or changed.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// The application (办件) that made it, if any.
    pub application_id: Option<String>,
}

impl EventView {
    fn of(row: EventRow) -> EventView {
        EventView {
            id: row.id,
            kind: row.kind,
            actor_kind: row.actor_kind,
            actor_id: row.actor_id,
            at: row.at,
            detail: serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null),
            application_id: row.application_id,
        }
    }
}

/// A certificate with its track.
#[derive(Serialize, ToSchema)]
#[schema(as = HolderCertificateDetail)]
pub struct DetailView {
    pub certificate: CertificateView,
    /// Oldest first.
    pub track: Vec<EventView>,
}
