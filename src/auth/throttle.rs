//! Sign-in throttling, kept in the database so every instance sees the same counts.
//!
//! Each key (an account, or a client address) counts failed sign-ins within a window of
//! `auth.lockout_secs`; reaching the limit locks the key for `auth.lockout_secs`. A locked key
//! answers 429 with `Retry-After` before any password is checked. A successful sign-in clears
//! the account's count; the address count runs out with its window.

use axum::http::StatusCode;

use crate::platform::error::ApiError;
use crate::state::AppState;

pub fn account_key(kind: super::AccountKind, identifier: &str) -> String {
    format!("account:{}:{}", kind.as_str(), identifier.to_lowercase())
}

pub fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// Refuses with 429 when any of the keys is locked.
pub async fn check(state: &AppState, keys: &[&str]) -> Result<(), ApiError> {
    let now = state.clock.now_ms();
    for key in keys {
        let locked_until: Option<i64> = sqlx::query_scalar("SELECT locked_until FROM login_throttle WHERE key = $1")
            .bind(*key)
            .fetch_optional(&state.db)
            .await?;
        if let Some(until) = locked_until.filter(|until| *until > now) {
            return Err(locked(((until - now) as u64).div_ceil(1000)));
        }
    }
    Ok(())
}

fn locked(retry_after_secs: u64) -> ApiError {
    let minutes = retry_after_secs.div_ceil(60);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "auth.locked",
        format!("登录失败次数过多，请 {minutes} 分钟后再试，或通过短信验证码重置密码"),
        format!("Too many failed sign-ins; try again in {minutes} minutes or reset the password by SMS"),
    )
    .retry_after(retry_after_secs)
}

/// Counts a failure against each key, as (key, limit); locks the keys that reach their limit.
pub async fn record_failure(state: &AppState, keys: &[(&str, i64)]) -> Result<(), ApiError> {
    let now = state.clock.now_ms();
    let window_ms = state.settings.auth.lockout_secs * 1000;
    for (key, limit) in keys {
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO login_throttle (key, failures, window_started_at, locked_until) VALUES ($1, 1, $2, 0) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_throttle.window_started_at <= $3 THEN 1 ELSE login_throttle.failures + 1 END, \
               window_started_at = CASE WHEN login_throttle.window_started_at <= $3 THEN $2 ELSE login_throttle.window_started_at END \
             RETURNING failures",
        )
        .bind(*key)
        .bind(now)
        .bind(now - window_ms)
        .fetch_one(&state.db)
        .await?;
        if failures >= *limit {
            sqlx::query(
                "UPDATE login_throttle SET locked_until = $1, failures = 0, window_started_at = $2 WHERE key = $3",
            )
            .bind(now + window_ms)
            .bind(now)
            .bind(*key)
            .execute(&state.db)
            .await?;
        }
    }
    Ok(())
}

pub async fn clear(db: impl crate::platform::db::Executor<'_>, key: &str) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}
