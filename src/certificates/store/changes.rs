//! The writes of applications (办件) on certificates: each changes one certificate, or the
//! certificates of one enterprise, and appends the track event in the same transaction.

use sqlx::FromRow;

use crate::certificates::kinds::{EventKind, Kind, Origin};
use crate::platform::db::{Conn, Executor};
use crate::platform::ids::{CertificateEventId, CertificateId};

/// What an application reads of a certificate, whatever the bounds (the caller checked them).
#[derive(FromRow, Debug, Clone)]
pub struct Snapshot {
    pub id: CertificateId,
    pub kind: Kind,
    pub category: String,
    pub number: String,
    pub holder_hash: String,
    pub enterprise_credit_code: String,
    pub enterprise_name: String,
    pub issued_on: String,
    pub expires_on: String,
    pub state: crate::certificates::kinds::State,
}

pub async fn snapshot(db: impl Executor<'_>, id: &CertificateId) -> Result<Option<Snapshot>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, category, number, holder_hash, enterprise_credit_code, enterprise_name, issued_on, expires_on, state \
         FROM certificates WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn number_on_record(db: impl Executor<'_>, kind: Kind, number: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM certificates WHERE kind = $1 AND number = $2")
        .bind(kind)
        .bind(number)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// One track event.
pub struct NewEvent<'a> {
    pub kind: EventKind,
    pub actor_kind: &'a str,
    pub actor_id: &'a str,
    pub detail: String,
    pub application_id: &'a str,
}

pub async fn add_event(conn: &mut Conn, id: &CertificateId, event: &NewEvent<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO certificate_events (id, certificate_id, kind, actor_kind, actor_id, at, detail, application_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(CertificateEventId::new())
    .bind(id)
    .bind(event.kind)
    .bind(event.actor_kind)
    .bind(event.actor_id)
    .bind(now)
    .bind(&event.detail)
    .bind(event.application_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the enterprise a standing certificate is registered under; false when it no longer
/// stands.
pub async fn set_enterprise(
    conn: &mut Conn,
    id: &CertificateId,
    credit_code: &str,
    name: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE certificates SET enterprise_credit_code = $1, enterprise_name = $2, updated_at = $3 \
         WHERE id = $4 AND state = 'valid'",
    )
    .bind(credit_code)
    .bind(name)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Cancels a standing certificate; false when it no longer stands.
pub async fn cancel(conn: &mut Conn, id: &CertificateId, now: i64) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE certificates SET state = 'cancelled', updated_at = $1 WHERE id = $2 AND state = 'valid'")
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// The fields a correction or renewal sets (all of them, as the application decided them).
pub struct Fields<'a> {
    pub category: &'a str,
    pub number: &'a str,
    pub issued_on: &'a str,
    pub expires_on: &'a str,
}

/// Sets a standing certificate's fields; false when it no longer stands. A number another
/// certificate of the kind has is a unique violation.
pub async fn set_fields(
    conn: &mut Conn,
    id: &CertificateId,
    fields: &Fields<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE certificates SET category = $1, number = $2, issued_on = $3, expires_on = $4, updated_at = $5 \
         WHERE id = $6 AND state = 'valid'",
    )
    .bind(fields.category)
    .bind(fields.number)
    .bind(fields.issued_on)
    .bind(fields.expires_on)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A certificate issued by an application (a supplement, an exam's issue), sealed already.
pub struct NewCertificate<'a> {
    pub id: &'a CertificateId,
    pub kind: Kind,
    pub category: &'a str,
    pub number: &'a str,
    pub holder_hash: &'a str,
    pub holder_id_sealed: &'a str,
    pub holder_id_masked: &'a str,
    pub holder_name_sealed: &'a str,
    pub holder_name_hash: &'a str,
    pub enterprise_credit_code: &'a str,
    pub enterprise_name: &'a str,
    pub issued_on: &'a str,
    pub expires_on: &'a str,
    pub origin: Origin,
}

/// Inserts a certificate; a number the kind has already is a unique violation.
pub async fn insert(conn: &mut Conn, c: &NewCertificate<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO certificates (id, kind, category, number, holder_hash, holder_id_sealed, holder_id_masked, \
         holder_name_sealed, holder_name_hash, enterprise_credit_code, enterprise_name, issued_on, expires_on, origin, \
         state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'valid', $15, $15)",
    )
    .bind(c.id)
    .bind(c.kind)
    .bind(c.category)
    .bind(c.number)
    .bind(c.holder_hash)
    .bind(c.holder_id_sealed)
    .bind(c.holder_id_masked)
    .bind(c.holder_name_sealed)
    .bind(c.holder_name_hash)
    .bind(c.enterprise_credit_code)
    .bind(c.enterprise_name)
    .bind(c.issued_on)
    .bind(c.expires_on)
    .bind(c.origin)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The standing certificates registered under `credit_code` with a name other than `name`.
pub async fn under_other_name(
    db: impl Executor<'_>,
    credit_code: &str,
    name: &str,
) -> Result<Vec<(CertificateId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, enterprise_name FROM certificates \
         WHERE enterprise_credit_code = $1 AND enterprise_name <> $2 AND state = 'valid' ORDER BY id",
    )
    .bind(credit_code)
    .bind(name)
    .fetch_all(db)
    .await
}
