//! The enterprise's fill of a round's items: self-scores and notes, linked documents, people.

use serde::Serialize;
use utoipa::ToSchema;

use super::AssessmentRow;
use crate::assessments::rules::{ItemReview, PersonRole};
use crate::platform::ids::{AssessmentId, DocumentId};

// Item reviews and people-list roles decode strictly.
crate::text_column!(ItemReview, PersonRole);
use crate::platform::db::{new_id, Conn, Executor, NullableF64};

/// The enterprise's fill of one item in the current round.
pub async fn save_item(
    db: impl Executor<'_>,
    row: &AssessmentRow,
    number: &str,
    self_score: Option<Option<f64>>,
    self_note: Option<&str>,
    rectification_note: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE assessment_items SET \
           self_score = CASE WHEN $1 = 1 THEN $2 ELSE self_score END, \
           self_note = COALESCE($3, self_note), rectification_note = COALESCE($4, rectification_note) \
         WHERE assessment_id = $5 AND round = $6 AND number = $7",
    )
    .bind(i64::from(self_score.is_some()))
    .bind(NullableF64(self_score.flatten()))
    .bind(self_note)
    .bind(rectification_note)
    .bind(&row.id)
    .bind(row.round)
    .bind(number)
    .execute(db)
    .await?;
    Ok(())
}

/// An item's fill and review in one round.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub number: String,
    pub self_score: Option<f64>,
    pub self_note: String,
    pub assessed_score: Option<f64>,
    pub review_state: ItemReview,
    pub review_opinion: Option<String>,
    pub rectification_note: String,
}

impl ItemRow {
    pub fn review(&self) -> ItemReview {
        self.review_state
    }
}

/// Reads on the pool or inside a transaction that holds the record (see `hold_editable`).
pub async fn items(db: impl Executor<'_>, id: &AssessmentId, round: i64) -> Result<Vec<ItemRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT number, self_score, self_note, assessed_score, review_state, review_opinion, rectification_note \
         FROM assessment_items WHERE assessment_id = $1 AND round = $2",
    )
    .bind(id)
    .bind(round)
    .fetch_all(db)
    .await
}

/// A document linked to an item.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct LinkedDocument {
    #[serde(skip)]
    pub number: String,
    #[schema(value_type = String)]
    pub document_id: DocumentId,
    /// evidence | rectification
    pub role: String,
    /// The named attachment it fills ("" for plain evidence).
    pub slot: String,
    pub file_name: String,
    pub added_at: i64,
}

/// Reads on the pool or inside a transaction that holds the record (see `hold_editable`).
pub async fn documents(
    db: impl Executor<'_>,
    id: &AssessmentId,
    round: i64,
) -> Result<Vec<LinkedDocument>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.number, l.document_id, l.role, l.slot, d.file_name, l.added_at FROM assessment_documents l \
         JOIN documents d ON d.id = l.document_id WHERE l.assessment_id = $1 AND l.round = $2 ORDER BY l.added_at, l.document_id",
    )
    .bind(id)
    .bind(round)
    .fetch_all(db)
    .await
}

/// Links an enterprise's document to an item of the current round and marks it as the
/// record's, so that it can no longer be deleted on its own once submitted.
pub struct Link<'a> {
    pub number: &'a str,
    pub document: &'a str,
    /// evidence | rectification
    pub role: &'a str,
    pub slot: &'a str,
}

