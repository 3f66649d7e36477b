//! The enterprise's profile: read, confirmed by the enterprise, updated by it or corrected by
//! staff in jurisdiction; every changed field is kept in the history.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Deserializer};
use serde_json::json;
use utoipa::ToSchema;

use super::{current_view, text, visible, Locality};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::enterprises::store::{self, Change, ChangeView, EnterpriseView, Value};
use crate::notify::outbox::{self, Recipient};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::EnterpriseId;
use crate::platform::paging::Page;
use crate::platform::types::{Coordinates, Date, DistrictCode, Phone, Text};
use crate::platform::web::Json;
use crate::state::AppState;

/// One enterprise with its profile: its own account, or staff whose jurisdiction covers it.
#[utoipa::path(get, path = "/enterprises/{id}", tag = "enterprises", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 404, body = Problem)))]
pub(super) async fn get_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EnterpriseId>,
) -> ApiResult<Json<EnterpriseView>> {
    Ok(Json(super::reading::profile(&state, &caller, &id).await?))
}

/// `Some(None)` for an explicit null (clear the value), `None` when the field is absent.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetyLicence {
    #[schema(value_type = String)]
    pub number: Text<100>,
    #[schema(value_type = Option<String>, example = "2028-06-30")]
    pub valid_until: Option<Date>,
}

/// Fields to change; absent fields stay as they are. `name`, `district_code` and `locality`
/// are corrected by staff only (they come from the registration authority).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileChanges {
    #[schema(value_type = Option<String>)]
    pub name: Option<Text<200>>,
    #[schema(value_type = Option<String>)]
    pub district_code: Option<DistrictCode>,
    pub locality: Option<Locality>,
    #[schema(value_type = Option<String>)]
    pub registered_address: Option<Text<300>>,
    /// The registered address's position and its coordinate system; null clears it.
    #[serde(default, deserialize_with = "present")]
    pub site: Option<Option<Coordinates>>,
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Text<50>>,
    #[schema(value_type = Option<String>)]
    pub contact_phone: Option<Phone>,
    /// Staff only: the radius of this site's check-in fence in metres (10–5000); null for the
    /// default (check_in.default_radius_m).
    #[serde(default, deserialize_with = "present")]
    pub site_radius_m: Option<Option<f64>>,
    /// Staff only: the check-in fence as a polygon of 3 to 100 vertices, each with its
    /// coordinate system; null to go back to the circle.
    #[serde(default, deserialize_with = "present")]
    pub site_polygon: Option<Option<Vec<Coordinates>>>,
    /// The safety production licence (安全生产许可证); null when the enterprise holds none.
    #[serde(default, deserialize_with = "present")]
    pub safety_licence: Option<Option<SafetyLicence>>,
}

/// The changes a profile update makes: one per field whose value differs.
/// `old_phone` is the contact phone opened.
fn changes(row: &store::EnterpriseRow, old_phone: &str, body: &ProfileChanges) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |column: &'static str, old: Value, new: Value| {
        if old != new {
            out.push(Change { column, old, new });
        }
    };
    if let Some(v) = &body.name {
        push("name", text(&row.name), text(v.as_str()));
    }
    if let Some(v) = &body.district_code {
        push("district_code", text(&row.district_code), text(v.as_str()));
    }
    if let Some(v) = body.locality {
        push("locality", text(&row.locality), text(v.as_str()));
    }
    if let Some(v) = &body.registered_address {
        push("registered_address", text(&row.registered_address), text(v.as_str()));
    }
    if let Some(site) = &body.site {
        push(
            "site_latitude",
            Value::Real(row.site_latitude),
            Value::Real(site.map(|s| s.latitude)),
        );
        push(
            "site_longitude",
            Value::Real(row.site_longitude),
            Value::Real(site.map(|s| s.longitude)),
        );
        push(
            "site_crs",
            Value::Text(row.site_crs.clone()),
            Value::Text(site.map(|s| s.system.as_str().to_owned())),
        );
    }
    if let Some(radius) = body.site_radius_m {
        push("site_radius_m", Value::Real(row.site_radius_m), Value::Real(radius));
    }
    if let Some(polygon) = &body.site_polygon {
        let json = polygon.as_ref().map(|p| serde_json::to_string(p).unwrap_or_default());
        push("site_polygon", Value::Text(row.site_polygon.clone()), Value::Text(json));
    }
    if let Some(v) = &body.contact_name {
        push("contact_name", text(&row.contact_name), text(v.as_str()));
    }
    if let Some(v) = &body.contact_phone {
        push("contact_phone", text(old_phone), text(v.as_str()));
    }
    if let Some(licence) = &body.safety_licence {
        let number = licence.as_ref().map(|l| l.number.as_str().to_owned());
        let valid = licence.as_ref().and_then(|l| l.valid_until).map(|d| d.to_string());
        push(
            "safety_licence_number",
            Value::Text(row.safety_licence_number.clone()),
            Value::Text(number),
        );
        push(
            "safety_licence_valid_until",
            Value::Text(row.safety_licence_valid_until.clone()),
            Value::Text(valid),
        );
    }
    out
}

