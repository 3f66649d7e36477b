//! Enterprise accounts: staff open them; the enterprise and the staff of its district read them.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{self, EnterpriseView};
use crate::audit::AuditContext;
use crate::auth::{passwords, Caller, Role};
use crate::db::is_unique_violation;
use crate::error::{ApiError, ApiResult, Problem};
use crate::notify::sms::{SmsMessage, SmsTemplate};
use crate::paging::Page;
use crate::state::AppState;
use crate::types::{CreditCode, DistrictCode, Name, Phone};
use crate::web::Json;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_enterprise, list_enterprises))
        .routes(routes!(get_enterprise))
}

/// Staff who manage enterprise accounts.
const MANAGERS: &[Role] = &[Role::City, Role::District, Role::Sysadmin];

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
}

/// Opens an enterprise account in the caller's jurisdiction and sends the initial password to
/// the contact by SMS. If the SMS cannot be sent, no account is left behind.
#[utoipa::path(post, path = "/enterprises", tag = "enterprises", request_body = CreateEnterprise, security(("bearer" = [])),
    responses((status = 201, body = EnterpriseView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn create_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    audit: AuditContext,
    Json(body): Json<CreateEnterprise>,
) -> ApiResult<(StatusCode, Json<EnterpriseView>)> {
    caller.require(MANAGERS)?;
    if !caller.covers_district(body.district_code.as_str()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "enterprise.outside_jurisdiction",
            "只能为本辖区的企业开通账号",
            "You can only open accounts for enterprises in your district",
        ));
    }
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
    };
    let id = store::insert(&state.db, &new, state.clock.now_ms())
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
    audit.set_target(format!("enterprise:{id}"));
    let message = SmsMessage {
        phone: body.contact_phone.clone(),
        template: SmsTemplate::InitialPassword,
        params: vec![body.credit_code.to_string(), password],
    };
    if let Err(error) = state.sms.send(&message).await {
        tracing::warn!(%error, "sending the initial password failed; account withdrawn");
        store::delete(&state.db, &id).await?;
        return Err(ApiError::unavailable(
            "sms.unavailable",
            "初始密码短信发送失败，账号未开通，请稍后重试",
            "The initial password could not be sent by SMS; the account was not opened. Try again shortly",
        ));
    }
    let row = store::get(&state.db, &id, None, None)
        .await?
        .ok_or_else(|| ApiError::internal("created enterprise vanished"))?;
    Ok((StatusCode::CREATED, Json(row.into())))
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
    let rows = store::list(&state.db, caller.district(), limit, offset).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// One enterprise: its own account, or staff whose jurisdiction covers it; 404 otherwise.
#[utoipa::path(get, path = "/enterprises/{id}", tag = "enterprises", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 404, body = Problem)))]
async fn get_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<EnterpriseView>> {
    let not_found = || ApiError::not_found("企业", "Enterprise");
    let row = match caller.role {
        Role::Enterprise => store::get(&state.db, &id, caller.enterprise_id(), None).await?,
        Role::Person => None,
        _ => store::get(&state.db, &id, None, caller.district()).await?,
    };
    row.map(|r| Json(r.into())).ok_or_else(not_found)
}
