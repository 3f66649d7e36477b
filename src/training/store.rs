//! Training SQL: continuing-education records within the caller's bounds, their writes, and
//! the hours a renewal counts (`passed_hours`, the seam the renewal service reads); the
//! institutions' accounts are in `institutions`.

pub mod institutions;

use sqlx::FromRow;

use crate::auth::{Bounds, Columns, Key};
use crate::certificates::kinds::Kind;
use crate::platform::db::Executor;
use crate::platform::ids::{ContinuingEducationId, TrainingInstitutionId};

/// Where continuing-education records keep the bounds. A training institution: the records it
/// entered. A person: the records under the ID number they registered with. District staff:
/// the records of holders an enterprise of their district employs now. No enterprise or
/// supervisor column: they reach nothing.
const BOUNDS: Columns = Columns {
    person: Some(Key::Condition(
        "ce.holder_hash = (SELECT i.id_number_hash FROM person_identities i WHERE i.person_id = {})",
    )),
    district: Some(Key::Condition(
        "ce.holder_hash IN (SELECT i.id_number_hash FROM employments m \
           JOIN enterprises e ON e.id = m.enterprise_id \
           JOIN person_identities i ON i.person_id = m.person_id \
           WHERE e.district_code = {} AND m.state = 'active')",
    )),
    training: Some(Key::Column("ce.institution_id")),
    ..Columns::NONE
};

const SELECT: &str = "SELECT ce.id, ce.institution_id, t.name AS institution_name, ce.holder_id_masked, \
    ce.holder_name_sealed, ce.certificate_kind, ce.category, ce.course, ce.hours, ce.completed_on, ce.passed, ce.created_at \
    FROM continuing_education ce JOIN training_institutions t ON t.id = ce.institution_id";

/// A record as read.
#[derive(FromRow, Debug, Clone)]
pub struct RecordRow {
    pub id: ContinuingEducationId,
    pub institution_id: TrainingInstitutionId,
    pub institution_name: String,
    pub holder_id_masked: String,
    pub holder_name_sealed: String,
    pub certificate_kind: Kind,
    pub category: String,
    pub course: String,
    pub hours: i64,
    pub completed_on: String,
    /// 1 when passed, 0 otherwise.
    pub passed: i64,
    pub created_at: i64,
}

/// A record to write, its personal fields already sealed.
pub struct NewRecord<'a> {
    pub id: &'a ContinuingEducationId,
    pub institution_id: &'a TrainingInstitutionId,
    pub holder_hash: &'a str,
    pub holder_id_sealed: &'a str,
    pub holder_id_masked: &'a str,
    pub holder_name_sealed: &'a str,
    pub kind: Kind,
    pub category: &'a str,
    pub course: &'a str,
    pub hours: i64,
    /// YYYY-MM-DD
    pub completed_on: &'a str,
    pub passed: bool,
}

/// Inserts a record; fails with a unique violation when the institution already recorded this
/// course for this holder, kind and category on that day.
pub async fn insert(db: impl Executor<'_>, new: &NewRecord<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO continuing_education (id, institution_id, holder_hash, holder_id_sealed, holder_id_masked, \
         holder_name_sealed, certificate_kind, category, course, hours, completed_on, passed, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(new.id)
    .bind(new.institution_id)
    .bind(new.holder_hash)
    .bind(new.holder_id_sealed)
    .bind(new.holder_id_masked)
    .bind(new.holder_name_sealed)
    .bind(new.kind.as_str())
    .bind(new.category)
    .bind(new.course)
    .bind(new.hours)
    .bind(new.completed_on)
    .bind(i64::from(new.passed))
    .bind(now)
    .execute(db)
    .await
    .map(|_| ())
}

/// Whether the institution already recorded this course for this holder, kind and category on
/// that day (what the unique index refuses).
pub async fn exists(db: impl Executor<'_>, new: &NewRecord<'_>) -> Result<bool, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT id FROM continuing_education WHERE institution_id = $1 AND holder_hash = $2 \
         AND certificate_kind = $3 AND category = $4 AND course = $5 AND completed_on = $6",
    )
    .bind(new.institution_id)
    .bind(new.holder_hash)
    .bind(new.kind.as_str())
    .bind(new.category)
    .bind(new.course)
    .bind(new.completed_on)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// One record within `bounds` (read back after writing).
pub async fn get(
    db: impl Executor<'_>,
    id: &ContinuingEducationId,
    bounds: &Bounds,
) -> Result<Option<RecordRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    within
        .bind(sqlx::query_as(&format!("{SELECT} WHERE ce.id = $1 AND {within}")).bind(id))
        .fetch_optional(db)
        .await
}

/// The records within `bounds`, of one holder when `holder_hash` is given, newest first.
pub async fn list(
    db: impl Executor<'_>,
    bounds: &Bounds,
    holder_hash: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RecordRow>, sqlx::Error> {
    let (holder, next) = match holder_hash {
        Some(_) => ("AND ce.holder_hash = $3", 4),
        None => ("", 3),
    };
    let within = bounds.condition(&BOUNDS, next);
    let sql = format!(
        "{SELECT} WHERE {within} {holder} ORDER BY ce.completed_on DESC, ce.created_at DESC, ce.id LIMIT $1 OFFSET $2"
    );
    let mut query = sqlx::query_as(&sql).bind(limit).bind(offset);
    if let Some(hash) = holder_hash {
        query = query.bind(hash);
    }
    within.bind(query).fetch_all(db).await
}

/// The hours of passed continuing education of the holder (the keyed hash of the ID number,
/// `people::id_number_key`) for a kind of certificate (`Kind::as_str`) and category ("" for
/// safety-management certificates) completed from `from` to `to`, both included (YYYY-MM-DD).
/// Records not passed, of another kind or category, or outside the dates count nothing. What
/// a renewal checks against `applications.renewal_education_hours`.
pub async fn passed_hours(
    db: impl Executor<'_>,
    holder_hash: &str,
    kind: &str,
    category: &str,
    from: &str,
    to: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(hours), 0) AS BIGINT) FROM continuing_education \
         WHERE holder_hash = $1 AND certificate_kind = $2 AND category = $3 AND passed = 1 \
         AND completed_on >= $4 AND completed_on <= $5",
    )
    .bind(holder_hash)
    .bind(kind)
    .bind(category)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await
}
