//! Verification SQL. Reads are confined to the caller's `Bounds`: an enterprise sees its own tasks,
//! district staff those of enterprises in their district, city staff all. Writes run in the
//! caller's transaction (an act, or the close job's own), which commits them; each re-checks
//! the state it expects in its `UPDATE … WHERE state = …`.
//!
//! - this file: tasks, the selection and its review, the staff requirements;
//! - `attempts`: check-in attempts and what the check-in rules read of earlier ones;
//! - `decisions`: staff's review of flagged attempts and the enterprise's appeals;
//! - `outcomes`: the end of a round: passed, closed when overdue, or a new round after a
//!   rectification.

mod attempts;
mod decisions;
mod outcomes;

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

pub use attempts::{
    attempt, attempts, has_valid_check_in, is_selected, position_seen, previous_check_in, record_attempt,
    selfie_hashes, Attempt, AttemptView,
};
pub use decisions::{
    awaiting_staff, record_decision, set_outcome, tell_appeal_decided, tell_voided, AwaitingRow, DecisionView,
    NewDecision,
};
pub use outcomes::{
    close_task, hold_task, missing_people, overdue_tasks, pass_if_complete, start_next_round, Closing, NextRound,
};

use super::rules::{Candidate, TaskKind, TaskState};
use crate::auth::{Bounds, Columns, Key};
use crate::notify::outbox::{self, Recipient};
use crate::platform::db::{new_id, Conn, Executor};
use crate::platform::ids::{EmploymentId, EnterpriseId, PersonId, QualificationId, VerificationTaskId};

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
}

// Task rows decode their kind and state strictly.
crate::text_column!(TaskKind, TaskState);

impl TaskRow {
    pub fn state(&self) -> TaskState {
        self.state
    }

    pub fn kind(&self) -> TaskKind {
        self.kind
    }
}

const TASK_SELECT: &str = "SELECT t.id, t.enterprise_id, t.qualification_id, t.kind, t.state, t.round, t.notice_date, t.start_deadline, \
    t.window_end, t.opened_at, e.name AS enterprise_name, e.district_code, \
    CASE WHEN e.safety_licence_number IS NULL THEN 0 ELSE 1 END AS has_licence, q.category, q.grade \
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

pub async fn list_tasks(
    db: impl Executor<'_>,
    bounds: &Bounds,
    enterprise: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 4);
    within
        .bind(
            sqlx::query_as(&format!(
                "{TASK_SELECT} WHERE ($1 IS NULL OR t.enterprise_id = $1) AND {within} \
                 ORDER BY t.opened_at DESC, t.id DESC LIMIT $2 OFFSET $3"
            ))
            .bind(enterprise)
            .bind(limit)
            .bind(offset),
        )
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
    let params = json!({"task_id": id, "start_deadline": t.start_deadline});
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

/// The enterprise's current staff as selection candidates, with each one's person id.
pub async fn candidates(
    db: impl Executor<'_>,
    enterprise_id: &EnterpriseId,
) -> Result<Vec<(Candidate, PersonId)>, sqlx::Error> {
    let rows: Vec<(EmploymentId, PersonId, i64, i64, i64)> = sqlx::query_as(
        "SELECT x.id, x.person_id, x.technical_lead, \
         (SELECT COUNT(*) FROM staff_certificates c WHERE c.employment_id = x.id AND c.kind = 'registration'), \
         (SELECT COUNT(*) FROM staff_certificates c WHERE c.employment_id = x.id AND c.kind = 'title') \
         FROM employments x WHERE x.enterprise_id = $1 AND x.state = 'active' ORDER BY x.started_at, x.id",
    )
    .bind(enterprise_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, person, lead, registered, titled)| {
            (
                Candidate {
                    employment_id: id,
                    registered: registered > 0,
                    titled: titled > 0,
                    technical_lead: lead == 1,
                },
                person,
            )
        })
        .collect())
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

