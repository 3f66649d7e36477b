//! Sign-in throttling and SMS sending caps, kept in the database so every instance sees the
//! same counts, and each decided in one atomic statement so parallel requests cannot pass a
//! limit together.
//!
//! Sign-in: each key (an account, or a client address) may have `limit` attempts within a
//! window of `auth.lockout_secs`. An attempt is taken *before* the password is checked; the
//! attempt that reaches the limit locks the key for `auth.lockout_secs`, and a locked key
//! answers 429 with `Retry-After` without checking anything. A right password gives its
//! attempt back (and clears the account's count).
//!
//! SMS: a fixed window of a day per key (an account, a client address, and all sends).

use axum::http::StatusCode;

use super::store::throttle as store;
use crate::platform::error::ApiError;
use crate::state::AppState;

const DAY_MS: i64 = 24 * 3600 * 1000;

pub fn account_key(kind: super::AccountKind, identifier: &str) -> String {
    format!("account:{}:{}", kind.as_str(), identifier.to_lowercase())
}

pub fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// Takes one sign-in attempt from each key, as (key, limit); refuses with 429 when a key is
/// locked, giving back the attempts already taken.
pub async fn take_attempt(state: &AppState, keys: &[(&str, i64)]) -> Result<(), ApiError> {
    let now = state.clock.now_ms();
    let window_ms = state.settings.auth.lockout_secs * 1000;
    for (i, (key, limit)) in keys.iter().enumerate() {
        if store::take_attempt(&state.db, key, *limit, now, now - window_ms, now + window_ms)
            .await?
            .is_none()
        {
            for (taken, _) in &keys[..i] {
                store::give_back(&state.db, taken).await?;
            }
            let until = store::locked_until(&state.db, key).await?.unwrap_or(now + 1000);
            return Err(locked(((until - now).max(1000) as u64).div_ceil(1000)));
        }
    }
    Ok(())
}

/// Gives back an attempt that was no failure.
pub async fn give_back(db: impl crate::platform::db::Executor<'_>, key: &str) -> Result<(), ApiError> {
    Ok(store::give_back(db, key).await?)
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

pub async fn clear(db: impl crate::platform::db::Executor<'_>, key: &str) -> Result<(), ApiError> {
    Ok(store::clear(db, key).await?)
}

/// Counts one use of `key` in a window of `window_ms`; `Err(retry_after_secs)` when the window
/// already holds `limit` uses.
pub async fn take_quota(state: &AppState, key: &str, limit: i64, window_ms: i64) -> Result<Result<(), u64>, ApiError> {
    let now = state.clock.now_ms();
    if store::take_quota(&state.db, key, limit, now, now - window_ms)
        .await?
        .is_some()
    {
        return Ok(Ok(()));
    }
    let started = store::quota_window(&state.db, key).await?.unwrap_or(now);
    Ok(Err(((started + window_ms - now).max(1000) as u64).div_ceil(1000)))
}

/// Counts one reset-code SMS asked for from `address`; 429 past `auth.sms_per_address_per_day`.
pub async fn sms_from_address(state: &AppState, address: &str) -> Result<(), ApiError> {
    let limit = state.settings.auth.sms_per_address_per_day;
    take_quota(state, &format!("sms:address:{address}"), limit, DAY_MS)
        .await?
        .map_err(|secs| sms_capped(secs, "sms.address_limit"))
}

/// Counts one reset-code SMS to the account and one of all sends; 429 past
/// `auth.sms_per_account_per_day` or `auth.sms_per_day`.
pub async fn sms_to_account(state: &AppState, account_id: &str) -> Result<(), ApiError> {
    let auth = &state.settings.auth;
    take_quota(
        state,
        &account_sms_key(account_id),
        auth.sms_per_account_per_day,
        DAY_MS,
    )
    .await?
    .map_err(|secs| sms_capped(secs, "sms.account_limit"))?;
    if let Err(secs) = take_quota(state, "sms:all", auth.sms_per_day, DAY_MS).await? {
        store::give_back_quota(&state.db, &account_sms_key(account_id)).await?;
        return Err(sms_capped(secs, "sms.daily_limit"));
    }
    Ok(())
}

fn account_sms_key(account_id: &str) -> String {
    format!("sms:account:{account_id}")
}

/// Gives back the account's and the day's count of an SMS that could not be sent.
pub async fn sms_not_sent(state: &AppState, account_id: &str) -> Result<(), ApiError> {
    store::give_back_quota(&state.db, &account_sms_key(account_id)).await?;
    Ok(store::give_back_quota(&state.db, "sms:all").await?)
}

/// Gives back one use of `key`.
pub async fn give_back_quota(state: &AppState, key: &str) -> Result<(), ApiError> {
    Ok(store::give_back_quota(&state.db, key).await?)
}

fn sms_capped(retry_after_secs: u64, code: &'static str) -> ApiError {
    let hours = retry_after_secs.div_ceil(3600);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        code,
        format!("今日短信验证码发送次数已达上限，请 {hours} 小时后再试"),
        format!("Too many SMS codes were asked for today; try again in {hours} hours"),
    )
    .retry_after(retry_after_secs)
}
