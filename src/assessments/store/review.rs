//! The reviewer's side of a self-assessment: acts on items, kept as review records, and the
//! end of a review, which approves the record or opens the enterprise's next round.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{move_state, AssessmentRow};
use crate::assessments::rules::{ItemReview, Outcome, ResultLevel, State, TemplateKind};
use crate::notify::outbox::{self, Recipient};
use crate::platform::db::{new_id, Conn, Executor, NullableF64};
use crate::platform::ids::AssessmentId;

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
    conn: &mut Conn,
    row: &AssessmentRow,
    number: &str,
    act: &ReviewAct<'_>,
    reviewer: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    if !move_state(conn, row, State::UnderReview, reviewer, None, now).await? {
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
                .execute(&mut *conn)
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
            .execute(&mut *conn)
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
    .execute(&mut *conn)
    .await?;
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

pub async fn item_history(
    db: impl Executor<'_>,
    id: &AssessmentId,
    number: &str,
) -> Result<Vec<ReviewRecord>, sqlx::Error> {
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

/// Ends the review of the current round, in a transaction that holds the record
/// (`hold_unchanged`). A return opens the next round as a copy of this one (scores, notes,
/// evidence and people; reviews start afresh), so the finished round stays readable as it was.
/// The enterprise's notice is enqueued in the same transaction.
pub async fn finish(
    conn: &mut Conn,
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
    if !move_state(conn, row, to, reviewer, Some(f.opinion), now).await? {
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
    .execute(&mut *conn)
    .await?;
    let reason = match f.outcome {
        Outcome::Approved => None,
        Outcome::Returned => Some("rejected"),
        Outcome::Rectification => Some("rectification"),
    };
    if to == State::Returned {
        open_next_round(conn, &row.id, row.round).await?;
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
        .execute(&mut *conn)
        .await?;
    let assessment = TemplateKind::name_of(&row.kind);
    let params = json!({"assessment_id": row.id, "enterprise": row.enterprise_name, "assessment": assessment, "period": row.period,
        "opinion": f.opinion, "result": f.result.as_str(), "items": f.rejected.join("、")});
    let kind = match f.outcome {
        Outcome::Approved => "assessment.approved",
        Outcome::Returned => "assessment.returned",
        Outcome::Rectification => "assessment.rectification",
    };
    outbox::enqueue(
        &mut *conn,
        Recipient::EnterpriseContact(&row.enterprise_id),
        kind,
        params,
        now,
    )
    .await?;
    Ok(true)
}

async fn open_next_round(conn: &mut Conn, id: &AssessmentId, round: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO assessment_items (assessment_id, round, number, self_score, self_note) \
         SELECT assessment_id, round + 1, number, self_score, self_note FROM assessment_items WHERE assessment_id = $1 AND round = $2",
    )
    .bind(id)
    .bind(round)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO assessment_documents (assessment_id, round, number, document_id, role, slot, added_by, added_at) \
         SELECT assessment_id, round + 1, number, document_id, role, slot, added_by, added_at FROM assessment_documents \
         WHERE assessment_id = $1 AND round = $2 AND role = 'evidence'",
    )
    .bind(id)
    .bind(round)
    .execute(&mut *conn)
    .await?;
    let people: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM assessment_people WHERE assessment_id = $1 AND round = $2")
            .bind(id)
            .bind(round)
            .fetch_all(&mut *conn)
            .await?;
    for (person,) in people {
        sqlx::query(
            "INSERT INTO assessment_people (id, assessment_id, round, number, role, name, id_number_sealed, id_number_masked, \
             position, certificate_name, certificate_number, certificate_valid_until, scan_document_id, created_at, name_masked) \
             SELECT $1, assessment_id, round + 1, number, role, name, id_number_sealed, id_number_masked, position, \
             certificate_name, certificate_number, certificate_valid_until, scan_document_id, created_at, name_masked \
             FROM assessment_people WHERE id = $2",
        )
        .bind(new_id())
        .bind(&person)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
