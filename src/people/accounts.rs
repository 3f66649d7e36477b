//! People's accounts as auth signs them in: through WeChat, bound to the openid; people have
//! no password (`auth::accounts`).

use super::store;
use crate::auth::accounts::{AccountPort, WechatAccountPort};
use crate::auth::tokens::Subject;
use crate::auth::{Channel, Role, Scope};
use crate::platform::db::Conn;
use crate::platform::ids::PersonId;
use crate::BoxFuture;

pub struct PersonAccounts;

impl AccountPort for PersonAccounts {
    fn current_subject<'a>(
        &'a self,
        conn: &'a mut Conn,
        account_id: &'a str,
        channel: Channel,
    ) -> BoxFuture<'a, Result<Option<Subject>, sqlx::Error>> {
        Box::pin(async move {
            let enabled = store::is_enabled(conn, &PersonId::from(account_id)).await?;
            Ok(enabled.then(|| Subject {
                account_id: account_id.into(),
                role: Role::Person,
                scope: Scope::Person(account_id.into()),
                channel,
            }))
        })
    }
}

impl WechatAccountPort for PersonAccounts {
    fn find_or_create_by_openid<'a>(
        &'a self,
        conn: &'a mut Conn,
        openid: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<PersonId, sqlx::Error>> {
        Box::pin(store::find_or_create_by_openid(conn, openid, now))
    }
}
