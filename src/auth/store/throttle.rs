//! Sign-in throttle SQL: attempt counts and locks per key (an account or a client address),
//! and the fixed-window counters behind the SMS sending caps. Every decision is one statement,
//! so parallel requests cannot all read the same count and pass together.

use crate::platform::db::Executor;

/// Takes one sign-in attempt for the key at `now`, in one statement: refused (`None`) while
/// the key is locked; otherwise counts it (a window older than `window_start` starts afresh,
/// as does the count after a lock ran out) and locks the key until `lock_until` when the count
/// reaches `limit`. Returns the count including this attempt.
pub async fn take_attempt(
    db: impl Executor<'_>,
    key: &str,
    limit: i64,
    now: i64,
    window_start: i64,
    lock_until: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO login_throttle (key, failures, window_started_at, locked_until) \
         VALUES ($1, 1, $2, CASE WHEN 1 >= $3 THEN $5 ELSE 0 END) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN login_throttle.window_started_at <= $4 OR login_throttle.failures >= $3 \
             THEN 1 ELSE login_throttle.failures + 1 END, \
           window_started_at = CASE WHEN login_throttle.window_started_at <= $4 OR login_throttle.failures >= $3 \
             THEN $2 ELSE login_throttle.window_started_at END, \
           locked_until = CASE WHEN (CASE WHEN login_throttle.window_started_at <= $4 OR login_throttle.failures >= $3 \
             THEN 1 ELSE login_throttle.failures + 1 END) >= $3 THEN $5 ELSE 0 END \
         WHERE login_throttle.locked_until <= $2 \
         RETURNING failures",
    )
    .bind(key)
    .bind(now)
    .bind(limit)
    .bind(window_start)
    .bind(lock_until)
    .fetch_optional(db)
    .await
}

/// Gives back an attempt that turned out to be no failure (a right password), lifting the
/// lock it may have set.
pub async fn give_back(db: impl Executor<'_>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_throttle SET failures = failures - 1, locked_until = 0 WHERE key = $1 AND failures > 0")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Until when the key is locked, if it has a row.
pub async fn locked_until(db: impl Executor<'_>, key: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT locked_until FROM login_throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(db)
        .await
}

pub async fn clear(db: impl Executor<'_>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Counts one use of `key` in its fixed window, in one statement: refused (`None`) when the
/// window that began after `window_start` already holds `limit` uses; a window that began at
/// or before `window_start` starts afresh at `now`. Returns when the counted window began.
pub async fn take_quota(
    db: impl Executor<'_>,
    key: &str,
    limit: i64,
    now: i64,
    window_start: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO rate_counters (key, used, window_started_at) VALUES ($1, 1, $2) \
         ON CONFLICT (key) DO UPDATE SET \
           used = CASE WHEN rate_counters.window_started_at <= $4 THEN 1 ELSE rate_counters.used + 1 END, \
           window_started_at = CASE WHEN rate_counters.window_started_at <= $4 THEN $2 ELSE rate_counters.window_started_at END \
         WHERE rate_counters.window_started_at <= $4 OR rate_counters.used < $3 \
         RETURNING window_started_at",
    )
    .bind(key)
    .bind(now)
    .bind(limit)
    .bind(window_start)
    .fetch_optional(db)
    .await
}

/// When the key's current window began, if it has one.
pub async fn quota_window(db: impl Executor<'_>, key: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT window_started_at FROM rate_counters WHERE key = $1")
        .bind(key)
        .fetch_optional(db)
        .await
}

/// Gives back one use of `key` (a send that failed).
pub async fn give_back_quota(db: impl Executor<'_>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rate_counters SET used = used - 1 WHERE key = $1 AND used > 0")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}
