//! The enterprise's SMS password reset: a code to the contact's phone, then a new password.
//! The API's handlers and the enterprise portal call `request_reset` and `confirm_reset`.

use axum::{extract::State, http::StatusCode, response::IntoResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::Act;
use crate::auth::accounts::PasswordAccount;
use crate::auth::signin::set_password;
use crate::auth::{passwords, sms_codes, throttle, AccountKind};
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::sms::{SmsMessage, SmsTemplate};
use crate::platform::types::{CreditCode, NewPassword, Phone};
use crate::platform::web::{ClientAddress, Json};
use crate::state::AppState;

/// The enterprise account with this credit code, for a password reset.
async fn find_enterprise(state: &AppState, credit_code: &CreditCode) -> ApiResult<Option<PasswordAccount>> {
    let mut conn = state.db.acquire().await?;
    let account = state
        .accounts
        .enterprises
        .find_for_sign_in(&mut conn, credit_code.as_str())
        .await?;
    Ok(account)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[schema(value_type = String, example = "91350100M000100Y43")]
    pub credit_code: CreditCode,
}

#[derive(Serialize, ToSchema)]
pub struct PasswordResetRequested {
    pub message: String,
}

/// Sends a six-digit reset code to the enterprise contact's phone. The answer is the same
/// whether or not the credit code has an account, and whether or not a code goes out (resend
/// interval, SMS outage): always 202 with the same body, the code issued and sent after the
/// answer, so neither status, body nor timing tells accounts apart.
#[utoipa::path(post, path = "/auth/enterprise/password-reset", tag = "auth", request_body = PasswordResetRequest,
    responses((status = 202, body = PasswordResetRequested), (status = 422, body = Problem)))]
pub(super) async fn request_password_reset(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    act: Act,
    Json(body): Json<PasswordResetRequest>,
) -> ApiResult<impl IntoResponse> {
    request_reset(&state, &act, &address, &body.credit_code).await?;
    let answer = PasswordResetRequested {
        message: "如该企业已开通账号，验证码已发送至企业联系人手机".into(),
    };
    Ok((StatusCode::ACCEPTED, Json(answer)))
}

/// Asks for a reset code for `credit_code` from `address`: throttled per address; the code is
/// issued and sent after the return (if the account exists), so the outcome tells nothing.
pub async fn request_reset(state: &AppState, act: &Act, address: &str, credit_code: &CreditCode) -> ApiResult<()> {
    act.set_target(format!("enterprise:{credit_code}"));
    throttle::sms_from_address(state, address).await?;
    if let Some(account) = find_enterprise(state, credit_code).await? {
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(error) = send_reset_code(&state, &account).await {
                tracing::info!(code = error.code, "no reset code sent");
            }
        });
    }
    Ok(())
}

/// Issues a reset code (within the resend interval) and sends it; a code that could not be
/// sent is withdrawn, so it does not count against the interval.
async fn send_reset_code(state: &AppState, account: &PasswordAccount) -> ApiResult<()> {
    let code = sms_codes::issue(state, sms_codes::ENTERPRISE_PASSWORD_RESET, &account.account_id).await?;
    let phone = Phone::parse(account.reset_phone.as_deref().unwrap_or_default())
        .map_err(|_| ApiError::internal("stored contact phone is invalid"))?;
    let minutes = (state.settings.auth.sms_code_ttl_secs / 60).max(1);
    let message = SmsMessage {
        phone,
        template: SmsTemplate::ResetCode,
        params: vec![code, minutes.to_string()],
    };
    if let Err(error) = state.sms.send(&message).await {
        tracing::warn!(%error, "sending the reset code failed");
        sms_codes::withdraw(state, sms_codes::ENTERPRISE_PASSWORD_RESET, &account.account_id).await?;
        throttle::sms_not_sent(state, &account.account_id).await?;
    }
    Ok(())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    #[schema(value_type = String, example = "91350100M000100Y43")]
    pub credit_code: CreditCode,
    /// The six digits from the SMS.
    pub code: String,
    #[schema(value_type = String)]
    pub new_password: NewPassword,
}

/// Sets a new password with the SMS code; every existing session of the enterprise ends.
#[utoipa::path(post, path = "/auth/enterprise/password-reset/confirm", tag = "auth", request_body = PasswordResetConfirm,
    responses((status = 204), (status = 422, body = Problem)))]
pub(super) async fn confirm_password_reset(
    State(state): State<AppState>,
    act: Act,
    Json(body): Json<PasswordResetConfirm>,
) -> ApiResult<StatusCode> {
    confirm_reset(&state, &act, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets the new password if the SMS code is the account's live one; ends every session.
pub async fn confirm_reset(state: &AppState, act: &Act, body: &PasswordResetConfirm) -> ApiResult<()> {
    let target = format!("enterprise:{}", body.credit_code);
    act.set_target(&target);
    let account = find_enterprise(state, &body.credit_code).await?;
    let account_id = account.as_ref().map(|a| a.account_id.as_str());
    sms_codes::consume(state, sms_codes::ENTERPRISE_PASSWORD_RESET, account_id, &body.code).await?;
    let account_id = account_id.unwrap_or_default();
    let hash = passwords::hash(body.new_password.expose().to_owned()).await?;
    let mut tx = act.begin().await?;
    set_password(
        &mut tx,
        &state.accounts,
        AccountKind::Enterprise,
        account_id,
        &hash,
        None,
        state.clock.now_ms(),
    )
    .await?;
    let throttled = throttle::account_key(AccountKind::Enterprise, body.credit_code.as_str());
    throttle::clear(&mut *tx, &throttled).await?;
    act.commit(tx, target).await?;
    state.ended_sessions.read_soon();
    Ok(())
}