/// Updates the profile. The enterprise edits its address, site, contact and safety licence;
/// staff in jurisdiction may correct any field. Every changed field is kept in the history;
/// a new contact phone gets an SMS.
#[utoipa::path(patch, path = "/enterprises/{id}", tag = "enterprises", params(("id" = String, Path)), request_body = ProfileChanges,
    security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn update_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EnterpriseId>,
    Json(body): Json<ProfileChanges>,
) -> ApiResult<Json<EnterpriseView>> {
    update(&state, &caller, &act, &id, &body).await.map(Json)
}

/// The profile update of `PATCH /enterprises/{id}` (the enterprise portal calls it too).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &EnterpriseId,
    body: &ProfileChanges,
) -> ApiResult<EnterpriseView> {
    caller.require(&[Role::Enterprise, Role::City, Role::District, Role::Sysadmin])?;
    let row = visible(state, caller, id).await?;
    act.set_target(format!("enterprise:{id}"));
    if caller.role == Role::Enterprise {
        let staff_only: Vec<&str> = [
            ("name", body.name.is_some()),
            ("district_code", body.district_code.is_some()),
            ("locality", body.locality.is_some()),
            ("site_radius_m", body.site_radius_m.is_some()),
            ("site_polygon", body.site_polygon.is_some()),
        ]
        .into_iter()
        .filter(|(_, set)| *set)
        .map(|(f, _)| f)
        .collect();
        if !staff_only.is_empty() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "enterprise.field_staff_only",
                format!("以下信息须由主管部门更正：{}", staff_only.join(", ")),
                format!("Only the authority corrects: {}", staff_only.join(", ")),
            ));
        }
    }
    if let Some(district) = &body.district_code {
        if !caller.covers_district(district.as_str()) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "enterprise.outside_jurisdiction",
                "不能把企业移出您的辖区",
                "You cannot move an enterprise out of your district",
            ));
        }
    }
    if let Some(Some(radius)) = body.site_radius_m {
        if !(10.0..=5000.0).contains(&radius) {
            let mut invalid = Invalid::default();
            invalid.field(
                "site_radius_m",
                "enterprise.radius_range",
                "打卡范围半径须在 10 至 5000 米之间",
                "The fence radius must be 10 to 5000 metres",
            );
            invalid.finish()?;
        }
    }
    if let Some(Some(polygon)) = &body.site_polygon {
        if !(3..=100).contains(&polygon.len()) {
            let mut invalid = Invalid::default();
            invalid.field(
                "site_polygon",
                "enterprise.polygon_vertices",
                "打卡范围多边形须有 3 至 100 个顶点",
                "The fence polygon needs 3 to 100 vertices",
            );
            invalid.finish()?;
        }
    }
    let old_phone = store::open_phone(&state.keys, id, &row.contact_phone);
    let changes = changes(&row, &old_phone, body);
    let now = state.clock.now_ms();
    let mut tx = act.begin().await?;
    store::apply(
        &mut *tx,
        &state.keys,
        id,
        &changes,
        &caller.account_id,
        caller.role.as_str(),
        now,
    )
    .await?;
    // What waits for a district's staff moves with the enterprise to its new district.
    let moved_to = body
        .district_code
        .as_ref()
        .filter(|_| changes.iter().any(|c| c.column == "district_code"));
    if let Some(district) = moved_to {
        crate::verification::store::move_district(&mut *tx, id, district.as_str()).await?;
        crate::assessments::store::move_district(&mut *tx, id, district.as_str()).await?;
    }
    if changes.iter().any(|c| c.column == "contact_phone") {
        let params = json!({"enterprise": row.name, "credit_code": row.credit_code});
        outbox::enqueue(
            &mut tx,
            Recipient::EnterpriseContact(id),
            "enterprise.contact_changed",
            params,
            now,
        )
        .await?;
    }
    let view = current_view(&mut *tx, id).await?;
    act.commit(tx, format!("enterprise:{id}")).await?;
    Ok(view)
}

/// The enterprise confirms its basic information (first login).
#[utoipa::path(post, path = "/enterprises/{id}/confirm", tag = "enterprises", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn confirm_profile(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EnterpriseId>,
) -> ApiResult<Json<EnterpriseView>> {
    confirm(&state, &caller, &act, &id).await.map(Json)
}

/// The confirmation of `POST /enterprises/{id}/confirm` (the enterprise portal calls it too).
pub async fn confirm(state: &AppState, caller: &Caller, act: &Act, id: &EnterpriseId) -> ApiResult<EnterpriseView> {
    caller.require(&[Role::Enterprise])?;
    let row = visible(state, caller, id).await?;
    act.set_target(format!("enterprise:{id}"));
    let now = state.clock.now_ms();
    let change = Change {
        column: "confirmed_at",
        old: Value::Time(row.confirmed_at),
        new: Value::Time(Some(now)),
    };
    let mut tx = act.begin().await?;
    store::apply(
        &mut *tx,
        &state.keys,
        id,
        &[change],
        &caller.account_id,
        caller.role.as_str(),
        now,
    )
    .await?;
    let view = current_view(&mut *tx, id).await?;
    act.commit(tx, format!("enterprise:{id}")).await?;
    Ok(view)
}

/// Every recorded change of the profile, newest first: field, old and new value, who, when.
#[utoipa::path(get, path = "/enterprises/{id}/history", tag = "enterprises", params(("id" = String, Path), Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<ChangeView>), (status = 404, body = Problem)))]
pub(super) async fn enterprise_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EnterpriseId>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ChangeView>>> {
    Ok(Json(super::reading::history(&state, &caller, &id, &page).await?))
}
