//! Staff accounts as auth signs them in: by username and password (`auth::accounts`).

use super::store;
use crate::auth::accounts::{AccountPort, PasswordAccount, PasswordAccountPort};
use crate::auth::tokens::Subject;
use crate::auth::{Channel, Scope};
use crate::platform::db::Conn;
use crate::platform::ids::StaffId;
use crate::BoxFuture;

pub struct StaffAccounts;

impl AccountPort for StaffAccounts {
    fn current_subject<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
        channel: Channel,
    ) -> BoxFuture<'a, Result<Option<Subject>, sqlx::Error>> {
        Box::pin(async move {
            let active = store::active_role(conn, &StaffId::from(account_id)).await?;
            Ok(active.map(|(role, district)| Subject {
                account_id: account_id.into(),
                role,
                scope: Scope::for_staff(role, district.as_deref()),
                channel,
            }))
        })
    }
}

impl PasswordAccountPort for StaffAccounts {
    fn find_for_sign_in<'a>(
        &'a self,
        conn: &'a mut Conn,
        username: &'a str,
    ) -> BoxFuture<'a, Result<Option<PasswordAccount>, sqlx::Error>> {
        Box::pin(async move {
            let row = store::find_for_login(conn, username).await?;
            Ok(row.map(|s| PasswordAccount {
                scope: Scope::for_staff(s.role, s.district_code.as_deref()),
                account_id: s.id.into_string(),
                role: s.role,
                password_hash: s.password_hash,
                active: s.status == "active",
                password_expired: s.password_expired_at.is_some(),
                reset_phone: None,
            }))
        })
    }

    fn password_hash<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, sqlx::Error>> {
        Box::pin(async move { store::password_hash(conn, &StaffId::from(account_id)).await })
    }

    fn set_password_hash<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
        hash: &'a str,
        replacing: Option<&'a str>,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, sqlx::Error>> {
        Box::pin(async move { store::set_password_hash(conn, &StaffId::from(account_id), hash, replacing, now).await })
    }
}
