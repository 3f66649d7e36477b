//! Enterprise SQL.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{new_id, Db};

#[derive(sqlx::FromRow)]
pub struct LoginRow {
    pub id: String,
    pub password_hash: String,
    pub status: String,
    pub contact_phone: String,
}

#[derive(sqlx::FromRow)]
pub struct EnterpriseRow {
    pub id: String,
    pub credit_code: String,
    pub name: String,
    pub district_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub status: String,
    pub created_at: i64,
}

/// An enterprise account as the API shows it (the contact phone masked).
#[derive(Serialize, ToSchema)]
pub struct EnterpriseView {
    pub id: String,
    pub credit_code: String,
    pub name: String,
    pub district_code: String,
    pub contact_name: String,
    /// Masked, e.g. `138****5678`.
    pub contact_phone: String,
    pub status: String,
    pub created_at: i64,
}

impl From<EnterpriseRow> for EnterpriseView {
    fn from(r: EnterpriseRow) -> Self {
        EnterpriseView {
            id: r.id,
            credit_code: r.credit_code,
            name: r.name,
            district_code: r.district_code,
            contact_name: r.contact_name,
            contact_phone: crate::types::mask_phone(&r.contact_phone),
            status: r.status,
            created_at: r.created_at,
        }
    }
}

pub struct NewEnterprise<'a> {
    pub credit_code: &'a str,
    pub name: &'a str,
    pub district_code: &'a str,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub password_hash: &'a str,
    pub created_by: &'a str,
}

const COLUMNS: &str = "id, credit_code, name, district_code, contact_name, contact_phone, status, created_at";

pub async fn find_for_login(db: &Db, credit_code: &str) -> Result<Option<LoginRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash, status, contact_phone FROM enterprises WHERE credit_code = $1")
        .bind(credit_code)
        .fetch_optional(db)
        .await
}

pub async fn insert(db: &Db, new: &NewEnterprise<'_>, now: i64) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO enterprises (id, credit_code, name, district_code, contact_name, contact_phone, password_hash, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $9)",
    )
    .bind(&id)
    .bind(new.credit_code)
    .bind(new.name)
    .bind(new.district_code)
    .bind(new.contact_name)
    .bind(new.contact_phone)
    .bind(new.password_hash)
    .bind(new.created_by)
    .bind(now)
    .execute(db)
    .await?;
    Ok(id)
}

pub async fn delete(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM enterprises WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .map(|_| ())
}

/// The enterprise if it is the caller's own (`own`) or lies in `district` (`None` with no
/// `own`: the whole city).
pub async fn get(
    db: &Db,
    id: &str,
    own: Option<&str>,
    district: Option<&str>,
) -> Result<Option<EnterpriseRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM enterprises WHERE id = $1 AND ($2 IS NULL OR id = $2) AND ($3 IS NULL OR district_code = $3)"
    ))
    .bind(id)
    .bind(own)
    .bind(district)
    .fetch_optional(db)
    .await
}

pub async fn list(db: &Db, district: Option<&str>, limit: i64, offset: i64) -> Result<Vec<EnterpriseRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM enterprises WHERE ($1 IS NULL OR district_code = $1) ORDER BY name, id LIMIT $2 OFFSET $3"
    ))
    .bind(district)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}
