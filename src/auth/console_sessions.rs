//! Sessions of the web consoles (the staff console and the enterprise portal): a cookie carries 256 random bits, the database keeps
//! their SHA-256 (as for refresh tokens), with the session's form token (CSRF), its idle and
//! absolute expiry (`auth.console_idle_secs`, `auth.console_max_secs`). Each request reads the
//! account's current role and scope through its port, as a token refresh does, so a disabled
//! account's session stops at once; password change and reset end the account's sessions
//! (`store::revoke_account`).

use super::store::console::{self as store, NewSession, SessionRow};
use super::tokens::{hash_refresh_token, new_refresh_token};
use super::{signin::Verified, AccountKind, Caller, Channel, Role};
use crate::platform::db::Conn;
use crate::platform::error::ApiResult;
use crate::state::AppState;

/// How rarely `last_seen_at` is written: a page view within this of the last one writes nothing.
const TOUCH_EVERY_MS: i64 = 60_000;

/// Which console a session opens: the staff console (`/console/`) admits staff only, the
/// enterprise portal (`/enterprise/`) enterprises only. A session of one never opens the other,
/// whatever cookie carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Portal {
    Staff,
    Enterprise,
}

impl Portal {
    /// Whether an account of `role` may use this portal.
    pub fn admits(self, role: Role) -> bool {
        match self {
            Portal::Staff => role.is_staff(),
            Portal::Enterprise => role == Role::Enterprise,
        }
    }
}

/// A session just opened: the cookie's token and the form token.
pub struct Opened {
    pub token: String,
    pub csrf_token: String,
}

/// A live session and who it belongs to.
pub struct Live {
    pub id: String,
    pub caller: Caller,
    pub csrf_token: String,
}

/// Opens a session for a verified sign-in (the caller checked the portal admits it), in the act's transaction.
pub async fn open(conn: &mut Conn, state: &AppState, verified: &Verified) -> ApiResult<Opened> {
    let (token, token_hash) = new_refresh_token();
    let (csrf_token, _) = new_refresh_token();
    let now = state.clock.now_ms();
    let new = NewSession {
        token_hash: &token_hash,
        account_kind: verified.subject.role.account_kind().as_str(),
        account_id: &verified.subject.account_id,
        csrf_token: &csrf_token,
        expires_at: now + state.settings.auth.console_max_secs * 1000,
    };
    store::insert(&mut *conn, &new, now).await?;
    Ok(Opened { token, csrf_token })
}

/// Whether a session is still within its idle and absolute expiry at `now`.
pub fn alive(row: &SessionRow, now: i64, idle_secs: i64) -> bool {
    now < row.expires_at && now < row.last_seen_at + idle_secs * 1000
}

/// The live session of a cookie's token, with the caller it acts as; `None` when unknown,
/// ended, expired (then ended), or its account is disabled or not one `portal` admits.
pub async fn resolve(state: &AppState, portal: Portal, token: &str) -> ApiResult<Option<Live>> {
    let now = state.clock.now_ms();
    let mut conn = state.db.acquire().await?;
    let Some(row) = store::find_live(&mut *conn, &hash_refresh_token(token)).await? else {
        return Ok(None);
    };
    if !alive(&row, now, state.settings.auth.console_idle_secs) {
        store::end(&mut *conn, &row.id, now).await?;
        return Ok(None);
    }
    let Some(kind) = AccountKind::parse(&row.account_kind) else {
        return Ok(None);
    };
    let subject = state
        .accounts
        .current_subject(&mut conn, kind, &row.account_id, Channel::Web)
        .await?;
    let Some(subject) = subject.filter(|s| portal.admits(s.role)) else {
        return Ok(None);
    };
    if now - row.last_seen_at >= TOUCH_EVERY_MS {
        store::touch(&mut *conn, &row.id, now).await?;
    }
    Ok(Some(Live {
        id: row.id,
        caller: Caller {
            account_id: subject.account_id,
            role: subject.role,
            scope: subject.scope,
            channel: subject.channel,
        },
        csrf_token: row.csrf_token,
    }))
}

/// Ends a session (sign-out), in the act's transaction.
pub async fn end(conn: &mut Conn, id: &str, now: i64) -> ApiResult<()> {
    store::end(&mut *conn, id, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_portal_admits_its_own_accounts_only() {
        assert!(Portal::Staff.admits(Role::District) && Portal::Staff.admits(Role::Supervisor));
        assert!(!Portal::Staff.admits(Role::Enterprise) && !Portal::Staff.admits(Role::Person));
        assert!(Portal::Enterprise.admits(Role::Enterprise));
        for role in [Role::City, Role::Sysadmin, Role::Person, Role::Training] {
            assert!(!Portal::Enterprise.admits(role), "{role:?}");
        }
    }

    #[test]
    fn a_session_ends_when_idle_or_at_its_absolute_expiry() {
        let row = SessionRow {
            id: "s".into(),
            account_kind: "staff".into(),
            account_id: "a".into(),
            csrf_token: "c".into(),
            last_seen_at: 1_000_000,
            expires_at: 5_000_000,
        };
        assert!(alive(&row, 1_000_000 + 1_799_999, 1800));
        assert!(
            !alive(&row, 1_000_000 + 1_800_000, 1800),
            "idle for the whole idle time"
        );
        let busy = SessionRow {
            last_seen_at: 4_999_000,
            ..row
        };
        assert!(alive(&busy, 4_999_999, 1800));
        assert!(
            !alive(&busy, 5_000_000, 1800),
            "used a moment ago, but past its absolute expiry"
        );
    }
}
