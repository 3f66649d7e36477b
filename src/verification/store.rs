//! Verification SQL. Reads are confined to the caller's `Bounds`: an enterprise sees its own tasks,
//! district staff those of enterprises in their district, city staff all. Writes run in the
//! caller's transaction (an act, or the close job's own), which commits them; each re-checks
//! the state it expects in its `UPDATE … WHERE state = …`.
//!
//! - this file: tasks and the staff requirements;
//! - `tasks`: the list of tasks, filtered, sorted, paged and counted;
//! - `selection`: the candidates, the selection and its review, and replacements;
//! - `attempts`: check-in attempts and what the check-in rules read of earlier ones;
//! - `decisions`: staff's review of flagged attempts and the enterprise's appeals;
//! - `outcomes`: the end of a round: passed, closed when overdue, or a new round after a
//!   rectification.

mod attempts;
mod awaiting;
mod decisions;
mod outcomes;
mod selection;
mod tasks;

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

pub use attempts::{
    attempt, attempts, has_valid_check_in, is_selected, move_district, place_in_district, position_seen,
    previous_check_in, record_attempt, Attempt, AttemptView,
};
pub use awaiting::{awaiting_check_ins, awaiting_review};
pub use decisions::{
    awaiting_staff, record_decision, set_outcome, tell_appeal_decided, tell_voided, AwaitingRow, DecisionView,
    NewDecision,
};
pub use outcomes::{
    close_task, hold_task, missing_people, overdue_tasks, pass_if_complete, start_next_round, Closing, NextRound,
};
pub use selection::{
    candidates, person_of_employment, propose_replacement, proposed_replacements, review, reviews_of, selection,
    selections, submit_selection, Review, ReviewView, SelectedRow, Written,
};
pub use tasks::{count_tasks, list_tasks, TaskFilter, TaskOrder, TaskSort, NEWEST_OPENED};

use super::rules::{TaskKind, TaskState};
use crate::auth::{Bounds, Columns, Key};
use crate::notify::outbox::{self, Recipient};
use crate::platform::db::{Conn, Executor};
use crate::platform::ids::{DocumentId, EnterpriseId, PersonId, QualificationId, VerificationTaskId};

#[derive(sqlx::FromRow)]
pub struct TaskRow {
    pub id: VerificationTaskId,
    pub enterprise_id: EnterpriseId,
    pub qualification_id: QualificationId,
    pub kind: TaskKind,
    pub state: TaskState,
    pub round: i64,
    pub notice_date: String,
    pub start_deadline: String,
    pub window_end: Option<String>,
    pub opened_at: i64,
    pub enterprise_name: String,
    pub district_code: String,
    pub has_licence: i64,
    pub category: String,
    pub grade: String,
    /// The rectification notice's deadline and reasons, once a routine task was closed overdue.
    pub rectification_deadline: Option<String>,
    pub rectification_reasons: Option<String>,
    /// The enterprise's rectification report and its PDF, once answered.
    pub rectification_report: Option<String>,
    pub rectification_document_id: Option<DocumentId>,
}

// Task rows decode their kind and state strictly.
crate::text_column!(TaskKind, TaskState);

impl TaskRow {
    /// The qualification verified, as notices name it (category and grade).
    pub fn qualification(&self) -> String {
        format!("{}{}", self.category, self.grade)
    }

    /// What every notice about the task names: the enterprise and the qualification (and the
    /// task's id, for links).
    pub fn notice_params(&self) -> serde_json::Value {
        json!({"task_id": self.id, "enterprise": self.enterprise_name, "qualification": self.qualification()})
    }

    pub fn state(&self) -> TaskState {
        self.state
    }

    pub fn kind(&self) -> TaskKind {
        self.kind
    }
}

const TASK_SELECT: &str = "SELECT t.id, t.enterprise_id, t.qualification_id, t.kind, t.state, t.round, t.notice_date, t.start_deadline, \
    t.window_end, t.opened_at, e.name AS enterprise_name, e.district_code, \
    CASE WHEN e.safety_licence_number IS NULL THEN 0 ELSE 1 END AS has_licence, q.category, q.grade, \
    t.rectification_deadline, t.rectification_reasons, t.rectification_report, t.rectification_document_id \
    FROM verification_tasks t JOIN enterprises e ON e.id = t.enterprise_id JOIN enterprise_qualifications q ON q.id = t.qualification_id";

/// Where tasks keep the bounds: the enterprise verified and its district.
const BOUNDS: Columns = Columns {
    enterprise: Some(Key::Column("t.enterprise_id")),
    district: Some(Key::Column("e.district_code")),
    ..Columns::NONE
};