/// Records the round's selection, as (employment, person) pairs, and submits it for review;
/// false if the task was no longer open.
pub async fn submit_selection(
    conn: &mut Conn,
    task: &TaskRow,
    picks: &[(EmploymentId, PersonId)],
    now: i64,
) -> Result<bool, sqlx::Error> {
    if !move_task(
        &mut *conn,
        &task.id,
        TaskState::Open,
        TaskState::SelectionSubmitted,
        None,
        now,
    )
    .await?
    {
        return Ok(false);
    }
    sqlx::query("DELETE FROM verification_selections WHERE task_id = $1 AND round = $2")
        .bind(&task.id)
        .bind(task.round)
        .execute(&mut *conn)
        .await?;
    for (employment, person) in picks {
        sqlx::query(
            "INSERT INTO verification_selections (task_id, round, employment_id, person_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(&task.id)
        .bind(task.round)
        .bind(employment)
        .bind(person)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// The people selected in the task's current round.
pub async fn selected_people(
    db: impl Executor<'_>,
    task: &VerificationTaskId,
    round: i64,
) -> Result<Vec<PersonId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT person_id FROM verification_selections WHERE task_id = $1 AND round = $2 ORDER BY person_id",
    )
    .bind(task)
    .bind(round)
    .fetch_all(db)
    .await
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct SelectedView {
    #[schema(value_type = String)]
    pub employment_id: EmploymentId,
    #[schema(value_type = String)]
    pub person_id: PersonId,
}

pub async fn selection(
    db: impl Executor<'_>,
    task: &VerificationTaskId,
    round: i64,
) -> Result<Vec<SelectedView>, sqlx::Error> {
    sqlx::query_as("SELECT employment_id, person_id FROM verification_selections WHERE task_id = $1 AND round = $2 ORDER BY employment_id")
        .bind(task)
        .bind(round)
        .fetch_all(db)
        .await
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct ReviewView {
    pub round: i64,
    /// approved | rejected
    pub decision: String,
    pub opinion: String,
    pub reviewer: String,
    pub at: i64,
}

pub async fn reviews(db: impl Executor<'_>, task: &VerificationTaskId) -> Result<Vec<ReviewView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT round, decision, opinion, reviewer, at FROM verification_reviews WHERE task_id = $1 ORDER BY at, id",
    )
    .bind(task)
    .fetch_all(db)
    .await
}

/// A reviewer's decision on a submitted selection.
pub struct Review<'a> {
    pub approve: bool,
    pub opinion: &'a str,
    pub reviewer: &'a str,
    /// The last day of the check-in window, on approval.
    pub window_end: Option<String>,
}

/// Records the review and moves the task; on approval the window opens and each selected
/// person is told in their inbox. The enterprise contact gets an SMS either way. False if the
/// selection was no longer awaiting review.
pub async fn review(conn: &mut Conn, task: &TaskRow, r: &Review<'_>, now: i64) -> Result<bool, sqlx::Error> {
    let approve = r.approve;
    let to = if approve {
        TaskState::CheckingIn
    } else {
        TaskState::Open
    };
    if !move_task(
        &mut *conn,
        &task.id,
        TaskState::SelectionSubmitted,
        to,
        r.window_end.as_deref(),
        now,
    )
    .await?
    {
        return Ok(false);
    }
    sqlx::query("INSERT INTO verification_reviews (id, task_id, round, decision, opinion, reviewer, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(new_id())
        .bind(&task.id)
        .bind(task.round)
        .bind(if approve { "approved" } else { "rejected" })
        .bind(r.opinion)
        .bind(r.reviewer)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let kind = if approve {
        "verification.approved"
    } else {
        "verification.rejected"
    };
    let params = json!({"task_id": task.id, "opinion": r.opinion, "window_end": r.window_end});
    outbox::enqueue(
        &mut *conn,
        Recipient::EnterpriseContact(&task.enterprise_id),
        kind,
        params,
        now,
    )
    .await?;
    if approve {
        for person in selected_people(&mut *conn, &task.id, task.round).await? {
            let params = json!({"task_id": task.id, "enterprise": task.enterprise_name, "window_end": r.window_end});
            outbox::enqueue(
                &mut *conn,
                Recipient::PersonInbox(&person),
                "verification.check_in_open",
                params,
                now,
            )
            .await?;
        }
    }
    Ok(true)
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
