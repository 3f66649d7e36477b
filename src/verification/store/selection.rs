//! The selection of check-in personnel: the candidates, the submitted selection and its
//! review, and the replacement of people whose employment ended during check-in. Every write
//! that puts a person in a selection, or approves one, re-checks in the same transaction that
//! the person is still employed by the task's enterprise.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{move_task, TaskRow};
use crate::notify::outbox::{self, Recipient};
use crate::platform::crypto::Keys;
use crate::platform::db::{new_id, numbered, Conn, Executor};
use crate::platform::ids::{EmploymentId, EnterpriseId, PersonId, VerificationTaskId};
use crate::verification::rules::{Candidate, TaskState};

/// How a selection write ended; the caller drops its transaction unless `Done`.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    Done,
    /// The task had left the state the write expects.
    TaskMoved,
    /// This person's employment is no longer active.
    NotEmployed(EmploymentId),
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

/// The person behind one of the enterprise's employments, current or ended.
pub async fn person_of_employment(
    db: impl Executor<'_>,
    employment: &EmploymentId,
    enterprise: &EnterpriseId,
) -> Result<Option<PersonId>, sqlx::Error> {
    sqlx::query_scalar("SELECT person_id FROM employments WHERE id = $1 AND enterprise_id = $2")
        .bind(employment)
        .bind(enterprise)
        .fetch_optional(db)
        .await
}

/// Where a round's people are written: the selection in force, or a proposed replacement.
#[derive(Clone, Copy)]
enum List {
    Selection,
    Replacement,
}

impl List {
    fn table(self) -> &'static str {
        match self {
            List::Selection => "verification_selections",
            List::Replacement => "verification_replacements",
        }
    }
}

/// Writes `picks` as the round's `list`, replacing what it held, each person only while
/// employed by the task's enterprise.
async fn write_list(
    conn: &mut Conn,
    list: List,
    task: &TaskRow,
    picks: &[EmploymentId],
) -> Result<Written, sqlx::Error> {
    let table = list.table();
    sqlx::query(&format!("DELETE FROM {table} WHERE task_id = $1 AND round = $2"))
        .bind(&task.id)
        .bind(task.round)
        .execute(&mut *conn)
        .await?;
    for employment in picks {
        let written = sqlx::query(&format!(
            "INSERT INTO {table} (task_id, round, employment_id, person_id) \
             SELECT $1, $2, x.id, x.person_id FROM employments x WHERE x.id = $3 AND x.enterprise_id = $4 AND x.state = 'active'"
        ))
        .bind(&task.id)
        .bind(task.round)
        .bind(employment)
        .bind(&task.enterprise_id)
        .execute(&mut *conn)
        .await?;
        if written.rows_affected() != 1 {
            return Ok(Written::NotEmployed(employment.clone()));
        }
    }
    Ok(Written::Done)
}

/// Records the round's selection and submits it for review.
pub async fn submit_selection(
    conn: &mut Conn,
    task: &TaskRow,
    picks: &[EmploymentId],
    now: i64,
) -> Result<Written, sqlx::Error> {
    let (from, to) = (TaskState::Open, TaskState::SelectionSubmitted);
    if !move_task(&mut *conn, &task.id, from, to, None, now).await? {
        return Ok(Written::TaskMoved);
    }
    write_list(conn, List::Selection, task, picks).await
}

/// Proposes a new selection replacing people who left during check-in, for review.
pub async fn propose_replacement(
    conn: &mut Conn,
    task: &TaskRow,
    picks: &[EmploymentId],
    now: i64,
) -> Result<Written, sqlx::Error> {
    let (from, to) = (TaskState::CheckingIn, TaskState::ReplacementSubmitted);
    if !move_task(&mut *conn, &task.id, from, to, None, now).await? {
        return Ok(Written::TaskMoved);
    }
    write_list(conn, List::Replacement, task, picks).await
}

