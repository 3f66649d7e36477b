//! Sign-in throttling, kept in the database so every instance sees the same counts.
//!
//! Each key (an account, or a client address) counts failed sign-ins within a window of
//! `auth.lockout_secs`; reaching the limit locks the key for `auth.lockout_secs`. A locked key
//! answers 429 with `Retry-After` before any password is checked. A successful sign-in clears
//! the account's count; the address count runs out with its window.

use axum::http::StatusCode;

use super::store::throttle as store;
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
        let locked_until = store::locked_until(&state.db, key).await?;
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
        let failures = store::count_failure(&state.db, key, now, now - window_ms).await?;
        if failures >= *limit {
            store::lock(&state.db, key, now + window_ms, now).await?;
        }
    }
    Ok(())
}

pub async fn clear(db: impl crate::platform::db::Executor<'_>, key: &str) -> Result<(), ApiError> {
    Ok(store::clear(db, key).await?)
}
