//! Sign-in throttle SQL: failure counts and locks per key (an account or a client address).

use crate::platform::db::Executor;

/// Until when the key is locked, if it has a row.
pub async fn locked_until(db: impl Executor<'_>, key: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT locked_until FROM login_throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(db)
        .await
}

/// Counts one failure at `now`, starting a new window when the last one began at or before
/// `window_start`; returns the failures in the current window.
pub async fn count_failure(db: impl Executor<'_>, key: &str, now: i64, window_start: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO login_throttle (key, failures, window_started_at, locked_until) VALUES ($1, 1, $2, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN login_throttle.window_started_at <= $3 THEN 1 ELSE login_throttle.failures + 1 END, \
           window_started_at = CASE WHEN login_throttle.window_started_at <= $3 THEN $2 ELSE login_throttle.window_started_at END \
         RETURNING failures",
    )
    .bind(key)
    .bind(now)
    .bind(window_start)
    .fetch_one(db)
    .await
}

/// Locks the key until `until` and starts its count afresh.
pub async fn lock(db: impl Executor<'_>, key: &str, until: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_throttle SET locked_until = $1, failures = 0, window_started_at = $2 WHERE key = $3")
        .bind(until)
        .bind(now)
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn clear(db: impl Executor<'_>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}
