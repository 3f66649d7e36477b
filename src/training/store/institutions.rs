//! Training-institution accounts SQL.

use serde::Serialize;
use utoipa::ToSchema;

use crate::platform::db::Executor;
use crate::platform::ids::{StaffId, TrainingInstitutionId};

#[derive(sqlx::FromRow)]
pub struct LoginRow {
    pub id: TrainingInstitutionId,
    pub password_hash: String,
    pub status: String,
}

/// A training institution's account as the API shows it.
#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct TrainingInstitutionView {
    #[schema(value_type = String)]
    pub id: TrainingInstitutionId,
    pub username: String,
    pub name: String,
    /// The unified social credit code, when given.
    pub credit_code: Option<String>,
    /// active | disabled
    pub status: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

pub struct NewInstitution<'a> {
    pub username: &'a str,
    pub name: &'a str,
    pub credit_code: Option<&'a str>,
    pub password_hash: &'a str,
    pub created_by: &'a StaffId,
}

const VIEW_COLUMNS: &str = "id, username, name, credit_code, status, created_at";

pub async fn find_for_login(db: impl Executor<'_>, username: &str) -> Result<Option<LoginRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash, status FROM training_institutions WHERE username = $1")
        .bind(username)
        .fetch_optional(db)
        .await
}

/// Whether the account exists and is active.
pub async fn is_active(db: impl Executor<'_>, id: &TrainingInstitutionId) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM training_institutions WHERE id = $1 AND status = 'active'")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

pub async fn password_hash(db: impl Executor<'_>, id: &TrainingInstitutionId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM training_institutions WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Sets the password hash, only over `replacing` when given (see `PasswordAccountPort`); false
/// when no row changed.
pub async fn set_password_hash(
    db: impl Executor<'_>,
    id: &TrainingInstitutionId,
    hash: &str,
    replacing: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE training_institutions SET password_hash = $1, updated_at = $2 \
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

/// Inserts an account; fails with a unique violation when the username is taken.
pub async fn insert(
    db: impl Executor<'_>,
    new: &NewInstitution<'_>,
    now: i64,
) -> Result<TrainingInstitutionId, sqlx::Error> {
    let id = TrainingInstitutionId::new();
    sqlx::query(
        "INSERT INTO training_institutions (id, username, name, credit_code, password_hash, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $7)",
    )
    .bind(&id)
    .bind(new.username)
    .bind(new.name)
    .bind(new.credit_code)
    .bind(new.password_hash)
    .bind(new.created_by)
    .bind(now)
    .execute(db)
    .await?;
    Ok(id)
}

pub async fn get(
    db: impl Executor<'_>,
    id: &TrainingInstitutionId,
) -> Result<Option<TrainingInstitutionView>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {VIEW_COLUMNS} FROM training_institutions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Every institution, by username.
pub async fn list(db: impl Executor<'_>, limit: i64, offset: i64) -> Result<Vec<TrainingInstitutionView>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {VIEW_COLUMNS} FROM training_institutions ORDER BY username LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}
