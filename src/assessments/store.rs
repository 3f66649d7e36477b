//! Self-assessment SQL. Every read filters by the caller's scope (`Visibility`); every write
//! re-checks the state it expects in its `UPDATE … WHERE state = …`, so two requests racing on
//! one record cannot both move it.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::rules::{ItemReview, Outcome, ResultLevel, State, TemplateKind};
use super::templates::Template;
use crate::auth::Jurisdiction;
use crate::db::{new_id, Db, NullableF64};
use crate::notify::outbox::{self, Recipient};
use crate::paging::Page;

pub type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

/// Which records a caller sees (see `Jurisdiction`).
pub type Visibility = Jurisdiction;

const SELECT: &str = "SELECT a.id, a.enterprise_id, e.name AS enterprise_name, e.district_code, e.locality, \
    a.template_id, t.version AS template_version, a.kind, a.period, a.state, a.round, a.return_reason, a.result, \
    a.created_at, a.updated_at \
    FROM assessments a JOIN enterprises e ON e.id = a.enterprise_id JOIN assessment_templates t ON t.id = a.template_id \
    WHERE a.state <> 'deleted' AND ($1 IS NULL OR a.enterprise_id = $1) AND ($2 IS NULL OR e.district_code = $2)";

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AssessmentRow {
    pub id: String,
    pub enterprise_id: String,
    pub enterprise_name: String,
    pub district_code: String,
    /// local | non_local
    pub locality: String,
    pub template_id: String,
    pub template_version: i64,
    #[schema(value_type = TemplateKind)]
    pub kind: String,
    /// e.g. `2026`, `2026-H1`, `2026-Q3`
    pub period: String,
    #[schema(value_type = State)]
    pub state: String,
    /// The round being edited or reviewed (1 for the first submission).
    pub round: i64,
    /// Why a returned record came back: `rejected` items or `rectification`.
    pub return_reason: Option<String>,
    /// The result of the last finished review.
    #[schema(value_type = Option<ResultLevel>)]
    pub result: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl AssessmentRow {
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Deleted)
    }
}

pub async fn get(db: &Db, id: &str, visibility: &Visibility) -> Result<Option<AssessmentRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} AND a.id = $3"))
        .bind(visibility.enterprise.as_deref())
        .bind(visibility.district.as_deref())
        .bind(id)
        .fetch_optional(db)
        .await
}

#[derive(Default)]
pub struct Filter {
    pub kind: Option<String>,
    pub state: Option<String>,
    pub period: Option<String>,
    pub district: Option<String>,
}

pub async fn list(
    db: &Db,
    visibility: &Visibility,
    filter: &Filter,
    page: &Page,
) -> Result<Vec<AssessmentRow>, sqlx::Error> {
    let (limit, offset) = page.limit_offset();
    sqlx::query_as(&format!(
        "{SELECT} AND ($3 IS NULL OR a.kind = $3) AND ($4 IS NULL OR a.state = $4) AND ($5 IS NULL OR a.period = $5) \
         AND ($6 IS NULL OR e.district_code = $6) ORDER BY a.updated_at DESC, a.id LIMIT $7 OFFSET $8"
    ))
    .bind(visibility.enterprise.as_deref())
    .bind(visibility.district.as_deref())
    .bind(filter.kind.as_deref())
    .bind(filter.state.as_deref())
    .bind(filter.period.as_deref())
    .bind(filter.district.as_deref())
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// Creates a draft on a template version, one empty item per template item; `None` when the
/// enterprise already has one of this kind for the period.
pub async fn create(
    db: &Db,
    enterprise: &str,
    template: &Template,
    period: &str,
    by: &str,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let mut tx = db.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO assessments (id, enterprise_id, template_id, kind, period, state, round, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'draft', 1, $6, $7, $7)",
    )
    .bind(&id)
    .bind(enterprise)
    .bind(&template.id)
    .bind(template.kind.as_str())
    .bind(period)
    .bind(by)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(e) if crate::db::is_unique_violation(&e) => return Ok(None),
        other => other?,
    };
    for item in &template.items {
        sqlx::query("INSERT INTO assessment_items (assessment_id, round, number) VALUES ($1, 1, $2)")
            .bind(&id)
            .bind(&item.number)
            .execute(&mut *tx)
            .await?;
    }
    history(&mut tx, &id, 1, "new", State::Draft, by, None, now).await?;
    tx.commit().await?;
    Ok(Some(id))
}