/// One selected person as the database holds them, with their sealed name (opened with the
/// people's keys) and masked ID number: `None` for someone not registered (never expected).
#[derive(sqlx::FromRow, Clone)]
pub struct SelectedRow {
    pub task_id: VerificationTaskId,
    pub round: i64,
    pub employment_id: EmploymentId,
    pub person_id: PersonId,
    /// 1 while the employment is active.
    pub employed: i64,
    /// 1 once the person has an accepted check-in in the round.
    pub checked_in: i64,
    pub name_sealed: Option<String>,
    pub id_number_masked: Option<String>,
}

impl SelectedRow {
    /// The person's name, opened with the people's keys, and masked ID number.
    pub fn identity(&self, keys: &Keys) -> (String, String) {
        let name =
            (self.name_sealed.as_deref()).and_then(|sealed| crate::people::unseal_name(keys, &self.person_id, sealed));
        (
            name.unwrap_or_default(),
            self.id_number_masked.clone().unwrap_or_default(),
        )
    }
}

/// The people on `list` of each of `tasks` in every round, bound as `$1…`.
fn people_of(list: List, tasks: usize) -> String {
    format!(
        "SELECT s.task_id, s.round, s.employment_id, s.person_id, CASE WHEN x.state = 'active' THEN 1 ELSE 0 END AS employed, \
         CASE WHEN EXISTS (SELECT 1 FROM check_in_attempts a WHERE a.task_id = s.task_id AND a.round = s.round \
         AND a.person_id = s.person_id AND a.outcome = 'accepted') THEN 1 ELSE 0 END AS checked_in, \
         i.name_sealed, i.id_number_masked \
         FROM {} s JOIN employments x ON x.id = s.employment_id LEFT JOIN person_identities i ON i.person_id = s.person_id \
         WHERE s.task_id IN ({}) ORDER BY s.task_id, s.employment_id",
        list.table(),
        numbered(1, tasks)
    )
}

/// The people on `list` of each task in its current round, read in one query for a page.
async fn people_on(db: impl Executor<'_>, list: List, tasks: &[&TaskRow]) -> Result<Vec<SelectedRow>, sqlx::Error> {
    let sql = people_of(list, tasks.len());
    let mut query = sqlx::query_as(&sql);
    for task in tasks {
        query = query.bind(&task.id);
    }
    let mut rows: Vec<SelectedRow> = query.fetch_all(db).await?;
    rows.retain(|r| tasks.iter().any(|t| t.id == r.task_id && t.round == r.round));
    Ok(rows)
}

/// The people selected in the task's current round, with whether each is still employed and
/// checked in.
pub async fn selection(db: impl Executor<'_>, task: &TaskRow) -> Result<Vec<SelectedRow>, sqlx::Error> {
    people_on(db, List::Selection, &[task]).await
}

/// The selections of a page of tasks, each in its current round.
pub async fn selections(db: impl Executor<'_>, tasks: &[&TaskRow]) -> Result<Vec<SelectedRow>, sqlx::Error> {
    people_on(db, List::Selection, tasks).await
}

/// The replacements proposed for a page of tasks' current rounds, where one awaits review.
pub async fn proposed_replacements(db: impl Executor<'_>, tasks: &[&TaskRow]) -> Result<Vec<SelectedRow>, sqlx::Error> {
    people_on(db, List::Replacement, tasks).await
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = SelectionReview)]
pub struct ReviewView {
    pub round: i64,
    /// selection | replacement
    pub subject: String,
    /// approved | rejected
    pub decision: String,
    pub opinion: String,
    pub reviewer: String,
    pub at: i64,
}

/// Each review of a page of tasks with its task, in order.
pub async fn reviews_of(
    db: impl Executor<'_>,
    tasks: &[&TaskRow],
) -> Result<Vec<(VerificationTaskId, ReviewView)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        task_id: VerificationTaskId,
        #[sqlx(flatten)]
        review: ReviewView,
    }
    let sql = format!(
        "SELECT task_id, round, subject, decision, opinion, reviewer, at FROM verification_reviews \
         WHERE task_id IN ({}) ORDER BY at, id",
        numbered(1, tasks.len())
    );
    let mut query = sqlx::query_as(&sql);
    for task in tasks {
        query = query.bind(&task.id);
    }
    let rows: Vec<Row> = query.fetch_all(db).await?;
    Ok(rows.into_iter().map(|r| (r.task_id, r.review)).collect())
}

