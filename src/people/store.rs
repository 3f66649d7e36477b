//! People SQL.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{new_id, Db};
use crate::error::ApiResult;
use crate::state::AppState;

/// The person bound to `openid`, created on first login. Concurrent first logins create one.
pub async fn find_or_create_by_openid(state: &AppState, openid: &str) -> ApiResult<String> {
    let now = state.clock.now_ms();
    sqlx::query(
        "INSERT INTO people (id, openid, status, created_at, updated_at, last_login_at) VALUES ($1, $2, 'unregistered', $3, $3, $3) \
         ON CONFLICT (openid) DO UPDATE SET last_login_at = $3",
    )
    .bind(new_id())
    .bind(openid)
    .bind(now)
    .execute(&state.db)
    .await?;
    let id: String = sqlx::query_scalar("SELECT id FROM people WHERE openid = $1")
        .bind(openid)
        .fetch_one(&state.db)
        .await?;
    Ok(id)
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct PersonView {
    pub id: String,
    /// unregistered | registered | disabled
    pub status: String,
    pub created_at: i64,
}

pub async fn get(db: &Db, id: &str) -> Result<Option<PersonView>, sqlx::Error> {
    sqlx::query_as("SELECT id, status, created_at FROM people WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}
