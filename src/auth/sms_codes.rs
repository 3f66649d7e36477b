//! One-time SMS codes: six digits, valid for `auth.sms_code_ttl_secs`, at most
//! `auth.sms_code_max_attempts` wrong entries, at most one new code per
//! `auth.sms_code_resend_secs`. A new code voids the previous one. Only an HMAC of the code
//! under a server key is stored, so a copy of the database does not reveal live codes.

use axum::http::StatusCode;
use rand::Rng;

use crate::platform::crypto::constant_time_eq;
use crate::platform::db::new_id;
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
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(created_at) FROM sms_codes WHERE purpose = $1 AND account_id = $2")
            .bind(purpose)
            .bind(account_id)
            .fetch_one(&state.db)
            .await?;
    if let Some(wait_ms) = last
        .map(|t| t + auth.sms_code_resend_secs * 1000 - now)
        .filter(|w| *w > 0)
    {
        let secs = (wait_ms as u64).div_ceil(1000);
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "auth.sms_code_too_soon",
            format!("验证码已发送，请 {secs} 秒后再重新获取"),
            format!("A code was just sent; ask for a new one in {secs} seconds"),
        )
        .retry_after(secs));
    }
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE sms_codes SET consumed_at = $1 WHERE purpose = $2 AND account_id = $3 AND consumed_at IS NULL")
        .bind(now)
        .bind(purpose)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO sms_codes (id, purpose, account_id, code_hash, created_at, expires_at, attempts) \
         VALUES ($1, $2, $3, $4, $5, $6, 0)",
    )
    .bind(new_id())
    .bind(purpose)
    .bind(account_id)
    .bind(code_hash(state, purpose, account_id, &code))
    .bind(now)
    .bind(now + auth.sms_code_ttl_secs * 1000)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(code)
}

/// Withdraws the account's live code (when sending it failed).
pub async fn withdraw(state: &AppState, purpose: &str, account_id: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM sms_codes WHERE purpose = $1 AND account_id = $2 AND consumed_at IS NULL")
        .bind(purpose)
        .bind(account_id)
        .execute(&state.db)
        .await?;
    Ok(())
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
    let row: Option<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, code_hash, expires_at, attempts FROM sms_codes \
         WHERE purpose = $1 AND account_id = $2 AND consumed_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .bind(purpose)
    .bind(account_id)
    .fetch_optional(&state.db)
    .await?;
    let Some((id, stored, expires_at, attempts)) = row else {
        return Err(expired());
    };
    if expires_at <= now {
        return Err(expired());
    }
    if attempts >= max_attempts {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "auth.sms_code_exhausted",
            "验证码输错次数过多，请重新获取",
            "Too many wrong entries for this code; ask for a new one",
        ));
    }
    let given = code_hash(state, purpose, account_id, code.trim());
    if !constant_time_eq(given.as_bytes(), stored.as_bytes()) {
        sqlx::query("UPDATE sms_codes SET attempts = attempts + 1 WHERE id = $1")
            .bind(&id)
            .execute(&state.db)
            .await?;
        return Err(invalid_code(max_attempts - attempts - 1));
    }
    let spent = sqlx::query("UPDATE sms_codes SET consumed_at = $1 WHERE id = $2 AND consumed_at IS NULL")
        .bind(now)
        .bind(&id)
        .execute(&state.db)
        .await?;
    if spent.rows_affected() != 1 {
        return Err(expired());
    }
    Ok(())
}
