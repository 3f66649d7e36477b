//! The password checks every channel shares: the API's sign-in and password change, and the
//! staff console's (`crate::console`). A channel starts its own kind of session once `sign_in` has
//! answered; the check, its throttling, lockout and expired passwords are the same.

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
    kind: AccountKind,
    /// Whether the password was set by another account and must be replaced (see `sign_in`).
    password_expired: bool,
    /// The hash the password was checked against, which a new password replaces.
    checked_hash: String,
    /// The hash of the password replacing the one checked, if the sign-in gives one.
    new_hash: Option<String>,
}

impl Verified {
    /// What a successful sign-in writes in the act's transaction that starts its session:
    /// the account's failed attempts forgotten and, when the sign-in gave a new password, that
    /// password in place (which ends the account's other sessions). Of parallel renewals with
    /// the same password one lands; the others find it changed and are refused as a wrong password.
    pub async fn record(&self, conn: &mut Conn, state: &AppState) -> ApiResult<()> {
        throttle::clear(&mut *conn, &self.account_key).await?;
        if let Some(hash) = &self.new_hash {
            let now = state.clock.now_ms();
            let (kind, id) = (self.kind, self.subject.account_id.as_str());
            if !set_password(conn, &state.accounts, kind, id, hash, Some(&self.checked_hash), now).await? {
                return Err(wrong_credentials(kind));
            }
        }
        Ok(())
    }
}

/// The password step of every sign-in (the API's and the console's), up to its session: the
/// password checked (`check_password`); a password another account set has expired and is
/// refused (403 `auth.password_expired`) unless the sign-in replaces it with `new_password`,
/// which must differ from it. The new hash is computed here, before the act's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn sign_in(
    state: &AppState,
    act: &Act,
    address: &str,
    kind: AccountKind,
    identifier: &str,
    password: String,
    new_password: Option<&NewPassword>,
    channel: Channel,
) -> ApiResult<Verified> {
    if new_password.is_some_and(|new| new.expose() == password) {
        return Err(password_unchanged());
    }
    let mut verified = check_password(state, act, address, kind, identifier, password, channel).await?;
    match new_password {
        Some(new) => verified.new_hash = Some(passwords::hash(new.expose().to_owned()).await?),
        None if verified.password_expired => {
            // The right password, refused only for its age: that attempt was no failure.
            throttle::give_back(&state.db, &verified.account_key).await?;
            return Err(password_expired());
        }
        None => {}
    }
    Ok(verified)
}

fn password_expired() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "auth.password_expired",
        "该密码由管理员设置，已失效：请设置新密码后登录",
        "This password was set by an administrator and has expired: choose a new password to sign in",
    )
    .with_field(
        "new_password",
        "auth.password_expired",
        Message::new("请设置新密码", "Choose a new password"),
    )
}

fn password_unchanged() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "auth.password_unchanged",
        "新密码不能与当前密码相同",
        "The new password must differ from the current one",
    )
    .with_field(
        "new_password",
        "auth.password_unchanged",
        Message::new("新密码不能与当前密码相同", "Must differ from the current password"),
    )
}

/// The one password check of a sign-in (see `sign_in`): find the account, take an attempt from the account's
/// and the address's throttles (429 `auth.locked` once locked), check the password (an unknown
/// account against a throw-away hash), give the address's attempt back on success, refuse a
/// disabled account. Names the actor and target on `act`.
async fn check_password(
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
        kind,
        password_expired: account.password_expired,
        checked_hash: account.password_hash,
        new_hash: None,
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
    let Some(stored) = stored else {
        return Err(wrong_current_password());
    };
    if !passwords::verify(current_password, Some(stored.clone())).await? {
        return Err(wrong_current_password());
    }
    let hash = passwords::hash(new_password.expose().to_owned()).await?;
    let mut tx = act.begin().await?;
    let now = state.clock.now_ms();
    // Replacing only the password just checked: of parallel changes, one lands.
    if !set_password(
        &mut tx,
        &state.accounts,
        kind,
        &caller.account_id,
        &hash,
        Some(&stored),
        now,
    )
    .await?
    {
        return Err(wrong_current_password());
    }
    act.commit(tx, format!("{}:{}", kind.as_str(), caller.account_id))
        .await?;
    state.ended_sessions.read_soon();
    Ok(())
}

fn wrong_current_password() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "auth.wrong_current_password",
        "当前密码不正确",
        "The current password is wrong",
    )
    .with_field(
        "current_password",
        "auth.wrong_current_password",
        Message::new("当前密码不正确", "Wrong password"),
    )
}

/// A new password hash (over `replacing` only, when given: see `PasswordAccountPort`), and
/// every session of the account ended, in the act's transaction; false when nothing changed.
pub async fn set_password(
    conn: &mut Conn,
    accounts: &Accounts,
    kind: AccountKind,
    account_id: &str,
    hash: &str,
    replacing: Option<&str>,
    now: i64,
) -> ApiResult<bool> {
    let port = password_port(accounts, kind)?;
    if !port
        .set_password_hash(&mut *conn, account_id, hash, replacing, now)
        .await?
    {
        return Ok(false);
    }
    store::revoke_account(&mut *conn, kind, account_id, now).await?;
    Ok(true)
}
