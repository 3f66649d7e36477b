//! Enterprises: staff open accounts (one by one or from CSV); the enterprise confirms and keeps
//! its profile; staff in jurisdiction correct any field; every change is kept.

use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Path, Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
use sqlx::Connection;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{self, Change, ChangeView, EnterpriseView, QualificationView, Value};
use crate::audit::Act;
use crate::auth::{passwords, Caller, Role};
use crate::db::{is_unique_violation, Conn};
use crate::documents::rules::{DocState, Purpose};
use crate::error::{ApiError, ApiResult, FieldError, Invalid, Problem};
use crate::imports::{errors_of, ImportError, Table};
use crate::notify::outbox::{self, Recipient};
use crate::notify::sms::{SmsMessage, SmsTemplate};
use crate::paging::Page;
use crate::state::AppState;
use crate::types::{Coordinates, CreditCode, Date, DistrictCode, Name, Phone};
use crate::web::Json;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_enterprise, list_enterprises))
        .routes(routes!(get_enterprise, update_enterprise))
        .routes(routes!(confirm_profile))
        .routes(routes!(add_qualification))
        .routes(routes!(remove_qualification))
        .routes(routes!(set_business_licence))
        .routes(routes!(set_video))
        .routes(routes!(enterprise_history))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(import_enterprises))
                .layer(DefaultBodyLimit::max(5 * 1024 * 1024)),
        )
}

/// Staff who manage enterprise accounts.
const MANAGERS: &[Role] = &[Role::City, Role::District, Role::Sysadmin];

fn not_found() -> ApiError {
    ApiError::not_found("企业", "Enterprise")
}

/// The enterprise as the caller may see it: its own account, or one in a staff member's
/// jurisdiction.
async fn visible(state: &AppState, caller: &Caller, id: &str) -> ApiResult<store::EnterpriseRow> {
    let row = match caller.role {
        Role::Enterprise => store::get(&state.db, id, caller.enterprise_id(), None).await?,
        Role::Person => None,
        _ => store::get(&state.db, id, None, caller.district()).await?,
    };
    row.ok_or_else(not_found)
}

/// The enterprise as it stands inside the act, after its writes.
async fn current_view(conn: &mut Conn, id: &str) -> ApiResult<EnterpriseView> {
    let row = store::get(&mut *conn, id, None, None).await?.ok_or_else(not_found)?;
    Ok(store::full_view(conn, row).await?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEnterprise {
    #[schema(value_type = String, example = "91350100M000100Y43")]
    pub credit_code: CreditCode,
    #[schema(value_type = String)]
    pub name: Name<200>,
    #[schema(value_type = String, example = "370102")]
    pub district_code: DistrictCode,
    #[schema(value_type = String)]
    pub contact_name: Name<50>,
    /// Mainland mobile number; receives the initial password by SMS.
    #[schema(value_type = String, example = "13812345678")]
    pub contact_phone: Phone,
    pub registered_address: Option<String>,
    pub locality: Option<Locality>,
}

#[derive(Deserialize, Serialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Locality {
    /// 本地
    Local,
    /// 外地
    NonLocal,
}

impl Locality {
    fn as_str(self) -> &'static str {
        match self {
            Locality::Local => "local",
            Locality::NonLocal => "non_local",
        }
    }
}

fn registered_address(body: &CreateEnterprise) -> &str {
    body.registered_address.as_deref().map(str::trim).unwrap_or("")
}

/// The refusals of an account request, before anything is written.
fn check_account(caller: &Caller, body: &CreateEnterprise) -> ApiResult<()> {
    if !caller.covers_district(body.district_code.as_str()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "enterprise.outside_jurisdiction",
            "只能为本辖区的企业开通账号",
            "You can only open accounts for enterprises in your district",
        ));
    }
    if registered_address(body).chars().count() > 300 {
        return Err(ApiError::validation(vec![FieldError {
            field: "registered_address".into(),
            code: crate::types::TEXT_TOO_LONG.code,
            message: crate::types::TEXT_TOO_LONG.message,
        }]));
    }
    Ok(())
}

