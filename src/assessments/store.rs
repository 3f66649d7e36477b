//! Self-assessment SQL. Every read is confined to the caller's `Bounds`; every write
//! re-checks the state it expects in its `UPDATE … WHERE state = …`, so two requests racing on
//! one record cannot both move it. Writes run in the caller's transaction (its act), which
//! commits them with their audit event.
//!
//! - this file: the record, its state changes and its rounds;
//! - `listing`: the list, filtered, sorted, paged and counted;
//! - `fill`: the enterprise's fill of the items (scores, documents, people);
//! - `review`: the reviewer's acts on the items and the end of a review;
//! - `templates`: template versions.

mod fill;
pub mod lifecycle;
mod listing;
mod review;
pub mod templates;

use serde::Serialize;
use utoipa::ToSchema;

pub use fill::{
    add_person, documents, items, link_document, people, remove_person, save_item, unlink_document, ItemRow, Link,
    LinkedDocument, NewPerson, PersonRow,
};
pub use listing::{count, list, Filter, Order, SortKey, NEWEST_FIRST};
pub use review::{finish, item_history, review_item, Finish, ReviewAct, ReviewRecord};

use super::rules::{Outcome, ResultLevel, State, TemplateKind};
use super::templates::Template;
use crate::auth::{Bounds, Columns, Key};
use crate::platform::db::{new_id, Conn, Executor};
use crate::platform::ids::{AssessmentId, EnterpriseId, TemplateId};

/// Where self-assessments keep the bounds: the enterprise assessed and its district.
const BOUNDS: Columns = Columns {
    enterprise: Some(Key::Column("a.enterprise_id")),
    district: Some(Key::Column("e.district_code")),
    ..Columns::NONE
};

/// Where the review queue keeps the bounds: on the self-assessment itself, its district kept
/// with its enterprise's (`assessments_waiting_district`, migration 0038), so a district's
/// queue is counted from one index range.
const WAITING_BOUNDS: Columns = Columns {
    enterprise: Some(Key::Column("a.enterprise_id")),
    district: Some(Key::Column("a.district_code")),
    ..Columns::NONE
};

const SELECT: &str = "SELECT a.id, a.enterprise_id, e.name AS enterprise_name, e.district_code, e.locality, \
    a.template_id, t.version AS template_version, a.kind, a.period, a.state, a.round, a.return_reason, a.result, \
    a.created_at, a.updated_at \
    FROM assessments a JOIN enterprises e ON e.id = a.enterprise_id JOIN assessment_templates t ON t.id = a.template_id \
    WHERE a.state <> 'deleted'";

// Every assessment record (self-assessments, project forms, daily events) decodes its state
// strictly.
crate::text_column!(State);

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AssessmentRow {
    #[schema(value_type = String)]
    pub id: AssessmentId,
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    pub district_code: String,
    /// local | non_local
    pub locality: String,
    #[schema(value_type = String)]
    pub template_id: TemplateId,
    pub template_version: i64,
    #[schema(value_type = TemplateKind)]
    pub kind: String,
    /// e.g. `2026`, `2026-H1`, `2026-Q3`
    pub period: String,
    #[schema(value_type = State)]
    pub state: State,
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
        self.state
    }
}

pub async fn get(
    db: impl Executor<'_>,
    id: &AssessmentId,
    bounds: &Bounds,
) -> Result<Option<AssessmentRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    within
        .bind(sqlx::query_as(&format!("{SELECT} AND a.id = $1 AND {within}")).bind(id))
        .fetch_optional(db)
        .await
}

/// Moves an enterprise's self-assessments to the district it moved to (inside the act that
/// changes its district), so those waiting are reviewed by the new district's staff.
pub async fn move_district(
    db: impl Executor<'_>,
    enterprise: &EnterpriseId,
    district: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE assessments SET district_code = $1 WHERE enterprise_id = $2")
        .bind(district)
        .bind(enterprise)
        .execute(db)
        .await?;
    Ok(())
}

/// Creates a draft on a template version, one empty item per template item; `None` when the
/// enterprise already has one of this kind for the period.
pub async fn create(
    conn: &mut Conn,
    enterprise: &str,
    template: &Template,
    period: &str,
    by: &str,
    now: i64,
) -> Result<Option<AssessmentId>, sqlx::Error> {
    let id = AssessmentId::new();
    let inserted = sqlx::query(
        "INSERT INTO assessments (id, enterprise_id, template_id, kind, period, state, round, created_by, created_at, updated_at, \
         district_code) VALUES ($1, $2, $3, $4, $5, 'draft', 1, $6, $7, $7, (SELECT district_code FROM enterprises WHERE id = $2))",
    )
    .bind(&id)
    .bind(enterprise)
    .bind(&template.id)
    .bind(template.kind.as_str())
    .bind(period)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await;
    match inserted {
        Err(e) if crate::platform::db::is_unique_violation(&e) => return Ok(None),
        other => other?,
    };
    for item in &template.items {
        sqlx::query("INSERT INTO assessment_items (assessment_id, round, number) VALUES ($1, 1, $2)")
            .bind(&id)
            .bind(&item.number)
            .execute(&mut *conn)
            .await?;
    }
    history(conn, &id, 1, "new", State::Draft, by, None, now).await?;
    Ok(Some(id))
}