#[allow(clippy::too_many_arguments)]
async fn history(
    tx: &mut Tx<'_>,
    id: &str,
    round: i64,
    from: &str,
    to: State,
    actor: &str,
    opinion: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO assessment_history (id, assessment_id, round, from_state, to_state, actor, opinion, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(id)
    .bind(round)
    .bind(from)
    .bind(to.as_str())
    .bind(actor)
    .bind(opinion)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a record from `from` to `to` if it is still in `from` at `round`.
async fn move_state(
    tx: &mut Tx<'_>,
    row: &AssessmentRow,
    to: State,
    actor: &str,
    opinion: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let moved =
        sqlx::query("UPDATE assessments SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4 AND round = $5")
            .bind(to.as_str())
            .bind(now)
            .bind(&row.id)
            .bind(&row.state)
            .bind(row.round)
            .execute(&mut **tx)
            .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    if row.state != to.as_str() {
        history(tx, &row.id, row.round, &row.state, to, actor, opinion, now).await?;
    }
    Ok(true)
}

/// Begins an enterprise edit or submission: holds the record (so that edits, the checks of a
/// submission and the submission itself do not interleave); `None` unless the record is still
/// editable in the same round.
pub async fn begin_edit<'c>(db: &'c Db, row: &AssessmentRow, now: i64) -> Result<Option<Tx<'c>>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let touched = sqlx::query(
        "UPDATE assessments SET updated_at = $1 WHERE id = $2 AND round = $3 AND state IN ('draft', 'returned')",
    )
    .bind(now)
    .bind(&row.id)
    .bind(row.round)
    .execute(&mut *tx)
    .await?;
    Ok((touched.rows_affected() == 1).then_some(tx))
}

/// Begins a reviewer's act that depends on the whole round (finishing it): holds the record, so
/// that no item changes between reading the items and moving the record; `None` when the
/// record moved since it was read.
pub async fn begin_review<'c>(db: &'c Db, row: &AssessmentRow, now: i64) -> Result<Option<Tx<'c>>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let held = sqlx::query("UPDATE assessments SET updated_at = $1 WHERE id = $2 AND round = $3 AND state = $4")
        .bind(now)
        .bind(&row.id)
        .bind(row.round)
        .bind(&row.state)
        .execute(&mut *tx)
        .await?;
    Ok((held.rows_affected() == 1).then_some(tx))
}

/// The enterprise's fill of one item in the current round.
pub async fn save_item(
    tx: &mut Tx<'_>,
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
    .execute(&mut **tx)
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
    pub review_state: String,
    pub review_opinion: Option<String>,
    pub rectification_note: String,
}

impl ItemRow {
    pub fn review(&self) -> ItemReview {
        ItemReview::parse(&self.review_state).unwrap_or(ItemReview::Pending)
    }
}

/// Reads on the pool or inside a transaction that holds the record (see `begin_edit`).
pub async fn items<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    id: &str,
    round: i64,
) -> Result<Vec<ItemRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT number, self_score, self_note, assessed_score, review_state, review_opinion, rectification_note \
         FROM assessment_items WHERE assessment_id = $1 AND round = $2",
    )
    .bind(id)
    .bind(round)
    .fetch_all(ex)
    .await
}

/// A document linked to an item.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct LinkedDocument {
    #[serde(skip)]
    pub number: String,
    pub document_id: String,
    /// evidence | rectification
    pub role: String,
    /// The named attachment it fills ("" for plain evidence).
    pub slot: String,
    pub file_name: String,
    pub added_at: i64,
}

/// Reads on the pool or inside a transaction that holds the record (see `begin_edit`).
pub async fn documents<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    id: &str,
    round: i64,
) -> Result<Vec<LinkedDocument>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.number, l.document_id, l.role, l.slot, d.file_name, l.added_at FROM assessment_documents l \
         JOIN documents d ON d.id = l.document_id WHERE l.assessment_id = $1 AND l.round = $2 ORDER BY l.added_at, l.document_id",
    )
    .bind(id)
    .bind(round)
    .fetch_all(ex)
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
    tx: &mut Tx<'_>,
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
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE documents SET attached_kind = 'assessment', attached_id = $1 WHERE id = $2")
        .bind(&row.id)
        .bind(document)
        .execute(&mut **tx)
        .await?;
    Ok(linked.rows_affected() == 1)
}

