//! Opening enterprise accounts: one by one, or in bulk from CSV (every row reported); the list
//! of accounts in the caller's jurisdiction.

use axum::{
    body::Bytes,
    extract::{Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{current_view, Locality, MANAGERS};
use crate::audit::Act;
use crate::auth::{passwords, Caller};
use crate::enterprises::store::{self, EnterpriseView};
use crate::platform::db::is_unique_violation;
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::EnterpriseId;
use crate::platform::imports::{errors_of, ImportError, Table};
use crate::platform::paging::Page;
use crate::platform::sms::{SmsMessage, SmsTemplate};
use crate::platform::types::{blank_as_none, CreditCode, DistrictCode, Phone, Text};
use crate::platform::web::Json;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEnterprise {
    #[schema(value_type = String, example = "91350100M000100Y43")]
    pub credit_code: CreditCode,
    #[schema(value_type = String)]
    pub name: Text<200>,
    #[schema(value_type = String, example = "370102")]
    pub district_code: DistrictCode,
    #[schema(value_type = String)]
    pub contact_name: Text<50>,
    /// Mainland mobile number; receives the initial password by SMS.
    #[schema(value_type = String, example = "13812345678")]
    pub contact_phone: Phone,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[schema(value_type = Option<String>)]
    pub registered_address: Option<Text<300>>,
    pub locality: Option<Locality>,
}

fn registered_address(body: &CreateEnterprise) -> &str {
    body.registered_address.as_ref().map_or("", Text::as_str)
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
    Ok(())
}

/// Opens a checked account as an act of its own and sends the initial password to the contact
/// (seed 004). The SMS goes out after the commit, so no database lock waits on the SMS
/// provider; when it cannot be sent, a second act withdraws the account again, so no account
/// stays whose password nobody got.
async fn open_account(
    state: &AppState,
    act: &Act,
    caller: &Caller,
    body: &CreateEnterprise,
) -> ApiResult<EnterpriseId> {
    let password = passwords::generate();
    let hash = passwords::hash(password.clone()).await?;
    let new = store::NewEnterprise {
        credit_code: body.credit_code.as_str(),
        name: body.name.as_str(),
        district_code: body.district_code.as_str(),
        contact_name: body.contact_name.as_str(),
        contact_phone: body.contact_phone.as_str(),
        password_hash: &hash,
        created_by: &caller.staff_id(),
        registered_address: registered_address(body),
        locality: body.locality.unwrap_or(Locality::Local).as_str(),
    };
    let mut tx = act.begin().await?;
    let id = store::insert(&mut tx, &state.keys, &new, state.clock.now_ms())
        .await
        .map_err(|e| {
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
    act.commit(tx, format!("enterprise:{id}")).await?;
    let message = SmsMessage {
        phone: body.contact_phone.clone(),
        template: SmsTemplate::InitialPassword,
        params: vec![body.credit_code.to_string(), password],
    };
    if let Err(error) = state.sms.send(&message).await {
        tracing::warn!(%error, "sending the initial password failed; account withdrawn");
        let mut tx = act.begin().await?;
        store::withdraw(&mut tx, &id).await?;
        act.commit(tx, format!("enterprise:{id} withdrawn: initial password not delivered"))
            .await?;
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
pub(super) async fn create_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<CreateEnterprise>,
) -> ApiResult<(StatusCode, Json<EnterpriseView>)> {
    caller.require(MANAGERS)?;
    check_account(&caller, &body)?;
    let id = open_account(&state, &act, &caller, &body).await?;
    let view = current_view(&mut *state.db.acquire().await?, &id).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Serialize, ToSchema)]
#[schema(as = EnterpriseImportRow)]
pub struct ImportRow {
    /// The CSV line the row starts on.
    pub line: usize,
    pub credit_code: String,
    /// created | refused
    pub outcome: &'static str,
    #[schema(value_type = Option<String>)]
    pub enterprise_id: Option<EnterpriseId>,
    /// Why the row was refused: codes and messages, per field where one is at fault.
    pub errors: Vec<ImportError>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = EnterpriseImportReport)]
pub struct ImportReport {
    pub created: usize,
    pub refused: usize,
    pub rows: Vec<ImportRow>,
}

pub(super) const IMPORT_COLUMNS: [&str; 5] = ["credit_code", "name", "district_code", "contact_name", "contact_phone"];

/// One imported row read as the form's body, refused as the form would be.
pub(super) fn import_row(table: &Table, fields: &[String]) -> ApiResult<CreateEnterprise> {
    let cell = |name: &str| table.cell(fields, name);
    let row = json!({
        "credit_code": cell("credit_code"), "name": cell("name"), "district_code": cell("district_code"),
        "contact_name": cell("contact_name"), "contact_phone": cell("contact_phone"),
        "registered_address": cell("registered_address"),
        "locality": Some(cell("locality")).filter(|l| !l.is_empty()),
    });
    crate::platform::web::parse_json::<CreateEnterprise>(row.to_string().as_bytes())
}

/// Opens enterprise accounts in bulk from CSV (UTF-8 or GB18030) or an XLSX workbook (a header row naming at least
/// credit_code, name, district_code, contact_name, contact_phone; optionally
/// registered_address and locality). Every row is reported: created, or refused with the reasons.
#[utoipa::path(post, path = "/enterprises/import", tag = "enterprises", security(("bearer" = [])),
    request_body(content((String = "text/csv"), (crate::platform::imports::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "CSV with a header row, in UTF-8 or GB18030 (as Excel and WPS save it on Chinese Windows), or an XLSX workbook whose first sheet has the header row"),
    responses((status = 200, body = ImportReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn import_enterprises(
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
    // Each row is an act of its own: a refused row leaves nothing, and no transaction stays
    // open across the rows' password hashing and SMS.
    for (line, fields) in &table.rows {
        let line = *line;
        let cell = |name: &str| table.cell(fields, name);
        let outcome = match import_row(&table, fields) {
            Ok(body) => match check_account(&caller, &body) {
                Ok(()) => open_account(&state, &act, &caller, &body).await,
                Err(error) => Err(error),
            },
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
    Ok(Json(report))
}

/// Lists enterprise accounts within the caller's jurisdiction.
#[utoipa::path(get, path = "/enterprises", tag = "enterprises", params(Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<EnterpriseView>), (status = 403, body = Problem)))]
pub(super) async fn list_enterprises(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<EnterpriseView>>> {
    let rows = super::reading::list(&state, &caller, &store::Search::default(), &page).await?;
    let mut conn = state.db.acquire().await?;
    let mut views = Vec::new();
    for row in rows {
        views.push(store::full_view(&mut conn, row).await?);
    }
    Ok(Json(views))
}

#[cfg(test)]
mod fuzz;
