//! Enterprise accounts as auth signs them in: by unified social credit code and password,
//! reset by an SMS code to the contact's phone (`auth::accounts`).

use super::store;
use crate::auth::accounts::{AccountPort, PasswordAccount, PasswordAccountPort};
use crate::auth::tokens::Subject;
use crate::auth::{Channel, Role, Scope};
use crate::platform::db::Conn;
use crate::platform::ids::EnterpriseId;
use crate::BoxFuture;

/// Holds the keys that open the contact phone a reset code goes to.
pub struct EnterpriseAccounts {
    pub keys: std::sync::Arc<crate::platform::crypto::Keys>,
}

impl AccountPort for EnterpriseAccounts {
    fn current_subject<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
        channel: Channel,
    ) -> BoxFuture<'a, Result<Option<Subject>, sqlx::Error>> {
        Box::pin(async move {
            let active = store::is_active(conn, &EnterpriseId::from(account_id)).await?;
            Ok(active.then(|| Subject {
                account_id: account_id.into(),
                role: Role::Enterprise,
                scope: Scope::Enterprise(account_id.into()),
                channel,
            }))
        })
    }
}

impl PasswordAccountPort for EnterpriseAccounts {
    fn find_for_sign_in<'a>(
        &'a self,
        conn: &'a mut Conn,
        credit_code: &'a str,
    ) -> BoxFuture<'a, Result<Option<PasswordAccount>, sqlx::Error>> {
        Box::pin(async move {
            let row = store::find_for_login(conn, credit_code).await?;
            Ok(row.map(|e| PasswordAccount {
                password_expired: false,
                reset_phone: Some(store::open_phone(&self.keys, &e.id, &e.contact_phone)),
                scope: Scope::Enterprise(e.id.clone()),
                account_id: e.id.into_string(),
                role: Role::Enterprise,
                password_hash: e.password_hash,
                active: e.status == "active",
            }))
        })
    }

    fn password_hash<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, sqlx::Error>> {
        Box::pin(async move { store::password_hash(conn, &EnterpriseId::from(account_id)).await })
    }

    fn set_password_hash<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
        hash: &'a str,
        replacing: Option<&'a str>,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, sqlx::Error>> {
        Box::pin(
            async move { store::set_password_hash(conn, &EnterpriseId::from(account_id), hash, replacing, now).await },
        )
    }
}