/// Unlinks a document from an item of the current round; a document no submitted round uses
/// becomes the enterprise's own again (deletable).
pub async fn unlink_document(
    tx: &mut Tx<'_>,
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
    .execute(&mut **tx)
    .await?;
    release_unused(tx, &row.id).await?;
    Ok(removed.rows_affected() == 1)
}

/// Detaches the record's unlocked documents that no item links any more.
async fn release_unused(tx: &mut Tx<'_>, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET attached_kind = NULL, attached_id = NULL WHERE attached_kind = 'assessment' \
         AND attached_id = $1 AND state = 'available' \
         AND id NOT IN (SELECT document_id FROM assessment_documents WHERE assessment_id = $1) \
         AND id NOT IN (SELECT scan_document_id FROM assessment_people WHERE assessment_id = $1)",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One person on a people list, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: String,
    pub number: String,
    pub role: String,
    pub name: String,
    pub id_number_masked: String,
    pub position: String,
    pub certificate_name: String,
    pub certificate_number: String,
    pub certificate_valid_until: Option<String>,
    pub scan_document_id: String,
}

/// Reads on the pool or inside a transaction that holds the record (see `begin_edit`).
pub async fn people<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    id: &str,
    round: i64,
) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, number, role, name, id_number_masked, position, certificate_name, certificate_number, \
         certificate_valid_until, scan_document_id FROM assessment_people WHERE assessment_id = $1 AND round = $2 \
         ORDER BY created_at, id",
    )
    .bind(id)
    .bind(round)
    .fetch_all(ex)
    .await
}

pub struct NewPerson<'a> {
    pub number: &'a str,
    pub role: &'a str,
    pub name: &'a str,
    pub id_number_sealed: &'a str,
    pub id_number_masked: &'a str,
    pub position: &'a str,
    pub certificate_name: &'a str,
    pub certificate_number: &'a str,
    pub certificate_valid_until: Option<&'a str>,
    pub scan_document_id: &'a str,
}

