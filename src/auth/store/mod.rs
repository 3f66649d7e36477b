//! Sign-in sessions: refresh-token families, rotation, revocation. A refresh reads the
//! account's current role and scope afresh through its domain's port (`Accounts`). Every
//! function runs on the caller's connection, so a sign-in, refresh or sign-out commits with
//! its audit event.

pub mod console;
pub mod sms_codes;
pub mod throttle;

use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use super::tokens::{hash_refresh_token, new_refresh_token, Subject, TokenKeys};
use super::{AccountKind, Accounts, Channel, Role};
use crate::platform::db::{new_id, Conn, Executor};
use crate::platform::error::{ApiError, ApiResult};

// Roles and channels in account and token rows decode strictly: an unknown role must never
// become some default role.
crate::text_column!(Role, Channel);

/// What a successful sign-in or refresh answers.
#[derive(Serialize, ToSchema)]
pub struct TokenPair {
    /// JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque; exchange it once at `/api/v1/auth/refresh` for a new pair.
    pub refresh_token: String,
    pub refresh_expires_in: i64,
    pub account_id: String,
    pub role: Role,
}

/// Starts a new session (a new refresh-token family) for `subject`.
pub async fn start_session(
    db: impl Executor<'_>,
    tokens: &TokenKeys,
    subject: &Subject,
    now: i64,
) -> ApiResult<TokenPair> {
    issue(db, tokens, subject, &new_id(), now).await
}

async fn issue(
    db: impl Executor<'_>,
    tokens: &TokenKeys,
    subject: &Subject,
    family_id: &str,
    now: i64,
) -> ApiResult<TokenPair> {
    let refresh_ttl = tokens.refresh_ttl_secs();
    let (refresh_token, hash) = new_refresh_token();
    sqlx::query(
        "INSERT INTO refresh_tokens (id, family_id, account_kind, account_id, channel, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(family_id)
    .bind(subject.role.account_kind().as_str())
    .bind(&subject.account_id)
    .bind(subject.channel.as_str())
    .bind(&hash)
    .bind(now)
    .bind(now + refresh_ttl * 1000)
    .execute(db)
    .await?;
    Ok(TokenPair {
        access_token: tokens.issue(subject, family_id, now),
        token_type: "Bearer",
        expires_in: tokens.access_ttl_secs(),
        refresh_token,
        refresh_expires_in: refresh_ttl,
        account_id: subject.account_id.clone(),
        role: subject.role,
    })
}

fn refresh_refused(code: &'static str, zh: &'static str, en: &'static str) -> ApiError {
    let mut e = ApiError::new(axum::http::StatusCode::UNAUTHORIZED, code, zh, en);
    e.authenticate = Some("Bearer realm=\"zhujian\", error=\"invalid_token\"".into());
    e
}

/// How a refresh went.
pub enum Rotation {
    /// A new pair in the same family, for the account named.
    Issued { pair: TokenPair, subject: Subject },
    /// Refused. When `revoke_family` is set, the family must end although the request is
    /// refused (a spent token was presented: evidence of theft; or the account is disabled).
    Refused {
        error: ApiError,
        revoke_family: Option<String>,
    },
}

/// Exchanges a refresh token for a new pair in the same family. A token that was already
/// used is evidence of theft: the whole family is to be revoked.
pub async fn rotate(
    conn: &mut Conn,
    tokens: &TokenKeys,
    accounts: &Accounts,
    refresh_token: &str,
    now: i64,
) -> ApiResult<Rotation> {
    let refused = |error| {
        Ok(Rotation::Refused {
            error,
            revoke_family: None,
        })
    };
    let invalid = || {
        refresh_refused(
            "auth.invalid_refresh_token",
            "刷新令牌无效，请重新登录",
            "The refresh token is not valid; sign in again",
        )
    };
    let Some(row) = sqlx::query(
        "SELECT id, family_id, account_kind, account_id, channel, expires_at, used_at, revoked_at \
         FROM refresh_tokens WHERE token_hash = $1",
    )
    .bind(hash_refresh_token(refresh_token))
    .fetch_optional(&mut *conn)
    .await?
    else {
        return refused(invalid());
    };
    let id: String = row.try_get("id")?;
    let family_id: String = row.try_get("family_id")?;
    if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
        return refused(invalid());
    }
    let reused = Rotation::Refused {
        error: refresh_refused(
            "auth.refresh_token_reused",
            "刷新令牌已被使用过，为安全起见该登录已全部注销，请重新登录",
            "This refresh token was already used; every token of this sign-in is now revoked. Sign in again",
        ),
        revoke_family: Some(family_id.clone()),
    };
    if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
        return Ok(reused);
    }
    if row.try_get::<i64, _>("expires_at")? <= now {
        return refused(refresh_refused(
            "auth.refresh_token_expired",
            "登录已过期，请重新登录",
            "The refresh token has expired; sign in again",
        ));
    }
    let claimed =
        sqlx::query("UPDATE refresh_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL")
            .bind(now)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
    if claimed.rows_affected() != 1 {
        // Another request spent it a moment ago: the same reuse, seen from the other side.
        return Ok(reused);
    }
    let kind: String = row.try_get("account_kind")?;
    let account_id: String = row.try_get("account_id")?;
    let channel: Channel = row.try_get("channel")?;
    let subject = match AccountKind::parse(&kind) {
        Some(kind) => accounts.current_subject(&mut *conn, kind, &account_id, channel).await?,
        None => None,
    };
    let Some(subject) = subject else {
        return Ok(Rotation::Refused {
            error: refresh_refused("auth.account_disabled", "账号已停用", "The account is disabled"),
            revoke_family: Some(family_id),
        });
    };
    let pair = issue(&mut *conn, tokens, &subject, &family_id, now).await?;
    Ok(Rotation::Issued { pair, subject })
}

/// Revokes the family the token belongs to (sign-out) and names its account as (kind, id).
/// Unknown tokens are ignored.
pub async fn revoke_by_token(conn: &mut Conn, refresh_token: &str, now: i64) -> ApiResult<Option<(String, String)>> {
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT family_id, account_kind, account_id FROM refresh_tokens WHERE token_hash = $1")
            .bind(hash_refresh_token(refresh_token))
            .fetch_optional(&mut *conn)
            .await?;
    let Some((family_id, kind, account_id)) = row else {
        return Ok(None);
    };
    revoke_family(&mut *conn, &family_id, now).await?;
    Ok(Some((kind, account_id)))
}

pub async fn revoke_family(db: impl Executor<'_>, family_id: &str, now: i64) -> ApiResult<()> {
    sqlx::query("UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(family_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Revokes every session of an account (password change or reset): its refresh-token
/// families and its console sessions.
pub async fn revoke_account(conn: &mut Conn, kind: AccountKind, account_id: &str, now: i64) -> ApiResult<()> {
    console::end_account(&mut *conn, kind.as_str(), account_id, now).await?;
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE account_kind = $2 AND account_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(kind.as_str())
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The sign-in sessions (refresh-token families) revoked after `since`, with when (the
/// latest revocation of each). The tokens are read by `refresh_tokens_revoked` and grouped
/// here: grouped in SQL, the generic plan may read the whole table in family order instead.
pub async fn revoked_since(db: impl Executor<'_>, since: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT family_id, revoked_at FROM refresh_tokens WHERE revoked_at > $1")
            .bind(since)
            .fetch_all(db)
            .await?;
    let mut latest = std::collections::BTreeMap::new();
    for (family, at) in rows {
        let when = latest.entry(family).or_insert(at);
        *when = (*when).max(at);
    }
    Ok(latest.into_iter().collect())
}
