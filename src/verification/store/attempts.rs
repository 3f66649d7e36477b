//! Check-in attempts, accepted or refused (every one is kept), and what the check-in rules read
//! of earlier ones.

use serde::Serialize;
use utoipa::ToSchema;

use super::decisions::{self, DecisionView};
use super::TaskRow;

use crate::platform::db::{Conn, Executor, NullableF64};
use crate::platform::ids::{CheckInAttemptId, DocumentId, EnterpriseId, PersonId, VerificationTaskId};

/// Whether the person is selected in the task's current round.
pub async fn is_selected(db: impl Executor<'_>, task: &TaskRow, person: &PersonId) -> Result<bool, sqlx::Error> {
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
    #[schema(value_type = String)]
    pub id: CheckInAttemptId,
    #[schema(value_type = String)]
    pub person_id: PersonId,
    pub round: i64,
    pub at: i64,
    /// Only an accepted attempt counts toward passing the task; a flagged one waits for staff
    /// to confirm (accepted) or void it (voided).
    #[schema(value_type = crate::verification::rules::review::Outcome)]
    pub outcome: String,
    /// The refusal's code.
    pub reason: Option<String>,
    /// Comma-separated review flags: mock_location, repeated_position, impossible_speed.
    pub flags: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    #[schema(value_type = Option<crate::platform::types::CoordinateSystem>)]
    pub coordinate_system: Option<String>,
    pub accuracy_m: Option<f64>,
    /// Distance from the site (centre or boundary), metres.
    pub distance_m: Option<f64>,
    /// Descriptor distance to the enrolled face.
    pub face_distance: Option<f64>,
    pub mock_location: i64,
    #[schema(value_type = Option<String>)]
    pub selfie_document_id: Option<DocumentId>,
    #[schema(value_type = String)]
    pub task_id: VerificationTaskId,
    /// What the attempt waits for from staff: `review` (flagged: confirm or void) or
    /// `appeal_decision` (refused and appealed: grant or dismiss); null when nothing.
    #[sqlx(skip)]
    #[schema(value_type = Option<crate::verification::rules::review::Awaiting>)]
    pub awaiting: Option<String>,
    /// The review, the enterprise's appeal and its decision, with who and when, in order.
    #[sqlx(skip)]
    pub decisions: Vec<DecisionView>,
}

/// What one attempt measured.
#[derive(Default)]
pub struct Attempt {
    pub outcome: &'static str,
    pub reason: Option<String>,
    pub flags: Vec<&'static str>,
    pub position: Option<crate::platform::types::Coordinates>,
    pub accuracy_m: Option<f64>,
    pub distance_m: Option<f64>,
    pub face_distance: Option<f64>,
    pub mock_location: bool,
    pub selfie_document_id: Option<DocumentId>,
    pub selfie_hash: Option<u64>,
}

/// Records an attempt of `person` at `now` in the task's current round, with the district its
/// enterprise is in (the staff queues' district); returns its id.
pub async fn record_attempt(
    db: impl Executor<'_>,
    task: &TaskRow,
    person: &PersonId,
    a: &Attempt,
    now: i64,
) -> Result<CheckInAttemptId, sqlx::Error> {
    let id = CheckInAttemptId::new();
    sqlx::query(
        "INSERT INTO check_in_attempts (id, task_id, round, person_id, at, outcome, reason, flags, latitude, longitude, coordinate_system, \
         accuracy_m, distance_m, face_distance, mock_location, selfie_document_id, selfie_hash, district_code) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(&id)
    .bind(&task.id)
    .bind(task.round)
    .bind(person)
    .bind(now)
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
    .bind(&task.district_code)
    .execute(db)
    .await?;
    Ok(id)
}

/// Puts an attempt in its task's district as it comes to wait for staff (an appeal): attempts
/// made before migration 0038 have none.
pub async fn place_in_district(
    db: impl Executor<'_>,
    id: &CheckInAttemptId,
    district: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE check_in_attempts SET district_code = $1 WHERE id = $2")
        .bind(district)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Moves the check-ins of an enterprise's tasks to the district it moved to (inside the act
/// that changes its district), so they wait for the new district's staff.
pub async fn move_district(
    db: impl Executor<'_>,
    enterprise: &EnterpriseId,
    district: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE check_in_attempts SET district_code = $1 \
         WHERE task_id IN (SELECT id FROM verification_tasks WHERE enterprise_id = $2)",
    )
    .bind(district)
    .bind(enterprise)
    .execute(db)
    .await?;
    Ok(())
}

const ATTEMPT_COLUMNS: &str =
    "id, person_id, round, at, outcome, reason, flags, latitude, longitude, coordinate_system, accuracy_m, \
    distance_m, face_distance, mock_location, selfie_document_id, task_id";

/// The task's attempts, all or one person's, in order, with their decisions.
pub async fn attempts(
    conn: &mut Conn,
    task: &VerificationTaskId,
    person: Option<&str>,
) -> Result<Vec<AttemptView>, sqlx::Error> {
    let mut views: Vec<AttemptView> = sqlx::query_as(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM check_in_attempts WHERE task_id = $1 AND ($2 IS NULL OR person_id = $2) ORDER BY at, id"
    ))
    .bind(task)
    .bind(person)
    .fetch_all(&mut *conn)
    .await?;
    let decided = decisions::of_task(&mut *conn, task).await?;
    decisions::attach(&mut views, decided);
    Ok(views)
}

/// One attempt by id, with its decisions.
pub async fn attempt(conn: &mut Conn, id: &CheckInAttemptId) -> Result<Option<AttemptView>, sqlx::Error> {
    let found: Option<AttemptView> = sqlx::query_as(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM check_in_attempts WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(mut view) = found else {
        return Ok(None);
    };
    let decided = decisions::of_attempts(&mut *conn, &[id]).await?;
    decisions::attach([&mut view], decided);
    Ok(Some(view))
}

/// Whether the person holds their place in the task's round: an accepted check-in, or a
/// flagged one waiting for staff.
pub async fn has_valid_check_in(db: impl Executor<'_>, task: &TaskRow, person: &PersonId) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM check_in_attempts WHERE task_id = $1 AND round = $2 AND person_id = $3 \
         AND outcome IN ('accepted', 'flagged')",
    )
    .bind(&task.id)
    .bind(task.round)
    .bind(person)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Whether an earlier valid check-in reported exactly these coordinates.
pub async fn position_seen(db: impl Executor<'_>, latitude: f64, longitude: f64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM check_in_attempts WHERE outcome <> 'refused' AND latitude = $1 AND longitude = $2",
    )
    .bind(latitude)
    .bind(longitude)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// The person's previous valid (accepted or flagged) check-in: (latitude, longitude, system,
/// time). A voided one is not believed, so it gives no position to measure speed from.
pub async fn previous_check_in(
    db: impl Executor<'_>,
    person: &PersonId,
) -> Result<Option<(f64, f64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT latitude, longitude, coordinate_system, at FROM check_in_attempts WHERE person_id = $1 \
         AND outcome IN ('accepted', 'flagged') \
         ORDER BY at DESC LIMIT 1",
    )
    .bind(person)
    .fetch_optional(db)
    .await
}
