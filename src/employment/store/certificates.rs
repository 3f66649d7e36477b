//! Employees' registration certificates and professional titles.

use serde::Serialize;
use utoipa::ToSchema;

use super::EmploymentRow;
use crate::platform::db::Executor;
use crate::platform::ids::{DocumentId, EmploymentId, StaffCertificateId};

/// A registration certificate or professional title of an employee.
#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct CertificateView {
    #[schema(value_type = String)]
    pub id: StaffCertificateId,
    #[schema(value_type = String)]
    pub employment_id: EmploymentId,
    /// registration | title
    pub kind: String,
    /// Registration type (e.g. 一级注册建造师) or title (e.g. 高级工程师).
    pub name: String,
    pub number: Option<String>,
    pub specialty: Option<String>,
    pub valid_until: Option<String>,
    /// The certificate scan.
    #[schema(value_type = String)]
    pub document_id: DocumentId,
    pub created_at: i64,
}

const CERTIFICATE_COLUMNS: &str =
    "id, employment_id, kind, name, number, specialty, valid_until, document_id, created_at";

pub async fn certificates(
    db: impl Executor<'_>,
    employment_id: &EmploymentId,
) -> Result<Vec<CertificateView>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {CERTIFICATE_COLUMNS} FROM staff_certificates WHERE employment_id = $1 ORDER BY created_at, id"
    ))
    .bind(employment_id)
    .fetch_all(db)
    .await
}

pub struct NewCertificate<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub number: Option<&'a str>,
    pub specialty: Option<&'a str>,
    pub valid_until: Option<String>,
    pub document_id: &'a DocumentId,
}

pub async fn add_certificate(
    db: impl Executor<'_>,
    employment: &EmploymentRow,
    c: &NewCertificate<'_>,
    now: i64,
) -> Result<StaffCertificateId, sqlx::Error> {
    let id = StaffCertificateId::new();
    sqlx::query(
        "INSERT INTO staff_certificates (id, employment_id, enterprise_id, person_id, kind, name, number, specialty, valid_until, \
         document_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&employment.id)
    .bind(&employment.enterprise_id)
    .bind(&employment.person_id)
    .bind(c.kind)
    .bind(c.name)
    .bind(c.number)
    .bind(c.specialty)
    .bind(c.valid_until.as_deref())
    .bind(c.document_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(id)
}

/// Removes a certificate (the audit log keeps the act); returns its scan's document id, or
/// `None` if there was none.
pub async fn remove_certificate(
    db: impl Executor<'_>,
    employment_id: &EmploymentId,
    id: &StaffCertificateId,
) -> Result<Option<DocumentId>, sqlx::Error> {
    sqlx::query_scalar("DELETE FROM staff_certificates WHERE id = $1 AND employment_id = $2 RETURNING document_id")
        .bind(id)
        .bind(employment_id)
        .fetch_optional(db)
        .await
}
