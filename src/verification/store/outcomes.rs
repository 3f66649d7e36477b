//! The end of a round: the task passes once everyone selected has checked in; an overdue task
//! is closed (lapsed, rectification or withdrawn); a rectification report opens a new round.

use serde_json::json;

use super::{move_task, TaskRow};
use crate::notify::outbox::{self, Recipient};
use crate::platform::db::{Conn, Executor};
use crate::platform::ids::{DocumentId, PersonId, VerificationTaskId};
use crate::verification::rules::TaskState;

/// The people selected in the task's round who stand in the way of passing: without an
/// accepted check-in in it (a flagged one waits for staff), or no longer employed (they must
/// be replaced, even if they checked in).
pub async fn missing_people(
    db: impl Executor<'_>,
    task: &VerificationTaskId,
    round: i64,
) -> Result<Vec<PersonId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT s.person_id FROM verification_selections s JOIN employments x ON x.id = s.employment_id \
         WHERE s.task_id = $1 AND s.round = $2 AND (x.state <> 'active' OR NOT EXISTS \
         (SELECT 1 FROM check_in_attempts a WHERE a.task_id = s.task_id AND a.round = s.round AND a.person_id = s.person_id AND a.outcome = 'accepted'))",
    )
    .bind(task)
    .bind(round)
    .fetch_all(db)
    .await
}

/// Holds the task until the caller's transaction ends; the first step of a check-in's
/// transaction, so that concurrent check-ins on one task take turns and the last of them sees
/// every other's attempt when `pass_if_complete` counts.
pub async fn hold_task(db: impl Executor<'_>, task: &VerificationTaskId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE verification_tasks SET updated_at = updated_at WHERE id = $1")
        .bind(task)
        .execute(db)
        .await
        .map(|_| ())
}

/// Marks the task passed once every selected person of the round has an accepted check-in; the
/// contact is told. Returns whether it passed now.
pub async fn pass_if_complete(conn: &mut Conn, task: &TaskRow, now: i64) -> Result<bool, sqlx::Error> {
    if !missing_people(&mut *conn, &task.id, task.round).await?.is_empty() {
        return Ok(false);
    }
    if !move_task(
        &mut *conn,
        &task.id,
        TaskState::CheckingIn,
        TaskState::Passed,
        None,
        now,
    )
    .await?
    {
        return Ok(false);
    }
    outbox::enqueue(
        &mut *conn,
        Recipient::EnterpriseContact(&task.enterprise_id),
        "verification.passed",
        task.notice_params(),
        now,
    )
    .await?;
    Ok(true)
}

/// Tasks overdue on `today` (China): the check-in window has passed, or the selection was not
/// submitted by the start deadline.
pub async fn overdue_tasks(db: impl Executor<'_>, today: &str) -> Result<Vec<VerificationTaskId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM verification_tasks WHERE (state IN ('checking_in', 'replacement_submitted') AND window_end < $1) \
         OR (state = 'open' AND start_deadline < $1)",
    )
    .bind(today)
    .fetch_all(db)
    .await
}

/// How an overdue task closes.
pub struct Closing<'a> {
    pub to: TaskState,
    pub reasons: &'a str,
    /// The rectification deadline, for a rectification notice.
    pub deadline: Option<String>,
}

/// Closes the task as `c` says and tells the enterprise contact; false if the task had left the
/// state it was read in.
pub async fn close_task(conn: &mut Conn, task: &TaskRow, c: &Closing<'_>, now: i64) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE verification_tasks SET state = $1, rectification_deadline = COALESCE($2, rectification_deadline), \
         rectification_reasons = $3, updated_at = $4 WHERE id = $5 AND state = $6",
    )
    .bind(c.to.as_str())
    .bind(c.deadline.as_deref())
    .bind(c.reasons)
    .bind(now)
    .bind(&task.id)
    .bind(task.state().as_str())
    .execute(&mut *conn)
    .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    let mut params = task.notice_params();
    params["outcome"] = json!(c.to.as_str());
    params["reasons"] = json!(c.reasons);
    params["deadline"] = json!(c.deadline);
    outbox::enqueue(
        &mut *conn,
        Recipient::EnterpriseContact(&task.enterprise_id),
        &format!("verification.{}", c.to.as_str()),
        params,
        now,
    )
    .await?;
    Ok(true)
}

/// The enterprise's answer to a rectification notice.
pub struct NextRound<'a> {
    pub start_deadline: &'a str,
    pub report: &'a str,
    pub document_id: &'a DocumentId,
}

/// Opens the next round of a task under rectification, keeping the report; false if the task
/// was no longer under rectification.
pub async fn start_next_round(
    db: impl Executor<'_>,
    task: &VerificationTaskId,
    n: &NextRound<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE verification_tasks SET state = 'open', round = round + 1, start_deadline = $1, window_end = NULL, rectification_report = $2, \
         rectification_document_id = $3, updated_at = $4 WHERE id = $5 AND state = 'rectification'",
    )
    .bind(n.start_deadline)
    .bind(n.report)
    .bind(n.document_id)
    .bind(now)
    .bind(task)
    .execute(db)
    .await?;
    Ok(moved.rows_affected() == 1)
}
