//! Training-institution accounts as auth signs them in: by username and password
//! (`auth::accounts`), with the role `training` and a scope of their own, which `Caller`
//! refuses everywhere but the continuing-education endpoints.

use super::store::institutions as store;
use crate::auth::accounts::{AccountPort, PasswordAccount, PasswordAccountPort};
use crate::auth::tokens::Subject;
use crate::auth::{Channel, Role, Scope};
use crate::platform::db::Conn;
use crate::platform::ids::TrainingInstitutionId;
use crate::BoxFuture;

pub struct TrainingAccounts;

impl AccountPort for TrainingAccounts {
    fn current_subject<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
        channel: Channel,
    ) -> BoxFuture<'a, Result<Option<Subject>, sqlx::Error>> {
        Box::pin(async move {
            let id = TrainingInstitutionId::from(account_id);
            let active = store::is_active(conn, &id).await?;
            Ok(active.then(|| Subject {
                account_id: account_id.into(),
                role: Role::Training,
                scope: Scope::Training(id),
                channel,
            }))
        })
    }
}

impl PasswordAccountPort for TrainingAccounts {
    fn find_for_sign_in<'a>(
        &'a self,
        conn: &'a mut Conn,
        username: &'a str,
    ) -> BoxFuture<'a, Result<Option<PasswordAccount>, sqlx::Error>> {
        Box::pin(async move {
            let row = store::find_for_login(conn, username).await?;
            Ok(row.map(|t| PasswordAccount {
                account_id: t.id.to_string(),
                role: Role::Training,
                scope: Scope::Training(t.id),
                password_hash: t.password_hash,
                active: t.status == "active",
                password_expired: false,
                reset_phone: None,
            }))
        })
    }

    fn password_hash<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, sqlx::Error>> {
        Box::pin(async move { store::password_hash(conn, &TrainingInstitutionId::from(account_id)).await })
    }

    fn set_password_hash<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
        hash: &'a str,
        replacing: Option<&'a str>,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, sqlx::Error>> {
        Box::pin(async move {
            store::set_password_hash(conn, &TrainingInstitutionId::from(account_id), hash, replacing, now).await
        })
    }
}
