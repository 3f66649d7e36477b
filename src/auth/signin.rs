//! The password checks every channel shares: the API's sign-in and password change, and the
//! staff console's (`crate::console`). A channel starts its own kind of session once
//! `check_password` has answered; the check, its throttling and lockout are the same.

use axum::http::StatusCode;

use super::accounts::PasswordAccountPort;
use super::tokens::Subject;
use super::{passwords, store, throttle, AccountKind, Accounts, Caller, Channel};
use crate::audit::Act;
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Message};
use crate::platform::types::NewPassword;
use crate::state::AppState;

pub(super) fn wrong_credentials(kind: AccountKind) -> ApiError {
    let (zh, en) = match kind {
        AccountKind::Enterprise => (
            "统一社会信用代码或密码错误；忘记密码可通过短信验证码重置",
            "Wrong credit code or password; a forgotten password can be reset by SMS",
        ),
        _ => ("用户名或密码错误", "Wrong username or password"),
    };
    let mut e = ApiError::new(StatusCode::UNAUTHORIZED, "auth.invalid_credentials", zh, en);
    e.authenticate = Some("Bearer realm=\"zhujian\"".into());
    e
}

/// The port of a kind of account that signs in with a password.
pub(super) fn password_port(accounts: &Accounts, kind: AccountKind) -> ApiResult<&dyn PasswordAccountPort> {
    accounts.with_password(kind).ok_or_else(ApiError::forbidden_role)
}

/// A password that matched an active account; no session started yet.
pub struct Verified {
    pub subject: Subject,
    /// `kind:identifier`, the act's target.
    pub target: String,
    account_key: String,
}

impl Verified {
    /// Forgets the account's failed attempts, in the act's transaction that starts the session.
    pub async fn clear_throttle(&self, conn: &mut Conn) -> ApiResult<()> {
        throttle::clear(&mut *conn, &self.account_key).await
    }
}

/// The one password check of a sign-in: find the account, take an attempt from the account's
/// and the address's throttles (429 `auth.locked` once locked), check the password (an unknown
/// account against a throw-away hash), give the address's attempt back on success, refuse a
/// disabled account. Names the actor and target on `act`.
pub async fn check_password(
    state: &AppState,
    act: &Act,
    address: &str,
    kind: AccountKind,
    identifier: &str,
    password: String,
    channel: Channel,
) -> ApiResult<Verified> {
    let account = {
        let mut conn = state.db.acquire().await?;
        password_port(&state.accounts, kind)?
            .find_for_sign_in(&mut conn, identifier)
            .await?
    };
    let account_key = throttle::account_key(kind, identifier);
    let address_key = throttle::address_key(address);
    let auth = &state.settings.auth;
    throttle::take_attempt(
        state,
        &[
            (&account_key, auth.max_failed_logins_per_account),
            (&address_key, auth.max_failed_logins_per_address),
        ],
    )
    .await?;
    let target = format!("{}:{identifier}", kind.as_str());
    act.set_target(&target);
    let matches = passwords::verify(password, account.as_ref().map(|a| a.password_hash.clone())).await?;
    let account = match account {
        Some(account) if matches => account,
        _ => return Err(wrong_credentials(kind)),
    };
    throttle::give_back(&state.db, &address_key).await?;
    if !account.active {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.account_disabled",
            "账号已停用，请联系主管部门",
            "The account is disabled; contact the authority",
        ));
    }
    let subject = account.subject(channel);
    act.set_actor(kind.as_str(), &subject.account_id, subject.role.as_str());
    Ok(Verified {
        subject,
        target,
        account_key,
    })
}

/// Changes the caller's own password (staff and enterprises) once the current one is checked,
/// and ends every session of the account (API tokens and console sessions), in `act`.
pub async fn change_own_password(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    current_password: String,
    new_password: &NewPassword,
) -> ApiResult<()> {
    let kind = caller.role.account_kind();
    let port = password_port(&state.accounts, kind)?;
    let stored = {
        let mut conn = state.db.acquire().await?;
        port.password_hash(&mut conn, &caller.account_id).await?
    };
    if !passwords::verify(current_password, stored).await? {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "auth.wrong_current_password",
            "当前密码不正确",
            "The current password is wrong",
        )
        .with_field(
            "current_password",
            "auth.wrong_current_password",
            Message::new("当前密码不正确", "Wrong password"),
        ));
    }
    let hash = passwords::hash(new_password.expose().to_owned()).await?;
    let mut tx = act.begin().await?;
    set_password(
        &mut tx,
        &state.accounts,
        kind,
        &caller.account_id,
        &hash,
        state.clock.now_ms(),
    )
    .await?;
    act.commit(tx, format!("{}:{}", kind.as_str(), caller.account_id))
        .await?;
    state.ended_sessions.read_soon();
    Ok(())
}

/// A new password hash, and every session of the account ended, in the act's transaction.
pub async fn set_password(
    conn: &mut Conn,
    accounts: &Accounts,
    kind: AccountKind,
    account_id: &str,
    hash: &str,
    now: i64,
) -> ApiResult<()> {
    password_port(accounts, kind)?
        .set_password_hash(&mut *conn, account_id, hash, now)
        .await?;
    store::revoke_account(&mut *conn, kind, account_id, now).await
}