/// Opens a checked account inside the caller's transaction and sends the initial password to
/// the contact (seed 004). The SMS goes out before the caller commits: when it cannot be sent,
/// the caller rolls the account back, so no account exists whose password nobody got.
async fn open_account(
    conn: &mut Conn,
    state: &AppState,
    caller: &Caller,
    body: &CreateEnterprise,
) -> ApiResult<String> {
    let password = passwords::generate();
    let hash = passwords::hash(password.clone()).await?;
    let new = store::NewEnterprise {
        credit_code: body.credit_code.as_str(),
        name: body.name.as_str(),
        district_code: body.district_code.as_str(),
        contact_name: body.contact_name.as_str(),
        contact_phone: body.contact_phone.as_str(),
        password_hash: &hash,
        created_by: &caller.account_id,
        registered_address: registered_address(body),
        locality: body.locality.unwrap_or(Locality::Local).as_str(),
    };
    let id = store::insert(conn, &new, state.clock.now_ms()).await.map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::conflict(
                "enterprise.already_exists",
                "该统一社会信用代码已开通账号",
                "An account with this credit code already exists",
            )
        } else {
            e.into()
        }
    })?;
    let message = SmsMessage {
        phone: body.contact_phone.clone(),
        template: SmsTemplate::InitialPassword,
        params: vec![body.credit_code.to_string(), password],
    };
    if let Err(error) = state.sms.send(&message).await {
        tracing::warn!(%error, "sending the initial password failed; account withdrawn");
        return Err(ApiError::unavailable(
            "sms.unavailable",
            "初始密码短信发送失败，账号未开通，请稍后重试",
            "The initial password could not be sent by SMS; the account was not opened. Try again shortly",
        ));
    }
    Ok(id)
}

/// Opens an enterprise account in the caller's jurisdiction and sends the initial password to
/// the contact by SMS. If the SMS cannot be sent, no account is left behind.
#[utoipa::path(post, path = "/enterprises", tag = "enterprises", request_body = CreateEnterprise, security(("bearer" = [])),
    responses((status = 201, body = EnterpriseView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn create_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<CreateEnterprise>,
) -> ApiResult<(StatusCode, Json<EnterpriseView>)> {
    caller.require(MANAGERS)?;
    check_account(&caller, &body)?;
    let mut tx = act.begin().await?;
    let id = open_account(&mut *tx, &state, &caller, &body).await?;
    let view = current_view(&mut *tx, &id).await?;
    act.commit(tx, format!("enterprise:{id}")).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Serialize, ToSchema)]
pub struct ImportRow {
    /// The CSV line the row starts on.
    pub line: usize,
    pub credit_code: String,
    /// created | refused
    pub outcome: &'static str,
    pub enterprise_id: Option<String>,
    /// Why the row was refused: codes and messages, per field where one is at fault.
    pub errors: Vec<ImportError>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub refused: usize,
    pub rows: Vec<ImportRow>,
}

const IMPORT_COLUMNS: [&str; 5] = ["credit_code", "name", "district_code", "contact_name", "contact_phone"];

/// Opens one imported account in a savepoint of the import's transaction, so that a refused
/// row (a taken credit code, an SMS that failed) leaves nothing behind and the import goes on.
async fn import_account(
    conn: &mut Conn,
    state: &AppState,
    caller: &Caller,
    body: &CreateEnterprise,
) -> ApiResult<String> {
    check_account(caller, body)?;
    let mut row = conn.begin().await?;
    match open_account(&mut *row, state, caller, body).await {
        Ok(id) => {
            row.commit().await?;
            Ok(id)
        }
        Err(error) => {
            row.rollback().await?;
            Err(error)
        }
    }
}

