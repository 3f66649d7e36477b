//! Enterprise SQL: accounts, the profile, qualification certificates; the change history is in
//! `history`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Bounds, Columns, Key};
use crate::platform::crypto::Keys;
use crate::platform::db::{Conn, Executor};
use crate::platform::ids::{DocumentId, EnterpriseId, QualificationId, StaffId};
use crate::platform::types::{CoordinateSystem, Coordinates};

mod history;
mod phones;
mod search;
use history::seal_personal;
pub use history::{history, record, ChangeView};
pub use phones::{open_phone, seal_phone, seal_plain_contact_phones};
use search::drop_from_search;
pub use search::{count, index_for_search, search, search_grams, Search, SortKey};

#[derive(sqlx::FromRow)]
pub struct LoginRow {
    pub id: EnterpriseId,
    pub password_hash: String,
    pub status: String,
    pub contact_phone: String,
}

#[derive(sqlx::FromRow)]
pub struct EnterpriseRow {
    pub id: EnterpriseId,
    pub credit_code: String,
    pub name: String,
    pub district_code: String,
    pub contact_name: String,
    /// Sealed (`open_phone`).
    pub contact_phone: String,
    pub contact_phone_masked: String,
    pub status: String,
    pub created_at: i64,
    pub registered_address: String,
    pub site_latitude: Option<f64>,
    pub site_longitude: Option<f64>,
    pub site_crs: Option<String>,
    pub locality: String,
    pub safety_licence_number: Option<String>,
    pub safety_licence_valid_until: Option<String>,
    pub confirmed_at: Option<i64>,
    pub business_licence_document_id: Option<DocumentId>,
    pub video_document_id: Option<DocumentId>,
    pub site_radius_m: Option<f64>,
    pub site_polygon: Option<String>,
}

impl EnterpriseRow {
    pub fn site(&self) -> Option<Coordinates> {
        let system = CoordinateSystem::parse(self.site_crs.as_deref()?)?;
        Coordinates::new(self.site_latitude?, self.site_longitude?, system).ok()
    }

    /// The site's fence polygon, when staff set one.
    pub fn polygon(&self) -> Option<Vec<Coordinates>> {
        serde_json::from_str(self.site_polygon.as_deref()?).ok()
    }

    pub fn has_safety_licence(&self) -> bool {
        self.safety_licence_number.is_some()
    }
}

