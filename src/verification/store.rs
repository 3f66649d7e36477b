//! Verification SQL. Reads are scoped: an enterprise sees its own tasks, district staff those
//! of enterprises in their district, city staff all.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::rules::{Candidate, TaskKind, TaskState};
use crate::auth::{Caller, Scope};
use crate::db::{new_id, Db, NullableF64};
use crate::notify::outbox::{self, Recipient};
use crate::state::AppState;

/// (enterprise, district) binds of a scoped query; `None` for a person (who sees no tasks here).
pub fn scope(caller: &Caller) -> Option<(Option<String>, Option<String>)> {
    match &caller.scope {
        Scope::Enterprise(id) => Some((Some(id.clone()), None)),
        Scope::District(code) => Some((None, Some(code.clone()))),
        Scope::City => Some((None, None)),
        Scope::Person(_) => None,
    }
}

#[derive(sqlx::FromRow)]
pub struct TaskRow {
    pub id: String,
    pub enterprise_id: String,
    pub qualification_id: String,
    pub kind: String,
    pub state: String,
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

impl TaskRow {
    pub fn state(&self) -> TaskState {
        TaskState::parse(&self.state).unwrap_or(TaskState::Withdrawn)
    }

    pub fn kind(&self) -> TaskKind {
        if self.kind == "first_time" {
            TaskKind::FirstTime
        } else {
            TaskKind::Routine
        }
    }
}

const TASK_SELECT: &str = "SELECT t.id, t.enterprise_id, t.qualification_id, t.kind, t.state, t.round, t.notice_date, t.start_deadline, \
    t.window_end, t.opened_at, e.name AS enterprise_name, e.district_code, \
    CASE WHEN e.safety_licence_number IS NULL THEN 0 ELSE 1 END AS has_licence, q.category, q.grade \
    FROM verification_tasks t JOIN enterprises e ON e.id = t.enterprise_id JOIN enterprise_qualifications q ON q.id = t.qualification_id \
    WHERE ($1 IS NULL OR t.enterprise_id = $1) AND ($2 IS NULL OR e.district_code = $2)";

pub async fn get_task(
    db: &Db,
    id: &str,
    scope: &(Option<String>, Option<String>),
) -> Result<Option<TaskRow>, sqlx::Error> {
    sqlx::query_as(&format!("{TASK_SELECT} AND t.id = $3"))
        .bind(scope.0.as_deref())
        .bind(scope.1.as_deref())
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn list_tasks(
    db: &Db,
    scope: &(Option<String>, Option<String>),
    enterprise: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as(&format!("{TASK_SELECT} AND ($3 IS NULL OR t.enterprise_id = $3) ORDER BY t.opened_at DESC, t.id DESC LIMIT $4 OFFSET $5"))
        .bind(scope.0.as_deref())
        .bind(scope.1.as_deref())
        .bind(enterprise)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await
}

pub struct NewTask<'a> {
    pub enterprise_id: &'a str,
    pub qualification_id: &'a str,
    pub kind: TaskKind,
    pub notice_date: String,
    pub start_deadline: String,
    pub opened_by: &'a str,
}

/// Opens a task and tells the enterprise contact by SMS, in one transaction.
pub async fn insert_task(state: &AppState, t: &NewTask<'_>) -> Result<String, sqlx::Error> {
    let now = state.clock.now_ms();
    let id = new_id();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "INSERT INTO verification_tasks (id, enterprise_id, qualification_id, kind, state, round, notice_date, start_deadline, \
         opened_by, opened_at, updated_at) VALUES ($1, $2, $3, $4, 'open', 1, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(t.enterprise_id)
    .bind(t.qualification_id)
    .bind(if t.kind == TaskKind::FirstTime { "first_time" } else { "routine" })
    .bind(&t.notice_date)
    .bind(&t.start_deadline)
    .bind(t.opened_by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let params = json!({"task_id": id, "start_deadline": t.start_deadline});
    outbox::enqueue(
        &mut *tx,
        Recipient::EnterpriseContact(t.enterprise_id),
        "verification.task_opened",
        params,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The enterprise's current staff as selection candidates, with each one's person id.
pub async fn candidates(db: &Db, enterprise_id: &str) -> Result<Vec<(Candidate, String)>, sqlx::Error> {
    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
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
pub async fn requirement(db: &Db, category: &str, grade: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT registered, titled FROM qualification_requirements WHERE category = $1 AND grade = $2")
        .bind(category)
        .bind(grade)
        .fetch_optional(db)
        .await
}

/// Moves a task from `from` to `to` (and sets the window end when given); false if it was
/// no longer in `from`.
async fn move_task(
    tx: &mut sqlx::AnyConnection,
    task: &str,
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
        .execute(tx)
        .await?;
    Ok(moved.rows_affected() == 1)
}

/// Records the round's selection and submits it for review.
pub async fn submit_selection(
    state: &AppState,
    task: &TaskRow,
    picks: &[(String, String)],
) -> Result<bool, sqlx::Error> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    if !move_task(
        &mut tx,
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
        .execute(&mut *tx)
        .await?;
    for (employment, person) in picks {
        sqlx::query(
            "INSERT INTO verification_selections (task_id, round, employment_id, person_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(&task.id)
        .bind(task.round)
        .bind(employment)
        .bind(person)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The people selected in the task's current round.
pub async fn selected_people(db: &Db, task: &str, round: i64) -> Result<Vec<String>, sqlx::Error> {
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
    pub employment_id: String,
    pub person_id: String,
}

pub async fn selection(db: &Db, task: &str, round: i64) -> Result<Vec<SelectedView>, sqlx::Error> {
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

pub async fn reviews(db: &Db, task: &str) -> Result<Vec<ReviewView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT round, decision, opinion, reviewer, at FROM verification_reviews WHERE task_id = $1 ORDER BY at, id",
    )
    .bind(task)
    .fetch_all(db)
    .await
}

/// Records the review and moves the task; on approval the window opens and each selected
/// person is told in their inbox. The enterprise contact gets an SMS either way.
pub async fn review(
    state: &AppState,
    task: &TaskRow,
    approve: bool,
    opinion: &str,
    reviewer: &str,
    window_end: Option<String>,
) -> Result<bool, sqlx::Error> {
    let now = state.clock.now_ms();
    let to = if approve {
        TaskState::CheckingIn
    } else {
        TaskState::Open
    };
    let mut tx = state.db.begin().await?;
    if !move_task(
        &mut tx,
        &task.id,
        TaskState::SelectionSubmitted,
        to,
        window_end.as_deref(),
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
        .bind(opinion)
        .bind(reviewer)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let kind = if approve {
        "verification.approved"
    } else {
        "verification.rejected"
    };
    let params = json!({"task_id": task.id, "opinion": opinion, "window_end": window_end});
    outbox::enqueue(
        &mut *tx,
        Recipient::EnterpriseContact(&task.enterprise_id),
        kind,
        params,
        now,
    )
    .await?;
    if approve {
        let people: Vec<String> =
            sqlx::query_scalar("SELECT person_id FROM verification_selections WHERE task_id = $1 AND round = $2")
                .bind(&task.id)
                .bind(task.round)
                .fetch_all(&mut *tx)
                .await?;
        for person in people {
            let params = json!({"task_id": task.id, "enterprise": task.enterprise_name, "window_end": window_end});
            outbox::enqueue(
                &mut *tx,
                Recipient::PersonInbox(&person),
                "verification.check_in_open",
                params,
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
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

pub async fn requirements(db: &Db) -> Result<Vec<RequirementView>, sqlx::Error> {
    sqlx::query_as("SELECT category, grade, registered, titled, updated_at FROM qualification_requirements ORDER BY category, grade")
        .fetch_all(db)
        .await
}

pub async fn set_requirement(db: &Db, r: &RequirementView, by: &str) -> Result<(), sqlx::Error> {
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

/// The task of the calling person: the task row, and whether they are selected in its round.
pub async fn task_for_person(db: &Db, id: &str) -> Result<Option<TaskRow>, sqlx::Error> {
    sqlx::query_as(&format!("{TASK_SELECT} AND t.id = $3"))
        .bind(None::<String>)
        .bind(None::<String>)
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn is_selected(db: &Db, task: &TaskRow, person: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT person_id FROM verification_selections WHERE task_id = $1 AND round = $2 AND person_id = $3",
    )
    .bind(&task.id)
    .bind(task.round)
    .bind(person)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// One check-in attempt as recorded.
#[derive(Serialize, ToSchema, sqlx::FromRow, Clone)]
pub struct AttemptView {
    pub id: String,
    pub person_id: String,
    pub round: i64,
    pub at: i64,
    /// accepted | flagged | refused
    pub outcome: String,
    /// The refusal's code.
    pub reason: Option<String>,
    /// Comma-separated review flags: mock_location, repeated_position, impossible_speed.
    pub flags: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub coordinate_system: Option<String>,
    pub accuracy_m: Option<f64>,
    /// Distance from the site (centre or boundary), metres.
    pub distance_m: Option<f64>,
    /// Descriptor distance to the enrolled face.
    pub face_distance: Option<f64>,
    pub mock_location: i64,
    pub selfie_document_id: Option<String>,
}

/// What one attempt measured.
#[derive(Default)]
pub struct Attempt {
    pub outcome: &'static str,
    pub reason: Option<String>,
    pub flags: Vec<&'static str>,
    pub position: Option<crate::types::Coordinates>,
    pub accuracy_m: Option<f64>,
    pub distance_m: Option<f64>,
    pub face_distance: Option<f64>,
    pub mock_location: bool,
    pub selfie_document_id: Option<String>,
    pub selfie_hash: Option<u64>,
}

pub async fn record_attempt(
    state: &AppState,
    task: &TaskRow,
    person: &str,
    a: &Attempt,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO check_in_attempts (id, task_id, round, person_id, at, outcome, reason, flags, latitude, longitude, coordinate_system, \
         accuracy_m, distance_m, face_distance, mock_location, selfie_document_id, selfie_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(&id)
    .bind(&task.id)
    .bind(task.round)
    .bind(person)
    .bind(state.clock.now_ms())
    .bind(a.outcome)
    .bind(a.reason.as_deref())
    .bind(a.flags.join(","))
    .bind(NullableF64(a.position.map(|p| p.latitude)))
    .bind(NullableF64(a.position.map(|p| p.longitude)))
    .bind(a.position.map(|p| p.system.as_str()))
    .bind(NullableF64(a.accuracy_m))
    .bind(NullableF64(a.distance_m))
    .bind(NullableF64(a.face_distance))
    .bind(i64::from(a.mock_location))
    .bind(a.selfie_document_id.as_deref())
    .bind(a.selfie_hash.map(|h| format!("{h:016x}")))
    .execute(&state.db)
    .await?;
    Ok(id)
}

const ATTEMPT_COLUMNS: &str =
    "id, person_id, round, at, outcome, reason, flags, latitude, longitude, coordinate_system, accuracy_m, \
    distance_m, face_distance, mock_location, selfie_document_id";

pub async fn attempts(db: &Db, task: &str, person: Option<&str>) -> Result<Vec<AttemptView>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM check_in_attempts WHERE task_id = $1 AND ($2 IS NULL OR person_id = $2) ORDER BY at, id"
    ))
    .bind(task)
    .bind(person)
    .fetch_all(db)
    .await
}

pub async fn has_valid_check_in(db: &Db, task: &TaskRow, person: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM check_in_attempts WHERE task_id = $1 AND round = $2 AND person_id = $3 AND outcome <> 'refused'",
    )
    .bind(&task.id)
    .bind(task.round)
    .bind(person)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Every selfie hash recorded so far (of anyone), for the reused-photo check.
pub async fn selfie_hashes(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT selfie_hash FROM check_in_attempts WHERE selfie_hash IS NOT NULL")
        .fetch_all(db)
        .await
}

/// Whether an earlier valid check-in reported exactly these coordinates.
pub async fn position_seen(db: &Db, latitude: f64, longitude: f64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM check_in_attempts WHERE outcome <> 'refused' AND latitude = $1 AND longitude = $2",
    )
    .bind(latitude)
    .bind(longitude)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// The person's previous valid check-in: (latitude, longitude, system, time).
pub async fn previous_check_in(db: &Db, person: &str) -> Result<Option<(f64, f64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT latitude, longitude, coordinate_system, at FROM check_in_attempts WHERE person_id = $1 AND outcome <> 'refused' \
         ORDER BY at DESC LIMIT 1",
    )
    .bind(person)
    .fetch_optional(db)
    .await
}

/// Marks the task passed once every selected person of the round has a valid check-in; the
/// contact is told. Returns whether it passed now.
pub async fn pass_if_complete(state: &AppState, task: &TaskRow) -> Result<bool, sqlx::Error> {
    let missing: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM verification_selections s WHERE s.task_id = $1 AND s.round = $2 AND NOT EXISTS \
         (SELECT 1 FROM check_in_attempts a WHERE a.task_id = s.task_id AND a.round = s.round AND a.person_id = s.person_id AND a.outcome <> 'refused')",
    )
    .bind(&task.id)
    .bind(task.round)
    .fetch_one(&state.db)
    .await?;
    if missing > 0 {
        return Ok(false);
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    if !move_task(&mut tx, &task.id, TaskState::CheckingIn, TaskState::Passed, None, now).await? {
        return Ok(false);
    }
    outbox::enqueue(
        &mut *tx,
        Recipient::EnterpriseContact(&task.enterprise_id),
        "verification.passed",
        json!({"task_id": task.id}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