pub async fn link_document(
    conn: &mut Conn,
    row: &AssessmentRow,
    link: &Link<'_>,
    by: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let Link {
        number,
        document,
        role,
        slot,
    } = *link;
    let linked = sqlx::query(
        "INSERT INTO assessment_documents (assessment_id, round, number, document_id, role, slot, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(&row.id)
    .bind(row.round)
    .bind(number)
    .bind(document)
    .bind(role)
    .bind(slot)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE documents SET attached_kind = 'assessment', attached_id = $1 WHERE id = $2")
        .bind(&row.id)
        .bind(document)
        .execute(&mut *conn)
        .await?;
    Ok(linked.rows_affected() == 1)
}

/// Unlinks a document from an item of the current round; a document no submitted round uses
/// becomes the enterprise's own again (deletable).
pub async fn unlink_document(
    conn: &mut Conn,
    row: &AssessmentRow,
    number: &str,
    document: &str,
) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query(
        "DELETE FROM assessment_documents WHERE assessment_id = $1 AND round = $2 AND number = $3 AND document_id = $4",
    )
    .bind(&row.id)
    .bind(row.round)
    .bind(number)
    .bind(document)
    .execute(&mut *conn)
    .await?;
    release_unused(&mut *conn, &row.id).await?;
    Ok(removed.rows_affected() == 1)
}

/// Detaches the record's unlocked documents that no item links any more.
async fn release_unused(db: impl Executor<'_>, id: &AssessmentId) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET attached_kind = NULL, attached_id = NULL WHERE attached_kind = 'assessment' \
         AND attached_id = $1 AND state = 'available' \
         AND id NOT IN (SELECT document_id FROM assessment_documents WHERE assessment_id = $1) \
         AND id NOT IN (SELECT scan_document_id FROM assessment_people WHERE assessment_id = $1)",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// One person on a people list, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: String,
    pub number: String,
    pub role: PersonRole,
    /// Shown masked; the name itself is sealed at rest.
    pub name_masked: String,
    pub id_number_masked: String,
    pub position: String,
    pub certificate_name: String,
    pub certificate_number: String,
    pub certificate_valid_until: Option<String>,
    pub scan_document_id: DocumentId,
}

/// Reads on the pool or inside a transaction that holds the record (see `hold_editable`).
pub async fn people(db: impl Executor<'_>, id: &AssessmentId, round: i64) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, number, role, name_masked, id_number_masked, position, certificate_name, certificate_number, \
         certificate_valid_until, scan_document_id FROM assessment_people WHERE assessment_id = $1 AND round = $2 \
         ORDER BY created_at, id",
    )
    .bind(id)
    .bind(round)
    .fetch_all(db)
    .await
}

pub struct NewPerson<'a> {
    pub number: &'a str,
    pub role: &'a str,
    pub name_sealed: &'a str,
    pub name_masked: &'a str,
    pub id_number_sealed: &'a str,
    pub id_number_masked: &'a str,
    pub position: &'a str,
    pub certificate_name: &'a str,
    pub certificate_number: &'a str,
    pub certificate_valid_until: Option<&'a str>,
    pub scan_document_id: &'a DocumentId,
}

pub async fn add_person(
    conn: &mut Conn,
    row: &AssessmentRow,
    p: &NewPerson<'_>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO assessment_people (id, assessment_id, round, number, role, name, id_number_sealed, id_number_masked, \
         position, certificate_name, certificate_number, certificate_valid_until, scan_document_id, created_at, name_masked) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&id)
    .bind(&row.id)
    .bind(row.round)
    .bind(p.number)
    .bind(p.role)
    .bind(p.name_sealed)
    .bind(p.id_number_sealed)
    .bind(p.id_number_masked)
    .bind(p.position)
    .bind(p.certificate_name)
    .bind(p.certificate_number)
    .bind(p.certificate_valid_until)
    .bind(p.scan_document_id)
    .bind(now)
    .bind(p.name_masked)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE documents SET attached_kind = 'assessment', attached_id = $1 WHERE id = $2")
        .bind(&row.id)
        .bind(p.scan_document_id)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

pub async fn remove_person(
    conn: &mut Conn,
    row: &AssessmentRow,
    number: &str,
    person: &str,
) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query(
        "DELETE FROM assessment_people WHERE id = $1 AND assessment_id = $2 AND round = $3 AND number = $4",
    )
    .bind(person)
    .bind(&row.id)
    .bind(row.round)
    .bind(number)
    .execute(&mut *conn)
    .await?;
    release_unused(&mut *conn, &row.id).await?;
    Ok(removed.rows_affected() == 1)
}