/// A reviewer's decision on a submitted selection or replacement.
pub struct Review<'a> {
    pub approve: bool,
    pub opinion: &'a str,
    pub reviewer: &'a str,
    /// The last day of the check-in window, on approval of a selection.
    pub window_end: Option<String>,
}

/// Records the review of what the task awaits (a selection or a replacement) and moves the
/// task. Approving a selection opens the window; approving a replacement puts it in force;
/// either way only if everyone in it is still employed. Each newly selected person is told in
/// their inbox; the enterprise contact gets an SMS.
pub async fn review(conn: &mut Conn, task: &TaskRow, r: &Review<'_>, now: i64) -> Result<Written, sqlx::Error> {
    let replacement = task.state() == TaskState::ReplacementSubmitted;
    let to = match (replacement, r.approve) {
        (false, false) => TaskState::Open,
        _ => TaskState::CheckingIn,
    };
    let window_end = if replacement { None } else { r.window_end.as_deref() };
    if !move_task(&mut *conn, &task.id, task.state(), to, window_end, now).await? {
        return Ok(Written::TaskMoved);
    }
    let selected = selection(&mut *conn, task).await?;
    // Who is told to check in: everyone on a selection's approval, the newcomers on a
    // replacement's.
    let before = if replacement { selected.clone() } else { Vec::new() };
    if replacement {
        let proposed = people_on(&mut *conn, List::Replacement, &[task]).await?;
        sqlx::query("DELETE FROM verification_replacements WHERE task_id = $1 AND round = $2")
            .bind(&task.id)
            .bind(task.round)
            .execute(&mut *conn)
            .await?;
        if r.approve {
            let picks: Vec<EmploymentId> = proposed.into_iter().map(|p| p.employment_id).collect();
            if let Written::NotEmployed(e) = write_list(conn, List::Selection, task, &picks).await? {
                return Ok(Written::NotEmployed(e));
            }
        }
    } else if let Some(left) = selected.iter().find(|s| r.approve && s.employed == 0) {
        return Ok(Written::NotEmployed(left.employment_id.clone()));
    }
    record_review(
        conn,
        task,
        r,
        if replacement { "replacement" } else { "selection" },
        now,
    )
    .await?;
    if r.approve && replacement {
        // Dropping a leaver may leave only people who have all checked in already.
        super::pass_if_complete(&mut *conn, task, now).await?;
    }
    if r.approve {
        let after = selection(&mut *conn, task).await?;
        let newcomers = after
            .iter()
            .filter(|s| !before.iter().any(|b| b.person_id == s.person_id));
        for s in newcomers {
            let mut params = task.notice_params();
            params["window_end"] = json!(r.window_end.as_ref().or(task.window_end.as_ref()));
            let to = Recipient::PersonInbox(&s.person_id);
            outbox::enqueue(&mut *conn, to, "verification.check_in_open", params, now).await?;
        }
    }
    Ok(Written::Done)
}

/// Keeps the decision and tells the enterprise contact.
async fn record_review(
    conn: &mut Conn,
    task: &TaskRow,
    r: &Review<'_>,
    subject: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let decision = if r.approve { "approved" } else { "rejected" };
    sqlx::query("INSERT INTO verification_reviews (id, task_id, round, subject, decision, opinion, reviewer, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(new_id())
        .bind(&task.id)
        .bind(task.round)
        .bind(subject)
        .bind(decision)
        .bind(r.opinion)
        .bind(r.reviewer)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let kind = if r.approve {
        "verification.approved"
    } else {
        "verification.rejected"
    };
    let mut params = task.notice_params();
    params["subject"] = json!(subject);
    params["opinion"] = json!(r.opinion);
    params["window_end"] = json!(r.window_end.as_ref().or(task.window_end.as_ref()));
    outbox::enqueue(
        &mut *conn,
        Recipient::EnterpriseContact(&task.enterprise_id),
        kind,
        params,
        now,
    )
    .await?;
    Ok(())
}