pub async fn add_person(
    tx: &mut Tx<'_>,
    row: &AssessmentRow,
    p: &NewPerson<'_>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO assessment_people (id, assessment_id, round, number, role, name, id_number_sealed, id_number_masked, \
         position, certificate_name, certificate_number, certificate_valid_until, scan_document_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(&row.id)
    .bind(row.round)
    .bind(p.number)
    .bind(p.role)
    .bind(p.name)
    .bind(p.id_number_sealed)
    .bind(p.id_number_masked)
    .bind(p.position)
    .bind(p.certificate_name)
    .bind(p.certificate_number)
    .bind(p.certificate_valid_until)
    .bind(p.scan_document_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE documents SET attached_kind = 'assessment', attached_id = $1 WHERE id = $2")
        .bind(&row.id)
        .bind(p.scan_document_id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

pub async fn remove_person(
    tx: &mut Tx<'_>,
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
    .execute(&mut **tx)
    .await?;
    release_unused(tx, &row.id).await?;
    Ok(removed.rows_affected() == 1)
}

/// Submits the current round in the transaction `begin_edit` opened: records it, and locks every
/// document it uses so that what was submitted stays readable as it was.
pub async fn submit(
    tx: &mut Tx<'_>,
    row: &AssessmentRow,
    opinion: &str,
    by: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    if !move_state(tx, row, State::Submitted, by, Some(opinion), now).await? {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO assessment_rounds (assessment_id, round, submitted_by, submitted_at, submit_opinion) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&row.id)
    .bind(row.round)
    .bind(by)
    .bind(now)
    .bind(opinion)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE documents SET state = 'locked' WHERE id IN (SELECT document_id FROM assessment_documents WHERE assessment_id = $1 AND round = $2) \
         OR id IN (SELECT scan_document_id FROM assessment_people WHERE assessment_id = $1 AND round = $2)",
    )
    .bind(&row.id)
    .bind(row.round)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Marks a draft or returned record deleted (kept, no longer listed) and releases its unlocked
/// documents.
pub async fn delete(db: &Db, row: &AssessmentRow, by: &str, now: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !move_state(&mut tx, row, State::Deleted, by, None, now).await? {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE documents SET attached_kind = NULL, attached_id = NULL WHERE attached_kind = 'assessment' AND attached_id = $1 AND state = 'available'",
    )
    .bind(&row.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A reviewer's act on an item.
pub enum ReviewAct<'a> {
    Score {
        accepted: bool,
        score: f64,
        opinion: Option<&'a str>,
    },
    Decide {
        passed: bool,
        opinion: Option<&'a str>,
    },
}

/// Applies a reviewer's act to an item of the round under review, keeps it as a review record,
/// and moves a submitted record under review.
pub async fn review_item(
    db: &Db,
    row: &AssessmentRow,
    number: &str,
    act: &ReviewAct<'_>,
    reviewer: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !move_state(&mut tx, row, State::UnderReview, reviewer, None, now).await? {
        return Ok(false);
    }
    let (action, score, opinion) = match *act {
        ReviewAct::Score {
            accepted,
            score,
            opinion,
        } => {
            sqlx::query("UPDATE assessment_items SET assessed_score = $1 WHERE assessment_id = $2 AND round = $3 AND number = $4")
                .bind(score)
                .bind(&row.id)
                .bind(row.round)
                .bind(number)
                .execute(&mut *tx)
                .await?;
            (if accepted { "accept" } else { "override" }, Some(score), opinion)
        }
        ReviewAct::Decide { passed, opinion } => {
            let review = if passed {
                ItemReview::Passed
            } else {
                ItemReview::Rejected
            };
            sqlx::query(
                "UPDATE assessment_items SET review_state = $1, review_opinion = $2 WHERE assessment_id = $3 AND round = $4 AND number = $5",
            )
            .bind(review.as_str())
            .bind(opinion)
            .bind(&row.id)
            .bind(row.round)
            .bind(number)
            .execute(&mut *tx)
            .await?;
            (if passed { "pass" } else { "reject" }, None, opinion)
        }
    };
    sqlx::query(
        "INSERT INTO assessment_reviews (id, assessment_id, round, number, action, score, opinion, reviewer, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(&row.id)
    .bind(row.round)
    .bind(number)
    .bind(action)
    .bind(NullableF64(score))
    .bind(opinion)
    .bind(reviewer)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// One review record of an item (考核记录).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ReviewRecord {
    pub round: i64,
    /// accept (✓) | override (✗) | pass | reject
    pub action: String,
    pub score: Option<f64>,
    pub opinion: Option<String>,
    pub reviewer: String,
    pub reviewer_name: Option<String>,
    pub at: i64,
}

pub async fn item_history(db: &Db, id: &str, number: &str) -> Result<Vec<ReviewRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.round, r.action, r.score, r.opinion, r.reviewer, s.display_name AS reviewer_name, r.at FROM assessment_reviews r \
         LEFT JOIN staff s ON s.id = r.reviewer WHERE r.assessment_id = $1 AND r.number = $2 ORDER BY r.at, r.id",
    )
    .bind(id)
    .bind(number)
    .fetch_all(db)
    .await
}

pub struct Finish<'a> {
    pub outcome: Outcome,
    pub result: ResultLevel,
    pub self_total: f64,
    pub assessed_total: f64,
    pub opinion: &'a str,
    /// The items returned as rejected, for the enterprise's notice.
    pub rejected: Vec<String>,
}

/// Ends the review of the current round, in the transaction `begin_review` opened. A return opens the next round as a copy of this
/// one (scores, notes, evidence and people; reviews start afresh), so the finished round
/// stays readable as it was.
pub async fn finish(
    tx: &mut Tx<'_>,
    row: &AssessmentRow,
    f: &Finish<'_>,
    reviewer: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let to = if f.outcome == Outcome::Approved {
        State::Approved
    } else {
        State::Returned
    };
    if !move_state(tx, row, to, reviewer, Some(f.opinion), now).await? {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE assessment_rounds SET finished_by = $1, finished_at = $2, finish_opinion = $3, outcome = $4, result = $5, \
         self_total = $6, assessed_total = $7 WHERE assessment_id = $8 AND round = $9",
    )
    .bind(reviewer)
    .bind(now)
    .bind(f.opinion)
    .bind(f.outcome.as_str())
    .bind(f.result.as_str())
    .bind(f.self_total)
    .bind(f.assessed_total)
    .bind(&row.id)
    .bind(row.round)
    .execute(&mut **tx)
    .await?;
    let reason = match f.outcome {
        Outcome::Approved => None,
        Outcome::Returned => Some("rejected"),
        Outcome::Rectification => Some("rectification"),
    };
    if to == State::Returned {
        open_next_round(tx, &row.id, row.round).await?;
    }
    let next = if to == State::Returned {
        row.round + 1
    } else {
        row.round
    };
    sqlx::query("UPDATE assessments SET round = $1, return_reason = $2, result = $3 WHERE id = $4")
        .bind(next)
        .bind(reason)
        .bind(f.result.as_str())
        .bind(&row.id)
        .execute(&mut **tx)
        .await?;
    let params = json!({"assessment_id": row.id, "opinion": f.opinion, "result": f.result.as_str(), "items": f.rejected.join("、")});
    let kind = match f.outcome {
        Outcome::Approved => "assessment.approved",
        Outcome::Returned => "assessment.returned",
        Outcome::Rectification => "assessment.rectification",
    };
    outbox::enqueue(
        &mut **tx,
        Recipient::EnterpriseContact(&row.enterprise_id),
        kind,
        params,
        now,
    )
    .await?;
    Ok(true)
}

async fn open_next_round(tx: &mut Tx<'_>, id: &str, round: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO assessment_items (assessment_id, round, number, self_score, self_note) \
         SELECT assessment_id, round + 1, number, self_score, self_note FROM assessment_items WHERE assessment_id = $1 AND round = $2",
    )
    .bind(id)
    .bind(round)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO assessment_documents (assessment_id, round, number, document_id, role, slot, added_by, added_at) \
         SELECT assessment_id, round + 1, number, document_id, role, slot, added_by, added_at FROM assessment_documents \
         WHERE assessment_id = $1 AND round = $2 AND role = 'evidence'",
    )
    .bind(id)
    .bind(round)
    .execute(&mut **tx)
    .await?;
    let people: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM assessment_people WHERE assessment_id = $1 AND round = $2")
            .bind(id)
            .bind(round)
            .fetch_all(&mut **tx)
            .await?;
    for (person,) in people {
        sqlx::query(
            "INSERT INTO assessment_people (id, assessment_id, round, number, role, name, id_number_sealed, id_number_masked, \
             position, certificate_name, certificate_number, certificate_valid_until, scan_document_id, created_at) \
             SELECT $1, assessment_id, round + 1, number, role, name, id_number_sealed, id_number_masked, position, \
             certificate_name, certificate_number, certificate_valid_until, scan_document_id, created_at \
             FROM assessment_people WHERE id = $2",
        )
        .bind(new_id())
        .bind(&person)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// One submitted round and how its review ended.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct RoundView {
    pub round: i64,
    pub submitted_by: String,
    pub submitted_at: i64,
    pub submit_opinion: String,
    pub finished_by: Option<String>,
    pub finished_at: Option<i64>,
    pub finish_opinion: Option<String>,
    #[schema(value_type = Option<Outcome>)]
    pub outcome: Option<String>,
    #[schema(value_type = Option<ResultLevel>)]
    pub result: Option<String>,
    pub self_total: Option<f64>,
    pub assessed_total: Option<f64>,
}

pub async fn rounds(db: &Db, id: &str) -> Result<Vec<RoundView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT round, submitted_by, submitted_at, submit_opinion, finished_by, finished_at, finish_opinion, outcome, result, \
         self_total, assessed_total FROM assessment_rounds WHERE assessment_id = $1 ORDER BY round",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

/// One state change of the record.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct HistoryEntry {
    pub round: i64,
    pub from_state: String,
    pub to_state: String,
    pub actor: String,
    pub opinion: Option<String>,
    pub at: i64,
}

pub async fn state_history(db: &Db, id: &str) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT round, from_state, to_state, actor, opinion, at FROM assessment_history WHERE assessment_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(db)
    .await
}
