//! Reading certificates: a person's own (我的证书), an enterprise's people's and staff's
//! jurisdiction (with search), and one certificate with its track.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{name_hash, not_found, CertificateView, DetailView, EventView};
use crate::auth::{Caller, Role};
use crate::certificates::kinds::{parse_category, Kind};
use crate::certificates::store::{self, CertificateRow, Filter};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::CertificateId;
use crate::platform::paging::Page;
use crate::platform::types::{CreditCode, IdNumber};
use crate::platform::web::Json;
use crate::state::AppState;

/// Who reads certificates beyond their own: enterprises (their people's) and the authority
/// staff of the city and the districts. Supervisors and system administrators do not.
const READERS: &[Role] = &[Role::Enterprise, Role::City, Role::District];

/// A certificate with its track.
async fn detail(state: &AppState, row: CertificateRow, now: i64) -> ApiResult<DetailView> {
    let track = store::events(&state.db, &row.id).await?;
    Ok(DetailView {
        certificate: CertificateView::of(row, &state.keys, now)?,
        track: track.into_iter().map(EventView::of).collect(),
    })
}

/// My certificates (我的证书): every certificate held under the ID number the person
/// registered with, each with its status now and its track. Real-name registration first.
#[utoipa::path(get, path = "/people/me/certificates", tag = "certificates", security(("bearer" = [])),
    responses((status = 200, body = Vec<DetailView>), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn my_certificates(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<DetailView>>> {
    caller.require(&[Role::Person])?;
    let person = caller.person_id().ok_or_else(ApiError::forbidden_role)?;
    if crate::people::identity_of(&state.db, &state.keys, person)
        .await?
        .is_none()
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "person.not_registered",
            "请先完成实名登记",
            "Complete the real-name registration first",
        ));
    }
    crate::people::require_active(&state.db, person).await?;
    let now = state.clock.now_ms();
    let mut certificates = Vec::new();
    for row in store::of_person(&state.db, person).await? {
        certificates.push(detail(&state, row, now).await?);
    }
    Ok(Json(certificates))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The certificate number, exactly.
    pub number: Option<String>,
    /// The holder's full ID number (matched by its keyed hash; never stored or logged).
    pub id_number: Option<String>,
    /// The holder's full name, exactly.
    pub name: Option<String>,
    pub enterprise_credit_code: Option<String>,
    /// safety_a | safety_b | safety_c | special
    pub kind: Option<String>,
    /// A special-operations category code or label.
    pub category: Option<String>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Certificates within the caller's scope — an enterprise: those registered under its credit
/// code and those of the people it employs now; district staff: those of their district's
/// enterprises, by the same links; the city: all — newest first, filtered by the search.
#[utoipa::path(get, path = "/certificates", tag = "certificates", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<CertificateView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn list_certificates(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<CertificateView>>> {
    caller.require(READERS)?;
    let mut invalid = Invalid::default();
    let holder_hash = match given(&q.id_number).map(IdNumber::parse) {
        Some(Ok(id)) => Some(crate::people::id_number_key(&state.keys, id.as_str())),
        Some(Err(e)) => {
            invalid.push("id_number", e.code, e.message);
            None
        }
        None => None,
    };
    let credit_code = match given(&q.enterprise_credit_code).map(CreditCode::parse) {
        Some(Ok(code)) => Some(code.as_str().to_owned()),
        Some(Err(e)) => {
            invalid.push("enterprise_credit_code", e.code, e.message);
            None
        }
        None => None,
    };
    let kind = given(&q.kind).map(Kind::parse);
    if kind == Some(None) {
        invalid.field(
            "kind",
            "certificate.kind_unknown",
            "证书类别须为 A、B、C（安管人员）或 特种作业",
            "The kind is A, B, C (safety management) or 特种作业 (special operations)",
        );
    }
    let category = given(&q.category).map(parse_category);
    if category == Some(None) {
        invalid.field(
            "category",
            "certificate.category_invalid",
            "特种作业证书须填写操作类别（建筑电工、建筑架子工等规定类别之一）；安管人员证书不填",
            "A special-operations certificate names its operation category from the fixed list; a safety-management one names none",
        );
    }
    invalid.finish()?;
    let name = given(&q.name).map(|n| name_hash(&state.keys, n));
    let filter = Filter {
        number: given(&q.number),
        holder_hash: holder_hash.as_deref(),
        name_hash: name.as_deref(),
        enterprise_credit_code: credit_code.as_deref(),
        kind: kind.flatten(),
        category: category.flatten(),
    };
    let page = Page {
        page: q.page,
        per_page: q.per_page,
    };
    let now = state.clock.now_ms();
    let rows = store::list(&state.db, &caller.bounds(), &filter, &page).await?;
    let views = rows
        .into_iter()
        .map(|row| CertificateView::of(row, &state.keys, now))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(views))
}

/// One certificate with its track (证书轨迹), within the caller's scope (a person: their own).
#[utoipa::path(get, path = "/certificates/{id}", tag = "certificates", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = DetailView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn get_certificate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<CertificateId>,
) -> ApiResult<Json<DetailView>> {
    caller.require(&[Role::Person, Role::Enterprise, Role::City, Role::District])?;
    if let Some(person) = caller.person_id() {
        crate::people::require_active(&state.db, person).await?;
    }
    let row = store::get(&state.db, &id, &caller.bounds())
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(detail(&state, row, state.clock.now_ms()).await?))
}