pub async fn get_task(
    db: impl Executor<'_>,
    id: &VerificationTaskId,
    bounds: &Bounds,
) -> Result<Option<TaskRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    within
        .bind(sqlx::query_as(&format!("{TASK_SELECT} WHERE t.id = $1 AND {within}")).bind(id))
        .fetch_optional(db)
        .await
}

/// A task whatever the bounds: for a selected person's check-in and for the close job.
pub async fn task_for_person(db: impl Executor<'_>, id: &VerificationTaskId) -> Result<Option<TaskRow>, sqlx::Error> {
    sqlx::query_as(&format!("{TASK_SELECT} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The tasks taking check-ins in which the person is selected and still employed: what they
/// have to do in the mini-program.
pub async fn open_tasks_of_person(db: impl Executor<'_>, person: &PersonId) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{TASK_SELECT} JOIN verification_selections s ON s.task_id = t.id AND s.round = t.round \
         JOIN employments x ON x.id = s.employment_id AND x.state = 'active' \
         WHERE s.person_id = $1 AND t.state IN ('checking_in', 'replacement_submitted') ORDER BY t.window_end, t.id"
    ))
    .bind(person)
    .fetch_all(db)
    .await
}

/// The issue date of one of the enterprise's qualification certificates, as stored.
pub async fn qualification_issued_on(
    db: impl Executor<'_>,
    qualification_id: &QualificationId,
    enterprise_id: &EnterpriseId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT issued_on FROM enterprise_qualifications WHERE id = $1 AND enterprise_id = $2")
        .bind(qualification_id)
        .bind(enterprise_id)
        .fetch_optional(db)
        .await
}

pub struct NewTask<'a> {
    pub enterprise_id: &'a EnterpriseId,
    pub qualification_id: &'a QualificationId,
    pub kind: TaskKind,
    pub notice_date: String,
    pub start_deadline: String,
    pub opened_by: &'a str,
}

/// Opens a task and tells the enterprise contact by SMS.
pub async fn insert_task(conn: &mut Conn, t: &NewTask<'_>, now: i64) -> Result<VerificationTaskId, sqlx::Error> {
    let id = VerificationTaskId::new();
    sqlx::query(
        "INSERT INTO verification_tasks (id, enterprise_id, qualification_id, kind, state, round, notice_date, start_deadline, \
         opened_by, opened_at, updated_at) VALUES ($1, $2, $3, $4, 'open', 1, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(t.enterprise_id)
    .bind(t.qualification_id)
    .bind(t.kind)
    .bind(&t.notice_date)
    .bind(&t.start_deadline)
    .bind(t.opened_by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let task = task_for_person(&mut *conn, &id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let params = json!({"task_id": id, "enterprise": task.enterprise_name, "qualification": task.qualification(), "start_deadline": t.start_deadline});
    outbox::enqueue(
        &mut *conn,
        Recipient::EnterpriseContact(t.enterprise_id),
        "verification.task_opened",
        params,
        now,
    )
    .await?;
    Ok(id)
}

/// Required registered and titled staff of a qualification, if the table has it.
pub async fn requirement(
    db: impl Executor<'_>,
    category: &str,
    grade: &str,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT registered, titled FROM qualification_requirements WHERE category = $1 AND grade = $2")
        .bind(category)
        .bind(grade)
        .fetch_optional(db)
        .await
}

/// Moves a task from `from` to `to` (and sets the window end when given); false if it was
/// no longer in `from`.
async fn move_task(
    db: impl Executor<'_>,
    task: &VerificationTaskId,
    from: TaskState,
    to: TaskState,
    window_end: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query("UPDATE verification_tasks SET state = $1, window_end = COALESCE($2, window_end), updated_at = $3 WHERE id = $4 AND state = $5")
        .bind(to.as_str())
        .bind(window_end)
        .bind(now)
        .bind(task)
        .bind(from.as_str())
        .execute(db)
        .await?;
    Ok(moved.rows_affected() == 1)
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct RequirementView {
    pub category: String,
    pub grade: String,
    pub registered: i64,
    pub titled: i64,
    pub updated_at: i64,
}

pub async fn requirements(db: impl Executor<'_>) -> Result<Vec<RequirementView>, sqlx::Error> {
    sqlx::query_as("SELECT category, grade, registered, titled, updated_at FROM qualification_requirements ORDER BY category, grade")
        .fetch_all(db)
        .await
}

pub async fn set_requirement(db: impl Executor<'_>, r: &RequirementView, by: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO qualification_requirements (category, grade, registered, titled, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (category, grade) DO UPDATE SET registered = $3, titled = $4, updated_by = $5, updated_at = $6",
    )
    .bind(&r.category)
    .bind(&r.grade)
    .bind(r.registered)
    .bind(r.titled)
    .bind(by)
    .bind(r.updated_at)
    .execute(db)
    .await
    .map(|_| ())
}
