//! The import's writes, batched: the records a chunk of rows names that already exist, then
//! one multi-row INSERT per batch for the new certificates and one for their import events.

use sqlx::FromRow;

use crate::certificates::kinds::{Kind, Origin};
use crate::platform::db::Conn;
use crate::platform::ids::{CertificateEventId, CertificateId};

/// Rows per INSERT statement: 17 values a row keeps a batch under SQLite's and PostgreSQL's
/// limits on bound values (32766 and 65535).
pub const BATCH: usize = 500;

/// What an existing record is compared on when a row names it again.
#[derive(FromRow, Debug, Clone)]
pub struct Existing {
    pub id: CertificateId,
    pub kind: Kind,
    pub category: String,
    pub number: String,
    pub holder_hash: String,
    pub holder_name_hash: String,
    pub enterprise_credit_code: String,
    pub enterprise_name: String,
    pub issued_on: String,
    pub expires_on: String,
    pub origin: Origin,
}

/// Brings PostgreSQL's statistics of the certificates up to date before an import looks
/// records up by number: without them, a table grown by earlier imports is planned as if it
/// were small, and `number IN (…)` becomes a scan of every certificate per batch (an import of
/// 50,000 rows into 450,000 took minutes). SQLite plans by its indexes without statistics.
pub async fn refresh_statistics(conn: &mut Conn) -> Result<(), sqlx::Error> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("ANALYZE certificates").execute(&mut *conn).await?;
    }
    Ok(())
}

/// The records with any of these numbers (of any kind; the caller matches the kind).
pub async fn existing(conn: &mut Conn, numbers: &[&str]) -> Result<Vec<Existing>, sqlx::Error> {
    let mut found = Vec::new();
    for chunk in numbers.chunks(BATCH) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| placeholder(conn, i)).collect();
        let sql = format!(
            "SELECT id, kind, category, number, holder_hash, holder_name_hash, enterprise_credit_code, enterprise_name, \
             issued_on, expires_on, origin FROM certificates WHERE number IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, Existing>(&sql);
        for number in chunk {
            query = query.bind(*number);
        }
        found.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// A certificate to insert, sealed and hashed already.
pub struct NewCertificate {
    pub id: CertificateId,
    pub kind: Kind,
    pub category: &'static str,
    pub number: String,
    pub holder_hash: String,
    pub holder_id_sealed: String,
    pub holder_id_masked: String,
    pub holder_name_sealed: String,
    pub holder_name_hash: String,
    pub enterprise_credit_code: String,
    pub enterprise_name: String,
    pub issued_on: String,
    pub expires_on: String,
    pub origin: Origin,
    /// The import event's detail (JSON).
    pub detail: String,
}

/// The placeholder of the `n`th value (1-based). SQLite finds a numbered placeholder's number
/// by a linear search of the statement's parameter names, which made each of these statements
/// of thousands of values quadratic (100 ms for 500 rows); its anonymous `?` binds in order
/// with no search. PostgreSQL needs `$n`.
fn placeholder(conn: &Conn, n: usize) -> String {
    if conn.backend_name() == "PostgreSQL" {
        format!("${n}")
    } else {
        "?".into()
    }
}

/// `(…)` groups of placeholders for `rows` rows of `width` values.
fn groups(conn: &Conn, rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let values: Vec<String> = (1..=width).map(|c| placeholder(conn, r * width + c)).collect();
            format!("({})", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts the certificates, each with its import event by `actor`, in batches.
pub async fn insert(
    conn: &mut Conn,
    certificates: &[NewCertificate],
    actor_kind: &str,
    actor_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    for batch in certificates.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO certificates (id, kind, category, number, holder_hash, holder_id_sealed, holder_id_masked, \
             holder_name_sealed, holder_name_hash, enterprise_credit_code, enterprise_name, issued_on, expires_on, origin, \
             state, created_at, updated_at) VALUES {}",
            groups(conn, batch.len(), 17)
        );
        let mut query = sqlx::query(&sql);
        for c in batch {
            query = query
                .bind(&c.id)
                .bind(c.kind)
                .bind(c.category)
                .bind(&c.number)
                .bind(&c.holder_hash)
                .bind(&c.holder_id_sealed)
                .bind(&c.holder_id_masked)
                .bind(&c.holder_name_sealed)
                .bind(&c.holder_name_hash)
                .bind(&c.enterprise_credit_code)
                .bind(&c.enterprise_name)
                .bind(&c.issued_on)
                .bind(&c.expires_on)
                .bind(c.origin)
                .bind("valid")
                .bind(now)
                .bind(now);
        }
        query.execute(&mut *conn).await?;
        let sql = format!(
            "INSERT INTO certificate_events (id, certificate_id, kind, actor_kind, actor_id, at, detail) VALUES {}",
            groups(conn, batch.len(), 7)
        );
        let ids: Vec<CertificateEventId> = batch.iter().map(|_| CertificateEventId::new()).collect();
        let mut query = sqlx::query(&sql);
        for (c, id) in batch.iter().zip(&ids) {
            query = query
                .bind(id)
                .bind(&c.id)
                .bind("import")
                .bind(actor_kind)
                .bind(actor_id)
                .bind(now)
                .bind(&c.detail);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
