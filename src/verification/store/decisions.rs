//! Decisions on check-in attempts: staff's review of a flagged one, the enterprise's appeal of
//! a refused one and staff's decision on it (`check_in_decisions`, at most one of each kind per
//! attempt by a unique index), and the guarded change of an attempt's outcome.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{AttemptView, TaskRow};
use crate::auth::{Bounds, Columns, Key};
use crate::notify::outbox::{self, Recipient};
use crate::platform::db::{numbered, Executor};
use crate::platform::ids::{CheckInAttemptId, CheckInDecisionId, EnterpriseId, PersonId, VerificationTaskId};
use crate::verification::rules::review::{self as review_rules, Outcome};

/// One decision on an attempt, with who made it and when.
#[derive(Serialize, ToSchema, sqlx::FromRow, Clone)]
pub struct DecisionView {
    #[schema(value_type = String)]
    pub id: CheckInDecisionId,
    #[schema(value_type = String)]
    pub attempt_id: CheckInAttemptId,
    /// review (staff, of a flagged attempt) | appeal (the enterprise, of a refused one) |
    /// appeal_decision (staff, of the appeal)
    pub kind: String,
    /// confirm | void (review); lodged (appeal); grant | dismiss (appeal_decision)
    pub decision: String,
    /// The staff opinion, or the enterprise's note.
    pub text: String,
    /// The account that decided.
    #[sqlx(rename = "decided_by")]
    pub by: String,
    pub at: i64,
}

const DECISION_COLUMNS: &str = "d.id, d.attempt_id, d.kind, d.decision, d.text, d.decided_by, d.at";

/// The decisions on the task's attempts, in order.
pub async fn of_task(db: impl Executor<'_>, task: &VerificationTaskId) -> Result<Vec<DecisionView>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {DECISION_COLUMNS} FROM check_in_decisions d JOIN check_in_attempts a ON a.id = d.attempt_id \
         WHERE a.task_id = $1 ORDER BY d.at, d.id"
    ))
    .bind(task)
    .fetch_all(db)
    .await
}

/// The decisions on each of `attempts` (a page of them), in order.
pub async fn of_attempts(
    db: impl Executor<'_>,
    attempts: &[&CheckInAttemptId],
) -> Result<Vec<DecisionView>, sqlx::Error> {
    let sql = format!(
        "SELECT {DECISION_COLUMNS} FROM check_in_decisions d WHERE d.attempt_id IN ({}) ORDER BY d.at, d.id",
        numbered(1, attempts.len())
    );
    let mut query = sqlx::query_as(&sql);
    for attempt in attempts {
        query = query.bind(*attempt);
    }
    query.fetch_all(db).await
}

/// Gives each attempt its decisions and what it waits for.
pub fn attach<'a>(views: impl IntoIterator<Item = &'a mut AttemptView>, decided: Vec<DecisionView>) {
    let mut by_attempt: HashMap<CheckInAttemptId, Vec<DecisionView>> = HashMap::new();
    for d in decided {
        by_attempt.entry(d.attempt_id.clone()).or_default().push(d);
    }
    for view in views {
        view.decisions.extend(by_attempt.remove(&view.id).unwrap_or_default());
        let has = |kind: &str| view.decisions.iter().any(|d| d.kind == kind);
        let (appealed, decided) = (has("appeal"), has("appeal_decision"));
        view.awaiting = Outcome::parse(&view.outcome)
            .and_then(|o| review_rules::awaiting(o, appealed, decided))
            .map(|a| a.as_str().to_owned());
    }
}

/// A decision about to be recorded.
pub struct NewDecision<'a> {
    pub attempt: &'a CheckInAttemptId,
    /// review | appeal | appeal_decision
    pub kind: &'static str,
    pub decision: &'static str,
    pub text: &'a str,
    pub by: &'a str,
}