#[allow(clippy::too_many_arguments)]
async fn history(
    db: impl Executor<'_>,
    id: &AssessmentId,
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
    .execute(db)
    .await?;
    Ok(())
}

/// Moves a record from `from` to `to` if it is still in `from` at `round`.
async fn move_state(
    conn: &mut Conn,
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
            .execute(&mut *conn)
            .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    if row.state != to {
        history(conn, &row.id, row.round, row.state.as_str(), to, actor, opinion, now).await?;
    }
    Ok(true)
}

/// Holds the record for an enterprise edit or submission, as the first step of the caller's
/// transaction (so that edits, the checks of a submission and the submission itself do not
/// interleave); `false` unless the record is still editable in the same round.
pub async fn hold_editable(db: impl Executor<'_>, row: &AssessmentRow, now: i64) -> Result<bool, sqlx::Error> {
    let touched = sqlx::query(
        "UPDATE assessments SET updated_at = $1 WHERE id = $2 AND round = $3 AND state IN ('draft', 'returned')",
    )
    .bind(now)
    .bind(&row.id)
    .bind(row.round)
    .execute(db)
    .await?;
    Ok(touched.rows_affected() == 1)
}

/// Holds the record for a reviewer's act that depends on the whole round (finishing it), as the
/// first step of the caller's transaction, so that no item changes between reading the items
/// and moving the record; `false` when the record moved since it was read.
pub async fn hold_unchanged(db: impl Executor<'_>, row: &AssessmentRow, now: i64) -> Result<bool, sqlx::Error> {
    let held = sqlx::query("UPDATE assessments SET updated_at = $1 WHERE id = $2 AND round = $3 AND state = $4")
        .bind(now)
        .bind(&row.id)
        .bind(row.round)
        .bind(&row.state)
        .execute(db)
        .await?;
    Ok(held.rows_affected() == 1)
}

/// Submits the current round in a transaction that holds the record (`hold_editable`): records
/// it, and locks every document it uses so that what was submitted stays readable as it was.
pub async fn submit(
    conn: &mut Conn,
    row: &AssessmentRow,
    opinion: &str,
    by: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    if !move_state(conn, row, State::Submitted, by, Some(opinion), now).await? {
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
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE documents SET state = 'locked' WHERE id IN (SELECT document_id FROM assessment_documents WHERE assessment_id = $1 AND round = $2) \
         OR id IN (SELECT scan_document_id FROM assessment_people WHERE assessment_id = $1 AND round = $2)",
    )
    .bind(&row.id)
    .bind(row.round)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Marks a draft or returned record deleted (kept, no longer listed) and releases its unlocked
/// documents.
pub async fn delete(conn: &mut Conn, row: &AssessmentRow, by: &str, now: i64) -> Result<bool, sqlx::Error> {
    if !move_state(conn, row, State::Deleted, by, None, now).await? {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE documents SET attached_kind = NULL, attached_id = NULL WHERE attached_kind = 'assessment' AND attached_id = $1 AND state = 'available'",
    )
    .bind(&row.id)
    .execute(&mut *conn)
    .await?;
    Ok(true)
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

pub async fn rounds(db: impl Executor<'_>, id: &AssessmentId) -> Result<Vec<RoundView>, sqlx::Error> {
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

pub async fn state_history(db: impl Executor<'_>, id: &AssessmentId) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT round, from_state, to_state, actor, opinion, at FROM assessment_history WHERE assessment_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

/// The self-assessments within `bounds` submitted and not yet decided, oldest first, for the
/// staff inbox (`notify::awaiting`): each names its enterprise, template and period.
pub async fn awaiting_review(
    conn: &mut Conn,
    bounds: &Bounds,
) -> Result<Vec<crate::notify::awaiting::Row>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Waiting {
        id: String,
        enterprise_id: String,
        enterprise_name: String,
        kind: String,
        period: String,
        updated_at: i64,
        total: i64,
    }
    let within = bounds.condition(&WAITING_BOUNDS, 1);
    let waiting = format!("a.state IN ('submitted', 'under_review') AND {within}");
    let sql = crate::notify::awaiting::counted_queue(
        "a.id, a.enterprise_id, e.name AS enterprise_name, a.kind, a.period, a.updated_at",
        &format!("FROM assessments a JOIN enterprises e ON e.id = a.enterprise_id WHERE {waiting}"),
        &format!("FROM assessments a WHERE {waiting}"),
        "a.updated_at, a.id",
    );
    let rows: Vec<Waiting> = within.bind(sqlx::query_as(&sql)).fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .map(|w| crate::notify::awaiting::Row {
            subject: format!("{}（{}）", TemplateKind::name_of(&w.kind), w.period),
            target_id: w.id,
            enterprise_id: Some(w.enterprise_id),
            enterprise_name: Some(w.enterprise_name),
            since: w.updated_at,
            total: w.total,
        })
        .collect())
}