#[derive(Serialize, ToSchema)]
pub struct SafetyLicenceView {
    pub number: String,
    pub valid_until: Option<String>,
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct QualificationView {
    #[schema(value_type = String)]
    pub id: QualificationId,
    /// e.g. 建筑工程施工总承包
    pub category: String,
    /// e.g. 一级
    pub grade: String,
    pub certificate_number: Option<String>,
    pub issued_on: String,
}

/// An enterprise as the API shows it (the contact phone masked).
#[derive(Serialize, ToSchema)]
pub struct EnterpriseView {
    #[schema(value_type = String)]
    pub id: EnterpriseId,
    pub credit_code: String,
    pub name: String,
    /// Names it had before, oldest first.
    pub former_names: Vec<String>,
    pub district_code: String,
    /// local | non_local
    pub locality: String,
    pub registered_address: String,
    /// The registered address's position, with its coordinate system.
    pub site: Option<Coordinates>,
    /// The check-in fence as a polygon, when staff set one (otherwise a circle around `site`).
    pub site_polygon: Option<Vec<Coordinates>>,
    /// The circle's radius in metres, when staff set one for this site.
    pub site_radius_m: Option<f64>,
    pub contact_name: String,
    /// Masked, e.g. `138****5678`.
    pub contact_phone: String,
    pub safety_licence: Option<SafetyLicenceView>,
    pub qualifications: Vec<QualificationView>,
    #[schema(value_type = Option<String>)]
    pub business_licence_document_id: Option<DocumentId>,
    #[schema(value_type = Option<String>)]
    pub video_document_id: Option<DocumentId>,
    /// When the enterprise confirmed its basic information.
    pub confirmed_at: Option<i64>,
    pub status: String,
    pub created_at: i64,
}

impl EnterpriseRow {
    pub fn view(self, former_names: Vec<String>, qualifications: Vec<QualificationView>) -> EnterpriseView {
        EnterpriseView {
            site: self.site(),
            site_polygon: self.polygon(),
            site_radius_m: self.site_radius_m,
            safety_licence: self.safety_licence_number.clone().map(|number| SafetyLicenceView {
                number,
                valid_until: self.safety_licence_valid_until.clone(),
            }),
            contact_phone: self.contact_phone_masked,
            id: self.id,
            credit_code: self.credit_code,
            name: self.name,
            former_names,
            district_code: self.district_code,
            locality: self.locality,
            registered_address: self.registered_address,
            contact_name: self.contact_name,
            qualifications,
            business_licence_document_id: self.business_licence_document_id,
            video_document_id: self.video_document_id,
            confirmed_at: self.confirmed_at,
            status: self.status,
            created_at: self.created_at,
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
    pub created_by: &'a StaffId,
    pub registered_address: &'a str,
    pub locality: &'a str,
}

const COLUMNS: &str = "id, credit_code, name, district_code, contact_name, contact_phone, contact_phone_masked, status, created_at, registered_address, \
    site_latitude, site_longitude, site_crs, locality, safety_licence_number, safety_licence_valid_until, confirmed_at, \
    business_licence_document_id, video_document_id, site_radius_m, site_polygon";

/// The enterprise registered under a credit code, whatever the bounds.
pub async fn by_credit_code(db: impl Executor<'_>, credit_code: &str) -> Result<Option<EnterpriseRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM enterprises WHERE credit_code = $1"))
        .bind(credit_code)
        .fetch_optional(db)
        .await
}

pub async fn find_for_login(db: impl Executor<'_>, credit_code: &str) -> Result<Option<LoginRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash, status, contact_phone FROM enterprises WHERE credit_code = $1")
        .bind(credit_code)
        .fetch_optional(db)
        .await
}

/// Whether the account exists and is active.
pub async fn is_active(db: impl Executor<'_>, id: &EnterpriseId) -> Result<bool, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM enterprises WHERE id = $1 AND status = 'active'")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

pub async fn password_hash(db: impl Executor<'_>, id: &EnterpriseId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM enterprises WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Sets the password hash, only over `replacing` when given (see `PasswordAccountPort`); false
/// when no row changed.
pub async fn set_password_hash(
    db: impl Executor<'_>,
    id: &EnterpriseId,
    hash: &str,
    replacing: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE enterprises SET password_hash = $1, updated_at = $2 \
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

/// Inserts an account; fails with a unique violation when the credit code is taken.
/// The contact phone is sealed.
pub async fn insert(
    conn: &mut Conn,
    keys: &Keys,
    new: &NewEnterprise<'_>,
    now: i64,
) -> Result<EnterpriseId, sqlx::Error> {
    let id = EnterpriseId::new();
    let (phone, masked) = seal_phone(keys, &id, new.contact_phone);
    sqlx::query(
        "INSERT INTO enterprises (id, credit_code, name, district_code, contact_name, contact_phone, password_hash, status, created_by, \
         created_at, updated_at, registered_address, locality, contact_phone_masked) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(new.credit_code)
    .bind(new.name)
    .bind(new.district_code)
    .bind(new.contact_name)
    .bind(phone)
    .bind(new.password_hash)
    .bind(new.created_by)
    .bind(now)
    .bind(new.registered_address)
    .bind(new.locality)
    .bind(masked)
    .execute(&mut *conn)
    .await?;
    index_for_search(conn, &id).await?;
    Ok(id)
}

/// Removes an account just opened (its initial password could not be delivered).
pub async fn withdraw(conn: &mut Conn, id: &EnterpriseId) -> Result<(), sqlx::Error> {
    drop_from_search(&mut *conn, id).await?;
    sqlx::query("DELETE FROM enterprises WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Where enterprises keep the bounds: themselves and their district.
const BOUNDS: Columns = Columns {
    enterprise: Some(Key::Column("id")),
    district: Some(Key::Column("district_code")),
    ..Columns::NONE
};

/// The enterprise if it lies within `bounds`.
pub async fn get(
    db: impl Executor<'_>,
    id: &EnterpriseId,
    bounds: &Bounds,
) -> Result<Option<EnterpriseRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    within
        .bind(sqlx::query_as(&format!("SELECT {COLUMNS} FROM enterprises WHERE id = $1 AND {within}")).bind(id))
        .fetch_optional(db)
        .await
}

/// The enterprise whatever the bounds: inside an act that checked them already, or for a
/// check-in's site.
pub async fn get_unbounded(db: impl Executor<'_>, id: &EnterpriseId) -> Result<Option<EnterpriseRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM enterprises WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn qualifications(
    db: impl Executor<'_>,
    enterprise_id: &EnterpriseId,
) -> Result<Vec<QualificationView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, category, grade, certificate_number, issued_on FROM enterprise_qualifications WHERE enterprise_id = $1 ORDER BY issued_on, id",
    )
    .bind(enterprise_id)
    .fetch_all(db)
    .await
}

pub async fn former_names(db: impl Executor<'_>, enterprise_id: &EnterpriseId) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT old_value FROM enterprise_changes WHERE enterprise_id = $1 AND field = 'name' ORDER BY changed_at, id",
    )
    .bind(enterprise_id)
    .fetch_all(db)
    .await
}

/// The enterprise as the API shows it, with its former names and qualifications.
pub async fn full_view(conn: &mut Conn, row: EnterpriseRow) -> Result<EnterpriseView, sqlx::Error> {
    let names = former_names(&mut *conn, &row.id).await?;
    let qualifications = qualifications(&mut *conn, &row.id).await?;
    Ok(row.view(names, qualifications))
}

/// A profile value as a change writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(Option<String>),
    Real(Option<f64>),
    Time(Option<i64>),
}

impl Value {
    fn display(&self) -> Option<String> {
        match self {
            Value::Text(v) => v.clone(),
            Value::Real(v) => v.map(|f| f.to_string()),
            Value::Time(v) => v.map(|t| t.to_string()),
        }
    }
}

/// One field's change: the column, its old and new value.
pub struct Change {
    pub column: &'static str,
    pub old: Value,
    pub new: Value,
}

/// Applies changes and records each in the history (inside the caller's transaction).
pub async fn apply(
    conn: &mut Conn,
    keys: &Keys,
    enterprise_id: &EnterpriseId,
    changes: &[Change],
    by: &str,
    role: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    for change in changes {
        // Column names come from the fixed set the handlers use, never from input.
        let sql = format!(
            "UPDATE enterprises SET {} = $1, updated_at = $2 WHERE id = $3",
            change.column
        );
        let query = sqlx::query(&sql);
        let query = match &change.new {
            // The contact phone is sealed, and its mask kept beside it.
            Value::Text(Some(phone)) if change.column == "contact_phone" => {
                let (sealed, masked) = seal_phone(keys, enterprise_id, phone);
                sqlx::query("UPDATE enterprises SET contact_phone_masked = $1 WHERE id = $2")
                    .bind(masked)
                    .bind(enterprise_id)
                    .execute(&mut *conn)
                    .await?;
                query.bind(Some(sealed))
            }
            Value::Text(v) => query.bind(v.clone()),
            Value::Real(v) => query.bind(crate::platform::db::NullableF64(*v)),
            Value::Time(v) => query.bind(*v),
        };
        query.bind(now).bind(enterprise_id).execute(&mut *conn).await?;
        record(
            &mut *conn,
            enterprise_id,
            change.column,
            seal_personal(keys, enterprise_id, change.column, change.old.display()),
            seal_personal(keys, enterprise_id, change.column, change.new.display()),
            by,
            role,
            now,
        )
        .await?;
    }
    if changes.iter().any(|c| c.column == "name") {
        index_for_search(conn, enterprise_id).await?;
    }
    Ok(())
}

/// A qualification certificate to record.
pub struct NewQualification<'a> {
    pub category: &'a str,
    pub grade: &'a str,
    pub certificate_number: Option<&'a str>,
    /// `YYYY-MM-DD`
    pub issued_on: &'a str,
}

/// How a qualification reads in the history.
fn qualification_summary(category: &str, grade: &str, issued_on: &str) -> String {
    format!("{category} {grade} ({issued_on})")
}

/// Records a qualification certificate and its history row; returns the certificate's id.
pub async fn add_qualification(
    conn: &mut Conn,
    enterprise_id: &EnterpriseId,
    q: &NewQualification<'_>,
    by: &str,
    role: &str,
    now: i64,
) -> Result<QualificationId, sqlx::Error> {
    let id = QualificationId::new();
    sqlx::query(
        "INSERT INTO enterprise_qualifications (id, enterprise_id, category, grade, certificate_number, issued_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(enterprise_id)
    .bind(q.category)
    .bind(q.grade)
    .bind(q.certificate_number)
    .bind(q.issued_on)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let summary = qualification_summary(q.category, q.grade, q.issued_on);
    record(conn, enterprise_id, "qualification", None, Some(summary), by, role, now).await?;
    Ok(id)
}

/// Removes a qualification certificate, keeping it in the history; `false` when the
/// enterprise has no such certificate.
pub async fn remove_qualification(
    conn: &mut Conn,
    enterprise_id: &EnterpriseId,
    qualification_id: &QualificationId,
    by: &str,
    role: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let removed: Option<(String, String, String)> = sqlx::query_as(
        "DELETE FROM enterprise_qualifications WHERE id = $1 AND enterprise_id = $2 RETURNING category, grade, issued_on",
    )
    .bind(qualification_id)
    .bind(enterprise_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((category, grade, issued_on)) = removed else {
        return Ok(false);
    };
    let summary = qualification_summary(&category, &grade, &issued_on);
    record(conn, enterprise_id, "qualification", Some(summary), None, by, role, now).await?;
    Ok(true)
}