/// Records a decision. A second decision of the same kind on one attempt violates the unique
/// index `check_in_decisions_once` (`db::is_unique_violation`).
pub async fn record_decision(db: impl Executor<'_>, d: &NewDecision<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO check_in_decisions (id, attempt_id, kind, decision, text, decided_by, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(CheckInDecisionId::new())
    .bind(d.attempt)
    .bind(d.kind)
    .bind(d.decision)
    .bind(d.text)
    .bind(d.by)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// Moves the attempt from `from` to `to`; false if it was no longer `from` (someone decided
/// first). Accepting an attempt violates `check_in_attempts_once` when the person meanwhile
/// holds the round with another one.
pub async fn set_outcome(
    db: impl Executor<'_>,
    attempt: &CheckInAttemptId,
    from: Outcome,
    to: Outcome,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query("UPDATE check_in_attempts SET outcome = $1 WHERE id = $2 AND outcome = $3")
        .bind(to.as_str())
        .bind(attempt)
        .bind(from.as_str())
        .execute(db)
        .await?;
    Ok(moved.rows_affected() == 1)
}

/// Where the attempts waiting for staff keep the bounds: the enterprise through the task, the
/// district on the attempt itself (`check_in_attempts_flagged_district`, migration 0038). Both
/// on the attempt alone (`a`), so its queue is paged and counted before any join.
pub(super) const WAITING_BOUNDS: Columns = Columns {
    enterprise: Some(Key::Condition(
        "a.task_id IN (SELECT id FROM verification_tasks WHERE enterprise_id = {})",
    )),
    district: Some(Key::Column("a.district_code")),
    ..Columns::NONE
};

/// The attempts waiting for staff: the flagged ones, and the refused ones appealed with no
/// decision yet. Two disjoint parts, each read from its own index (`check_in_attempts_flagged`,
/// `check_in_decisions_kind`): one condition `flagged OR (refused AND appealed …)` would test
/// every refused attempt of the city's history.
pub(super) const WAITING: &str = "SELECT x.* FROM check_in_attempts x WHERE x.outcome = 'flagged' \
     UNION ALL SELECT x.* FROM check_in_decisions d JOIN check_in_attempts x ON x.id = d.attempt_id \
     WHERE d.kind = 'appeal' AND x.outcome = 'refused' \
     AND NOT EXISTS (SELECT 1 FROM check_in_decisions n WHERE n.attempt_id = x.id AND n.kind = 'appeal_decision')";

/// An attempt waiting for staff, with its task and enterprise.
#[derive(sqlx::FromRow)]
pub struct AwaitingRow {
    #[sqlx(flatten)]
    pub attempt: AttemptView,
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    pub category: String,
    pub grade: String,
}

/// The attempts in `bounds` waiting for staff, oldest first: flagged ones, and refused ones
/// appealed and not yet decided. The page is chosen among the attempts alone, then joined to
/// name its tasks. Their decisions are attached.
pub async fn awaiting_staff(
    conn: &mut crate::platform::db::Conn,
    bounds: &Bounds,
    limit: i64,
    offset: i64,
) -> Result<Vec<AwaitingRow>, sqlx::Error> {
    let within = bounds.condition(&WAITING_BOUNDS, 3);
    let mut rows: Vec<AwaitingRow> = within
        .bind(
            sqlx::query_as(&format!(
                "SELECT a.id, a.person_id, a.round, a.at, a.outcome, a.reason, a.flags, a.latitude, a.longitude, \
                 a.coordinate_system, a.accuracy_m, a.distance_m, a.face_distance, a.mock_location, a.selfie_document_id, \
                 a.task_id, t.enterprise_id, e.name AS enterprise_name, q.category, q.grade \
                 FROM (SELECT a.* FROM ({WAITING}) a WHERE {within} ORDER BY a.at, a.id LIMIT $1 OFFSET $2) a \
                 JOIN verification_tasks t ON t.id = a.task_id \
                 JOIN enterprises e ON e.id = t.enterprise_id JOIN enterprise_qualifications q ON q.id = t.qualification_id \
                 ORDER BY a.at, a.id"
            ))
            .bind(limit)
            .bind(offset),
        )
        .fetch_all(&mut *conn)
        .await?;
    let ids: Vec<&CheckInAttemptId> = rows.iter().map(|r| &r.attempt.id).collect();
    let decided = of_attempts(&mut *conn, &ids).await?;
    attach(rows.iter_mut().map(|r| &mut r.attempt), decided);
    Ok(rows)
}

/// Tells the person that staff voided their check-in, and whether they may check in again.
pub async fn tell_voided(
    db: &mut crate::platform::db::Conn,
    task: &TaskRow,
    person: &PersonId,
    opinion: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut params = task.notice_params();
    params["opinion"] = json!(opinion);
    params["window_end"] = json!(task.window_end);
    outbox::enqueue(
        db,
        Recipient::PersonInbox(person),
        "verification.check_in_voided",
        params,
        now,
    )
    .await
}

/// Tells the enterprise contact how staff decided its appeal.
pub async fn tell_appeal_decided(
    db: &mut crate::platform::db::Conn,
    task: &TaskRow,
    granted: bool,
    opinion: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let kind = if granted {
        "verification.appeal_granted"
    } else {
        "verification.appeal_dismissed"
    };
    let mut params = task.notice_params();
    params["opinion"] = json!(opinion);
    outbox::enqueue(db, Recipient::EnterpriseContact(&task.enterprise_id), kind, params, now).await
}