/// Opens enterprise accounts in bulk from CSV (UTF-8, a header row naming at least
/// credit_code, name, district_code, contact_name, contact_phone; optionally
/// registered_address and locality). Every row is reported: created, or refused with the reasons.
#[utoipa::path(post, path = "/enterprises/import", tag = "enterprises", security(("bearer" = [])),
    request_body(content_type = "text/csv", description = "CSV with a header row"),
    responses((status = 200, body = ImportReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn import_enterprises(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    caller.require(MANAGERS)?;
    act.set_target("enterprise-import");
    let table = Table::parse(&body, &IMPORT_COLUMNS)?;
    let mut report = ImportReport {
        created: 0,
        refused: 0,
        rows: Vec::new(),
    };
    let mut tx = act.begin().await?;
    for (line, fields) in &table.rows {
        let line = *line;
        let cell = |name: &str| table.cell(fields, name);
        let row = json!({
            "credit_code": cell("credit_code"), "name": cell("name"), "district_code": cell("district_code"),
            "contact_name": cell("contact_name"), "contact_phone": cell("contact_phone"),
            "registered_address": cell("registered_address"),
            "locality": Some(cell("locality")).filter(|l| !l.is_empty()),
        });
        let outcome = match crate::web::parse_json::<CreateEnterprise>(row.to_string().as_bytes()) {
            Ok(body) => import_account(&mut *tx, &state, &caller, &body).await,
            Err(error) => Err(error),
        };
        let credit_code = cell("credit_code");
        match outcome {
            Ok(id) => {
                report.created += 1;
                report.rows.push(ImportRow {
                    line,
                    credit_code,
                    outcome: "created",
                    enterprise_id: Some(id),
                    errors: Vec::new(),
                });
            }
            Err(error) => {
                report.refused += 1;
                let errors = errors_of(&error);
                report.rows.push(ImportRow {
                    line,
                    credit_code,
                    outcome: "refused",
                    enterprise_id: None,
                    errors,
                });
            }
        }
    }
    act.commit(tx, "enterprise-import").await?;
    Ok(Json(report))
}

/// Lists enterprise accounts within the caller's jurisdiction.
#[utoipa::path(get, path = "/enterprises", tag = "enterprises", params(Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<EnterpriseView>), (status = 403, body = Problem)))]
async fn list_enterprises(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<EnterpriseView>>> {
    caller.require(&[Role::City, Role::District, Role::Supervisor, Role::Sysadmin])?;
    let (limit, offset) = page.limit_offset();
    let mut conn = state.db.acquire().await?;
    let mut views = Vec::new();
    for row in store::list(&mut *conn, caller.district(), limit, offset).await? {
        views.push(store::full_view(&mut conn, row).await?);
    }
    Ok(Json(views))
}

/// One enterprise with its profile: its own account, or staff whose jurisdiction covers it.
#[utoipa::path(get, path = "/enterprises/{id}", tag = "enterprises", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 404, body = Problem)))]
async fn get_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<EnterpriseView>> {
    let row = visible(&state, &caller, &id).await?;
    Ok(Json(store::full_view(&mut *state.db.acquire().await?, row).await?))
}

/// `Some(None)` for an explicit null (clear the value), `None` when the field is absent.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetyLicence {
    pub number: String,
    #[schema(value_type = Option<String>, example = "2028-06-30")]
    pub valid_until: Option<Date>,
}

/// Fields to change; absent fields stay as they are. `name`, `district_code` and `locality`
/// are corrected by staff only (they come from the registration authority).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileChanges {
    #[schema(value_type = Option<String>)]
    pub name: Option<Name<200>>,
    #[schema(value_type = Option<String>)]
    pub district_code: Option<DistrictCode>,
    pub locality: Option<Locality>,
    #[schema(value_type = Option<String>)]
    pub registered_address: Option<Name<300>>,
    /// The registered address's position and its coordinate system; null clears it.
    #[serde(default, deserialize_with = "present")]
    pub site: Option<Option<Coordinates>>,
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Name<50>>,
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

fn text(v: impl Into<String>) -> Value {
    Value::Text(Some(v.into()))
}

/// The changes a profile update makes: one per field whose value differs.
fn changes(row: &store::EnterpriseRow, body: &ProfileChanges) -> Vec<Change> {
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
        push("contact_phone", text(&row.contact_phone), text(v.as_str()));
    }
    if let Some(licence) = &body.safety_licence {
        let number = licence.as_ref().map(|l| l.number.trim().to_owned());
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
async fn update_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
    Json(body): Json<ProfileChanges>,
) -> ApiResult<Json<EnterpriseView>> {
    caller.require(&[Role::Enterprise, Role::City, Role::District, Role::Sysadmin])?;
    let row = visible(&state, &caller, &id).await?;
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
    if let Some(Some(licence)) = &body.safety_licence {
        if licence.number.trim().is_empty() {
            let mut invalid = Invalid::default();
            invalid.reject("safety_licence.number", crate::types::TEXT_EMPTY);
            invalid.finish()?;
        }
    }
    let changes = changes(&row, &body);
    let now = state.clock.now_ms();
    let mut tx = act.begin().await?;
    store::apply(&mut *tx, &id, &changes, &caller.account_id, caller.role.as_str(), now).await?;
    if changes.iter().any(|c| c.column == "contact_phone") {
        let params = json!({"credit_code": row.credit_code});
        outbox::enqueue(
            &mut *tx,
            Recipient::EnterpriseContact(&id),
            "enterprise.contact_changed",
            params,
            now,
        )
        .await?;
    }
    let view = current_view(&mut *tx, &id).await?;
    act.commit(tx, format!("enterprise:{id}")).await?;
    Ok(Json(view))
}

/// The enterprise confirms its basic information (first login).
#[utoipa::path(post, path = "/enterprises/{id}/confirm", tag = "enterprises", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn confirm_profile(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
) -> ApiResult<Json<EnterpriseView>> {
    caller.require(&[Role::Enterprise])?;
    let row = visible(&state, &caller, &id).await?;
    act.set_target(format!("enterprise:{id}"));
    let now = state.clock.now_ms();
    let change = Change {
        column: "confirmed_at",
        old: Value::Time(row.confirmed_at),
        new: Value::Time(Some(now)),
    };
    let mut tx = act.begin().await?;
    store::apply(&mut *tx, &id, &[change], &caller.account_id, caller.role.as_str(), now).await?;
    let view = current_view(&mut *tx, &id).await?;
    act.commit(tx, format!("enterprise:{id}")).await?;
    Ok(Json(view))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQualification {
    #[schema(value_type = String, example = "建筑工程施工总承包")]
    pub category: Name<100>,
    #[schema(value_type = String, example = "一级")]
    pub grade: Name<20>,
    pub certificate_number: Option<String>,
    /// The certificate's issue date; first-time verification must start within ten months of it.
    #[schema(value_type = String, example = "2026-03-01")]
    pub issued_on: Date,
}

/// Records a qualification certificate (资质证书) of the enterprise.
#[utoipa::path(post, path = "/enterprises/{id}/qualifications", tag = "enterprises", params(("id" = String, Path)),
    request_body = NewQualification, security(("bearer" = [])),
    responses((status = 201, body = QualificationView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_qualification(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
    Json(body): Json<NewQualification>,
) -> ApiResult<(StatusCode, Json<QualificationView>)> {
    caller.require(&[Role::Enterprise, Role::City, Role::District, Role::Sysadmin])?;
    visible(&state, &caller, &id).await?;
    act.set_target(format!("enterprise:{id}"));
    let issued_on = body.issued_on.to_string();
    let new = store::NewQualification {
        category: body.category.as_str(),
        grade: body.grade.as_str(),
        certificate_number: body
            .certificate_number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty()),
        issued_on: &issued_on,
    };
    let (by, role, now) = (&caller.account_id, caller.role.as_str(), state.clock.now_ms());
    let mut tx = act.begin().await?;
    let qualification = store::add_qualification(&mut *tx, &id, &new, by, role, now).await?;
    let view = store::qualifications(&mut *tx, &id)
        .await?
        .into_iter()
        .find(|q| q.id == qualification)
        .ok_or_else(|| ApiError::internal("qualification vanished"))?;
    act.commit(tx, format!("enterprise:{id}")).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Removes a qualification certificate (kept in the history).
#[utoipa::path(delete, path = "/enterprises/{id}/qualifications/{qualification_id}", tag = "enterprises",
    params(("id" = String, Path), ("qualification_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
async fn remove_qualification(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((id, qualification_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.require(&[Role::Enterprise, Role::City, Role::District, Role::Sysadmin])?;
    visible(&state, &caller, &id).await?;
    act.set_target(format!("enterprise:{id}"));
    let (by, role, now) = (&caller.account_id, caller.role.as_str(), state.clock.now_ms());
    let mut tx = act.begin().await?;
    if !store::remove_qualification(&mut *tx, &id, &qualification_id, by, role, now).await? {
        return Err(ApiError::not_found("资质证书", "Qualification"));
    }
    act.commit(tx, format!("enterprise:{id}")).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentChoice {
    pub document_id: String,
}

/// Puts one of the enterprise's own documents in a profile slot: locks the new one, releases
/// the old one, and records the change.
async fn set_document(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &str,
    purpose: Purpose,
    column: &'static str,
    document_id: &str,
) -> ApiResult<EnterpriseView> {
    caller.require(&[Role::Enterprise])?;
    let row = visible(state, caller, id).await?;
    let doc =
        crate::documents::store::get(&state.db, document_id, &crate::documents::store::Visibility::of(caller)).await?;
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
        old: Value::Text(old.clone()),
        new: text(document_id),
    };
    let mut tx = act.begin().await?;
    store::apply(
        &mut *tx,
        id,
        &[change],
        &caller.account_id,
        caller.role.as_str(),
        state.clock.now_ms(),
    )
    .await?;
    crate::documents::store::set_attachment(&mut *tx, document_id, "enterprise_profile", id, DocState::Locked).await?;
    if let Some(old) = old.filter(|o| o != document_id) {
        crate::documents::store::set_attachment(&mut *tx, &old, "enterprise_profile", id, DocState::Available).await?;
    }
    let view = current_view(&mut *tx, id).await?;
    act.commit(tx, format!("enterprise:{id}")).await?;
    Ok(view)
}

/// Sets the business licence (营业执照) from an uploaded document (PDF or image).
#[utoipa::path(put, path = "/enterprises/{id}/business-licence", tag = "enterprises", params(("id" = String, Path)),
    request_body = DocumentChoice, security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn set_business_licence(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
    Json(body): Json<DocumentChoice>,
) -> ApiResult<Json<EnterpriseView>> {
    act.set_target(format!("enterprise:{id}"));
    set_document(
        &state,
        &caller,
        &act,
        &id,
        Purpose::BusinessLicence,
        "business_licence_document_id",
        &body.document_id,
    )
    .await
    .map(Json)
}

/// Sets the enterprise video (企业视频) from an uploaded MP4 or QuickTime document.
#[utoipa::path(put, path = "/enterprises/{id}/video", tag = "enterprises", params(("id" = String, Path)),
    request_body = DocumentChoice, security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn set_video(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
    Json(body): Json<DocumentChoice>,
) -> ApiResult<Json<EnterpriseView>> {
    act.set_target(format!("enterprise:{id}"));
    set_document(
        &state,
        &caller,
        &act,
        &id,
        Purpose::EnterpriseVideo,
        "video_document_id",
        &body.document_id,
    )
    .await
    .map(Json)
}

/// Every recorded change of the profile, newest first: field, old and new value, who, when.
#[utoipa::path(get, path = "/enterprises/{id}/history", tag = "enterprises", params(("id" = String, Path), Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<ChangeView>), (status = 404, body = Problem)))]
async fn enterprise_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ChangeView>>> {
    visible(&state, &caller, &id).await?;
    let (limit, offset) = page.limit_offset();
    Ok(Json(store::history(&state.db, &id, limit, offset).await?))
}
