//! The port through which auth reaches the accounts it signs in. Auth owns sessions, tokens,
//! throttling and password checks, but not the accounts: staff, enterprises and people each
//! keep their own table and implement these traits in their own folder (`staff/accounts.rs`,
//! `enterprises/accounts.rs`, `people/accounts.rs`, `training/accounts.rs`). `AppState::new` plugs them into
//! `Accounts`, so auth never names another domain.
//!
//! Every method runs on the connection it is given, so a change joins the act's transaction.

use std::sync::Arc;

use super::tokens::Subject;
use super::{AccountKind, Channel, Role, Scope};
use crate::platform::db::Conn;
use crate::platform::ids::PersonId;
use crate::BoxFuture;

/// What every kind of account answers.
pub trait AccountPort: Send + Sync {
    /// The account's role and scope as they are now, for a token refresh; `None` when the
    /// account is gone or disabled.
    fn current_subject<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
        channel: Channel,
    ) -> BoxFuture<'a, Result<Option<Subject>, sqlx::Error>>;
}

/// Accounts that sign in with an identifier and a password: staff and training institutions
/// (username) and enterprises (unified social credit code).
pub trait PasswordAccountPort: AccountPort {
    /// The account signing in as `identifier`, disabled ones included.
    fn find_for_sign_in<'a>(
        &'a self,
        conn: &'a mut Conn,
        identifier: &'a str,
    ) -> BoxFuture<'a, Result<Option<PasswordAccount>, sqlx::Error>>;

    /// The stored password hash; `None` when there is no such account.
    fn password_hash<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, sqlx::Error>>;

    /// Replaces the password hash: whatever is stored (`replacing: None`, a reset), or only
    /// the hash the caller's password was just checked against (`Some`), so that of parallel
    /// changes made with the same password exactly one lands. False when nothing changed.
    fn set_password_hash<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
        hash: &'a str,
        replacing: Option<&'a str>,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, sqlx::Error>>;
}

/// Accounts that sign in through WeChat: people, bound to their openid.
pub trait WechatAccountPort: AccountPort {
    /// The id of the account bound to `openid`, created on its first sign-in.
    fn find_or_create_by_openid<'a>(
        &'a self,
        conn: &'a mut Conn,
        openid: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<PersonId, sqlx::Error>>;
}

/// A password account as the sign-in needs it.
pub struct PasswordAccount {
    pub account_id: String,
    pub role: Role,
    pub scope: Scope,
    pub password_hash: String,
    /// Whether it may sign in.
    pub active: bool,
    /// Whether the password was set by another account and must be replaced by the owner
    /// before a session starts (staff accounts created or reset by a manager).
    pub password_expired: bool,
    /// Where an SMS reset code goes (the enterprise contact); `None` where passwords are not
    /// reset by SMS.
    pub reset_phone: Option<String>,
}

impl PasswordAccount {
    /// Who a token issued to this account names, for a sign-in from `channel`.
    pub fn subject(&self, channel: Channel) -> Subject {
        Subject {
            account_id: self.account_id.clone(),
            role: self.role,
            scope: self.scope.clone(),
            channel,
        }
    }
}

/// One port per account kind.
pub struct Accounts {
    pub staff: Arc<dyn PasswordAccountPort>,
    pub enterprises: Arc<dyn PasswordAccountPort>,
    pub people: Arc<dyn WechatAccountPort>,
    pub training: Arc<dyn PasswordAccountPort>,
}

impl Accounts {
    /// The port of a kind that has passwords; `None` for people.
    pub fn with_password(&self, kind: AccountKind) -> Option<&dyn PasswordAccountPort> {
        match kind {
            AccountKind::Staff => Some(&*self.staff),
            AccountKind::Enterprise => Some(&*self.enterprises),
            AccountKind::Training => Some(&*self.training),
            AccountKind::Person => None,
        }
    }

    /// `AccountPort::current_subject` of the account's kind.
    pub fn current_subject<'a>(
        &'a self,
        conn: &'a mut Conn,
        kind: AccountKind,
        account_id: &'a str,
        channel: Channel,
    ) -> BoxFuture<'a, Result<Option<Subject>, sqlx::Error>> {
        match kind {
            AccountKind::Staff => self.staff.current_subject(conn, account_id, channel),
            AccountKind::Enterprise => self.enterprises.current_subject(conn, account_id, channel),
            AccountKind::Person => self.people.current_subject(conn, account_id, channel),
            AccountKind::Training => self.training.current_subject(conn, account_id, channel),
        }
    }
}
