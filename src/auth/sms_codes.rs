//! One-time SMS codes: six digits, valid for `auth.sms_code_ttl_secs`, at most
//! `auth.sms_code_max_attempts` entries (each counted atomically before it is compared), at
//! most one new code per `auth.sms_code_resend_secs` and the daily caps of `throttle`. A new code voids the previous one. Only an HMAC of the code
//! under a server key is stored, so a copy of the database does not reveal live codes.

use axum::http::StatusCode;
use rand::Rng;

use super::store::sms_codes as store;
use crate::platform::crypto::constant_time_eq;
use crate::platform::error::{ApiError, ApiResult};
use crate::state::AppState;

pub const ENTERPRISE_PASSWORD_RESET: &str = "enterprise_password_reset";

fn code_hash(state: &AppState, purpose: &str, account_id: &str, code: &str) -> String {
    state.keys.mac("sms-code", &format!("{purpose}\n{account_id}\n{code}"))
}

/// Creates a new code for the account and returns it (to be sent, never shown).
pub async fn issue(state: &AppState, purpose: &str, account_id: &str) -> ApiResult<String> {
    let now = state.clock.now_ms();
    let auth = &state.settings.auth;
    let resend_key = resend_key(purpose, account_id);
    let window_ms = auth.sms_code_resend_secs * 1000;
    if let Err(secs) = super::throttle::take_quota(state, &resend_key, 1, window_ms).await? {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "auth.sms_code_too_soon",
            format!("验证码已发送，请 {secs} 秒后再重新获取"),
            format!("A code was just sent; ask for a new one in {secs} seconds"),
        )
        .retry_after(secs));
    }
    if let Err(capped) = super::throttle::sms_to_account(state, account_id).await {
        super::throttle::give_back_quota(state, &resend_key).await?;
        return Err(capped);
    }
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let hash = code_hash(state, purpose, account_id, &code);
    let mut tx = crate::platform::db::begin_write(&state.db, state.engine).await?;
    store::replace(
        &mut tx,
        purpose,
        account_id,
        &hash,
        now,
        now + auth.sms_code_ttl_secs * 1000,
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}

fn resend_key(purpose: &str, account_id: &str) -> String {
    format!("sms:resend:{purpose}:{account_id}")
}

/// Withdraws the account's live code (when sending it failed); a new one may be asked for at
/// once.
pub async fn withdraw(state: &AppState, purpose: &str, account_id: &str) -> ApiResult<()> {
    super::throttle::give_back_quota(state, &resend_key(purpose, account_id)).await?;
    Ok(store::withdraw(&state.db, purpose, account_id).await?)
}

fn invalid_code(remaining: i64) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "auth.sms_code_invalid",
        format!("验证码不正确，还可尝试 {remaining} 次"),
        format!("The code is wrong; {remaining} attempts left"),
    )
    .with_field(
        "code",
        "auth.sms_code_invalid",
        crate::platform::error::Message::new("验证码不正确", "Wrong code"),
    )
}

/// Spends the account's live code if `code` matches it.
pub async fn consume(state: &AppState, purpose: &str, account_id: Option<&str>, code: &str) -> ApiResult<()> {
    let now = state.clock.now_ms();
    let max_attempts = state.settings.auth.sms_code_max_attempts;
    let expired = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "auth.sms_code_expired",
            "验证码已失效，请重新获取",
            "The code has expired or was replaced; ask for a new one",
        )
    };
    // An unknown account gets the same answer as a wrong code.
    let Some(account_id) = account_id else {
        return Err(invalid_code(max_attempts - 1));
    };
    let row = store::live(&state.db, purpose, account_id).await?;
    let Some((id, stored, expires_at, _)) = row else {
        return Err(expired());
    };
    if expires_at <= now {
        return Err(expired());
    }
    // The entry is counted before it is compared, in one statement, so parallel guesses
    // cannot pass the limit together.
    let Some(attempts) = store::take_attempt(&state.db, &id, max_attempts).await? else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "auth.sms_code_exhausted",
            "验证码输错次数过多，请重新获取",
            "Too many wrong entries for this code; ask for a new one",
        ));
    };
    let given = code_hash(state, purpose, account_id, code.trim());
    if !constant_time_eq(given.as_bytes(), stored.as_bytes()) {
        return Err(invalid_code(max_attempts - attempts));
    }
    if !store::spend(&state.db, &id, now).await? {
        return Err(expired());
    }
    Ok(())
}
