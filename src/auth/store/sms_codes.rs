//! SMS code SQL: one live code per account and purpose, stored as an HMAC.

use crate::platform::db::{new_id, Conn, Executor};

/// Voids the account's live code and stores the new one's hash.
pub async fn replace(
    conn: &mut Conn,
    purpose: &str,
    account_id: &str,
    code_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sms_codes SET consumed_at = $1 WHERE purpose = $2 AND account_id = $3 AND consumed_at IS NULL")
        .bind(now)
        .bind(purpose)
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO sms_codes (id, purpose, account_id, code_hash, created_at, expires_at, attempts) \
         VALUES ($1, $2, $3, $4, $5, $6, 0)",
    )
    .bind(new_id())
    .bind(purpose)
    .bind(account_id)
    .bind(code_hash)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes the account's live code.
pub async fn withdraw(db: impl Executor<'_>, purpose: &str, account_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sms_codes WHERE purpose = $1 AND account_id = $2 AND consumed_at IS NULL")
        .bind(purpose)
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The account's live code: (id, code hash, expires at, wrong attempts so far).
pub async fn live(
    db: impl Executor<'_>,
    purpose: &str,
    account_id: &str,
) -> Result<Option<(String, String, i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code_hash, expires_at, attempts FROM sms_codes \
         WHERE purpose = $1 AND account_id = $2 AND consumed_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .bind(purpose)
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Counts one entry of the code unless it already has `max_attempts` (or was spent);
/// the count including this entry, or `None` when none is left.
pub async fn take_attempt(db: impl Executor<'_>, id: &str, max_attempts: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE sms_codes SET attempts = attempts + 1 WHERE id = $1 AND attempts < $2 AND consumed_at IS NULL \
         RETURNING attempts",
    )
    .bind(id)
    .bind(max_attempts)
    .fetch_optional(db)
    .await
}

/// Spends the code at `now`; false if it was spent meanwhile.
pub async fn spend(db: impl Executor<'_>, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let spent = sqlx::query("UPDATE sms_codes SET consumed_at = $1 WHERE id = $2 AND consumed_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(spent.rows_affected() == 1)
}
