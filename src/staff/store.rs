//! Staff SQL.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Bounds, Columns, Key, Role};
use crate::platform::db::Executor;
use crate::platform::ids::StaffId;

#[derive(sqlx::FromRow)]
pub struct LoginRow {
    pub id: StaffId,
    pub role: Role,
    pub district_code: Option<String>,
    pub password_hash: String,
    pub status: String,
    pub password_expired_at: Option<i64>,
}

/// A staff account as the API shows it.
#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct StaffView {
    #[schema(value_type = String)]
    pub id: StaffId,
    pub username: String,
    pub display_name: String,
    /// city | district | supervisor | sysadmin
    pub role: String,
    pub district_code: Option<String>,
    /// active | disabled
    pub status: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds: until when sign-in is locked after too many wrong passwords; absent
    /// when it is not locked.
    pub locked_until: Option<i64>,
    /// Unix milliseconds: since when the password another account set (at creation or by a
    /// reset) has expired, so that its owner must choose a new one to sign in; absent once the
    /// owner has.
    pub password_expired_at: Option<i64>,
}

pub struct NewStaff<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub district_code: Option<&'a str>,
    pub password_hash: &'a str,
    pub created_by: Option<&'a StaffId>,
}

/// The view's columns and where they come from: the account and its sign-in throttle
/// (`auth::throttle::account_key`; usernames are stored in lower case), read at `$1`.
const VIEW_FROM: &str = "s.id, s.username, s.display_name, s.role, s.district_code, s.status, s.created_at, \
     CASE WHEN t.locked_until > $1 THEN t.locked_until END AS locked_until, s.password_expired_at \
     FROM staff s LEFT JOIN login_throttle t ON t.key = 'account:staff:' || s.username";

/// Where staff accounts keep the bounds: their district.
const BOUNDS: Columns = Columns {
    district: Some(Key::Column("s.district_code")),
    ..Columns::NONE
};

pub async fn find_for_login(db: impl Executor<'_>, username: &str) -> Result<Option<LoginRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, role, district_code, password_hash, status, password_expired_at FROM staff WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(db)
    .await
}

/// The role and district of an active account; `None` when it is gone or disabled.
pub async fn active_role(db: impl Executor<'_>, id: &StaffId) -> Result<Option<(Role, Option<String>)>, sqlx::Error> {
    sqlx::query_as("SELECT role, district_code FROM staff WHERE id = $1 AND status = 'active'")
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn password_hash(db: impl Executor<'_>, id: &StaffId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM staff WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Sets the password hash, only over `replacing` when given (see `PasswordAccountPort`); false
/// when no row changed.
pub async fn set_password_hash(
    db: impl Executor<'_>,
    id: &StaffId,
    hash: &str,
    replacing: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE staff SET password_hash = $1, password_expired_at = NULL, updated_at = $2 \
         WHERE id = $3 AND password_hash = COALESCE($4, password_hash)",
    )
    .bind(hash)
    .bind(now)
    .bind(id)
    .bind(replacing)
    .execute(db)
    .await
    .map(|done| done.rows_affected() == 1)
}

/// Expires the account's password: one another account set must be replaced by its owner.
pub async fn expire_password(db: impl Executor<'_>, id: &StaffId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff SET password_expired_at = $1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ())
}

/// Disables an active account; false when it was not active.
pub async fn disable(db: impl Executor<'_>, id: &StaffId, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE staff SET status = 'disabled', updated_at = $1 WHERE id = $2 AND status = 'active'")
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Enables a disabled account; false when it was not disabled.
pub async fn enable(db: impl Executor<'_>, id: &StaffId, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE staff SET status = 'active', updated_at = $1 WHERE id = $2 AND status = 'disabled'")
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Inserts an account; fails with a unique violation when the username is taken.
pub async fn insert(db: impl Executor<'_>, new: &NewStaff<'_>, now: i64) -> Result<StaffId, sqlx::Error> {
    let id = StaffId::new();
    sqlx::query(
        "INSERT INTO staff (id, username, display_name, role, district_code, password_hash, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $8)",
    )
    .bind(&id)
    .bind(new.username)
    .bind(new.display_name)
    .bind(new.role.as_str())
    .bind(new.district_code)
    .bind(new.password_hash)
    .bind(new.created_by)
    .bind(now)
    .execute(db)
    .await?;
    Ok(id)
}

/// The account if it lies within `bounds`, as it stands at `now`.
pub async fn get(
    db: impl Executor<'_>,
    id: &StaffId,
    bounds: &Bounds,
    now: i64,
) -> Result<Option<StaffView>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 3);
    within
        .bind(
            sqlx::query_as(&format!("SELECT {VIEW_FROM} WHERE s.id = $2 AND {within}"))
                .bind(now)
                .bind(id),
        )
        .fetch_optional(db)
        .await
}

pub async fn list(
    db: impl Executor<'_>,
    bounds: &Bounds,
    now: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<StaffView>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 4);
    within
        .bind(
            sqlx::query_as(&format!(
                "SELECT {VIEW_FROM} WHERE {within} ORDER BY s.username LIMIT $2 OFFSET $3"
            ))
            .bind(now)
            .bind(limit)
            .bind(offset),
        )
        .fetch_all(db)
        .await
}
