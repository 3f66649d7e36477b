//! The public lookup (江西住建云网站 证书查询): anyone finds a certificate *in use* (正常使用)
//! by its number and the holder's name — both needed, so numbers cannot be walked through —
//! and sees it with the name and ID number masked. At most
//! `certificates.public_lookups_per_address_per_hour` lookups per client address.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{category_of, name_hash, not_found, status_of, StatusView};
use crate::certificates::kinds::Kind;
use crate::certificates::rules::Status;
use crate::certificates::store;
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::types::{mask_name, Text};
use crate::platform::web::{ClientAddress, Json};
use crate::state::AppState;

const HOUR_MS: i64 = 3600 * 1000;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The certificate number.
    pub number: Option<String>,
    /// The holder's full name.
    pub name: Option<String>,
}

/// A certificate in use, as anyone may see it.
#[derive(Serialize, ToSchema)]
#[schema(as = PublicCertificate)]
pub struct PublicView {
    pub kind: Kind,
    pub category: Option<String>,
    pub category_label: Option<String>,
    pub number: String,
    /// 张* (first character kept)
    pub holder_name_masked: String,
    /// `110105********1234`
    pub holder_id_number_masked: String,
    pub enterprise_name: String,
    pub issued_on: String,
    pub expires_on: String,
    /// Always in_use (正常使用): nothing else is found.
    pub status: StatusView,
}

/// Finds a certificate in use by its number and holder's name (no sign-in). Anything else —
/// no such certificate, another name, or a certificate not in use (expired, unavailable,
/// newly archived, transferred in, cancelled) — is 404.
#[utoipa::path(get, path = "/public/certificates", tag = "certificates", params(LookupQuery),
    responses((status = 200, body = PublicView), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub(super) async fn lookup_certificate(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Query(q): Query<LookupQuery>,
) -> ApiResult<Json<PublicView>> {
    let mut invalid = Invalid::default();
    let number = Text::<50>::parse(q.number.as_deref().unwrap_or_default());
    if number.is_err() {
        invalid.field(
            "number",
            "certificate.number_invalid",
            "请填写证书编号（最多 50 个字符）",
            "Enter the certificate number (at most 50 characters)",
        );
    }
    let name = Text::<50>::parse(q.name.as_deref().unwrap_or_default());
    if name.is_err() {
        invalid.field(
            "name",
            "certificate.holder_name_invalid",
            "请填写持证人姓名（最多 50 个字符）",
            "Enter the holder's name (at most 50 characters)",
        );
    }
    invalid.finish()?;
    let (Ok(number), Ok(name)) = (number, name) else {
        return Err(ApiError::internal("checked above"));
    };
    let limit = state.settings.certificates.public_lookups_per_address_per_hour;
    if let Err(secs) =
        crate::auth::throttle::take_quota(&state, &format!("certificate-lookup:{address}"), limit, HOUR_MS).await?
    {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "certificate.lookup_limit",
            "查询过于频繁，请稍后再试",
            "Too many lookups; try again later",
        )
        .retry_after(secs));
    }
    let now = state.clock.now_ms();
    let hash = name_hash(&state.keys, name.as_str());
    for row in store::by_number_and_name(&state.db, number.as_str(), &hash).await? {
        let status = status_of(&row, now)?;
        if status != Status::InUse {
            continue;
        }
        let (category, category_label) = category_of(&row);
        return Ok(Json(PublicView {
            kind: row.kind,
            category,
            category_label,
            number: row.number,
            holder_name_masked: mask_name(name.as_str()),
            holder_id_number_masked: row.holder_id_masked,
            enterprise_name: row.enterprise_name,
            issued_on: row.issued_on,
            expires_on: row.expires_on,
            status: StatusView::of(&status),
        }));
    }
    Err(not_found())
}
