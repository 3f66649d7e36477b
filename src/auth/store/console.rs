//! Console sessions (`auth::console_sessions`): rows of `console_sessions`, found by the
//! SHA-256 of the cookie's token.

use sqlx::FromRow;

use crate::platform::db::{new_id, Executor};

/// A console session as stored.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: String,
    pub account_kind: String,
    pub account_id: String,
    pub csrf_token: String,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// What a new session stores.
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub account_kind: &'a str,
    pub account_id: &'a str,
    pub csrf_token: &'a str,
    pub expires_at: i64,
}

pub async fn insert(db: impl Executor<'_>, new: &NewSession<'_>, now: i64) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO console_sessions (id, token_hash, account_kind, account_id, csrf_token, created_at, last_seen_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
    )
    .bind(&id)
    .bind(new.token_hash)
    .bind(new.account_kind)
    .bind(new.account_id)
    .bind(new.csrf_token)
    .bind(now)
    .bind(new.expires_at)
    .execute(db)
    .await?;
    Ok(id)
}

/// The session of a token hash, unless it was ended.
pub async fn find_live(db: impl Executor<'_>, token_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, account_kind, account_id, csrf_token, last_seen_at, expires_at FROM console_sessions \
         WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// Records that the session was used at `now`.
pub async fn touch(db: impl Executor<'_>, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE console_sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1")
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends one session (sign-out, or found expired).
pub async fn end(db: impl Executor<'_>, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE console_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every console session of an account (password change or reset).
pub async fn end_account(db: impl Executor<'_>, kind: &str, account_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE console_sessions SET revoked_at = $1 WHERE account_kind = $2 AND account_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(kind)
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(())
}
