//! Exam batches and registrations in the database.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::bounds::{Columns, Key};
use crate::auth::Bounds;
use crate::platform::crypto::Keys;
use crate::platform::db::{Conn, Executor};
use crate::platform::ids::{EnterpriseId, ExamBatchId, ExamRegistrationId, PersonId, StaffId};
use crate::platform::paging::Page;

mod listing;
pub use listing::{count_registrations, list_registrations, RegistrationOrder, RegistrationSort, NEWEST_FIRST};

const BATCH_BOUNDS: Columns = Columns {
    enterprise: Some(Key::Condition(
        "b.district_code = (SELECT e.district_code FROM enterprises e WHERE e.id = {})",
    )),
    district: Some(Key::Column("b.district_code")),
    ..Columns::NONE
};

const BATCH_SELECT: &str = "SELECT b.id, b.district_code, b.exam_type, b.category, b.title, b.registration_opens_on, \
    b.registration_closes_on, b.exam_on, b.capacity, b.registered, b.created_at FROM exam_batches b";

/// An exam batch as shown.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ExamBatchView {
    #[schema(value_type = String)]
    pub id: ExamBatchId,
    pub district_code: String,
    /// safety_a | safety_b | safety_c | special
    pub exam_type: String,
    /// The special-operations category code; empty for the safety-management exams.
    pub category: String,
    pub title: String,
    pub registration_opens_on: String,
    pub registration_closes_on: String,
    pub exam_on: String,
    pub capacity: i64,
    /// Places taken by registrations submitted or approved.
    pub registered: i64,
    pub created_at: i64,
}

pub struct NewBatch<'a> {
    pub district_code: &'a str,
    pub exam_type: &'a str,
    pub category: &'a str,
    pub title: &'a str,
    pub registration_opens_on: String,
    pub registration_closes_on: String,
    pub exam_on: String,
    pub capacity: i64,
}

pub async fn insert_batch(
    conn: &mut Conn,
    new: &NewBatch<'_>,
    staff: &StaffId,
    now: i64,
) -> Result<ExamBatchId, sqlx::Error> {
    let id = ExamBatchId::new();
    sqlx::query(
        "INSERT INTO exam_batches (id, district_code, exam_type, title, registration_opens_on, registration_closes_on, \
         exam_on, capacity, created_by, created_at, category) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(new.district_code)
    .bind(new.exam_type)
    .bind(new.title)
    .bind(&new.registration_opens_on)
    .bind(&new.registration_closes_on)
    .bind(&new.exam_on)
    .bind(new.capacity)
    .bind(staff)
    .bind(now)
    .bind(new.category)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn get_batch(
    db: impl Executor<'_>,
    id: &ExamBatchId,
    bounds: &Bounds,
) -> Result<Option<ExamBatchView>, sqlx::Error> {
    let within = bounds.condition(&BATCH_BOUNDS, 2);
    within
        .bind(sqlx::query_as(&format!("{BATCH_SELECT} WHERE b.id = $1 AND {within}")).bind(id))
        .fetch_optional(db)
        .await
}

/// Batches within `bounds`, the latest exam first.
pub async fn list_batches(
    db: impl Executor<'_>,
    bounds: &Bounds,
    exam_type: Option<&str>,
    page: &Page,
) -> Result<Vec<ExamBatchView>, sqlx::Error> {
    let (limit, offset) = page.limit_offset();
    let within = bounds.condition(&BATCH_BOUNDS, 4);
    within
        .bind(
            sqlx::query_as(&format!(
                "{BATCH_SELECT} WHERE ($1 IS NULL OR b.exam_type = $1) AND {within} \
                 ORDER BY b.exam_on DESC, b.id LIMIT $2 OFFSET $3"
            ))
            .bind(exam_type)
            .bind(limit)
            .bind(offset),
        )
        .fetch_all(db)
        .await
}

/// Takes one place in the batch if one is left: the check and the count in one statement.
pub async fn take_place(conn: &mut Conn, batch: &ExamBatchId) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE exam_batches SET registered = registered + 1 WHERE id = $1 AND registered < capacity")
            .bind(batch)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a place back (a rejected registration).
pub async fn release_place(conn: &mut Conn, batch: &ExamBatchId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE exam_batches SET registered = registered - 1 WHERE id = $1 AND registered > 0")
        .bind(batch)
        .execute(conn)
        .await?;
    Ok(())
}

/// What the registrations already say of a person, for the eligibility rule.
#[derive(Debug, Default, sqlx::FromRow)]
pub struct History {
    pub last_absence: Option<String>,
    pub last_cheating: Option<String>,
    pub in_this_batch: i64,
    pub pending_same_type: i64,
}

pub async fn history(
    db: impl Executor<'_>,
    person: &PersonId,
    batch: &ExamBatchId,
    exam_type: &str,
) -> Result<History, sqlx::Error> {
    sqlx::query_as(
        "SELECT \
           (SELECT MAX(exam_on) FROM exam_registrations WHERE person_id = $1 AND outcome = 'absent') AS last_absence, \
           (SELECT MAX(exam_on) FROM exam_registrations WHERE person_id = $1 AND outcome = 'cheating') AS last_cheating, \
           (SELECT COUNT(*) FROM exam_registrations WHERE person_id = $1 AND batch_id = $2 AND state <> 'rejected') \
             AS in_this_batch, \
           (SELECT COUNT(*) FROM exam_registrations WHERE person_id = $1 AND exam_type = $3 AND batch_id <> $2 \
             AND state <> 'rejected' AND outcome IS NULL) AS pending_same_type",
    )
    .bind(person)
    .bind(batch)
    .bind(exam_type)
    .fetch_one(db)
    .await
}

pub struct NewRegistration<'a> {
    pub batch: &'a ExamBatchView,
    pub person: &'a PersonId,
    pub enterprise: &'a EnterpriseId,
}

pub async fn insert_registration(
    conn: &mut Conn,
    new: &NewRegistration<'_>,
    now: i64,
) -> Result<ExamRegistrationId, sqlx::Error> {
    let id = ExamRegistrationId::new();
    sqlx::query(
        "INSERT INTO exam_registrations (id, batch_id, person_id, enterprise_id, exam_type, exam_on, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7)",
    )
    .bind(&id)
    .bind(&new.batch.id)
    .bind(new.person)
    .bind(new.enterprise)
    .bind(&new.batch.exam_type)
    .bind(&new.batch.exam_on)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

const REGISTRATION_BOUNDS: Columns = Columns {
    person: Some(Key::Column("r.person_id")),
    enterprise: Some(Key::Column("r.enterprise_id")),
    district: Some(Key::Column("b.district_code")),
    ..Columns::NONE
};

const REGISTRATION_SELECT: &str = "SELECT r.id, r.batch_id, b.title AS batch_title, b.exam_type, b.category, \
    b.district_code, b.exam_on, \
    r.person_id, i.name_sealed, i.id_number_masked, r.enterprise_id, e.name AS enterprise_name, r.state, r.opinion, \
    r.outcome, r.created_at FROM exam_registrations r JOIN exam_batches b ON b.id = r.batch_id \
    JOIN person_identities i ON i.person_id = r.person_id JOIN enterprises e ON e.id = r.enterprise_id";

#[derive(Debug, sqlx::FromRow)]
pub struct RegistrationRow {
    pub id: ExamRegistrationId,
    pub batch_id: ExamBatchId,
    pub batch_title: String,
    pub exam_type: String,
    pub category: String,
    pub district_code: String,
    pub exam_on: String,
    pub person_id: PersonId,
    pub name_sealed: String,
    pub id_number_masked: String,
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    pub state: String,
    pub opinion: Option<String>,
    pub outcome: Option<String>,
    pub created_at: i64,
}

/// A registration as shown: the person by name and masked ID number.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExamRegistrationView {
    #[schema(value_type = String)]
    pub id: ExamRegistrationId,
    #[schema(value_type = String)]
    pub batch_id: ExamBatchId,
    pub batch_title: String,
    pub exam_type: String,
    pub exam_on: String,
    #[schema(value_type = String)]
    pub person_id: PersonId,
    pub person_name: String,
    /// e.g. `110105********002X`
    pub id_number_masked: String,
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    /// submitted | approved | rejected
    pub state: String,
    /// The reviewer's opinion.
    pub opinion: Option<String>,
    /// absent | cheating | failed | passed, once recorded.
    pub outcome: Option<String>,
    pub created_at: i64,
}

impl RegistrationRow {
    /// The registration as passed, for the application that issues its certificate.
    pub fn passed(&self) -> crate::applications::PassedExam {
        crate::applications::PassedExam {
            registration_id: self.id.clone(),
            person_id: self.person_id.clone(),
            enterprise_id: self.enterprise_id.clone(),
            district_code: self.district_code.clone(),
            exam_type: self.exam_type.clone(),
            category: self.category.clone(),
        }
    }

    pub fn view(self, keys: &Keys) -> ExamRegistrationView {
        let person_name =
            crate::people::store::unseal_name(keys, &self.person_id, &self.name_sealed).unwrap_or_default();
        ExamRegistrationView {
            id: self.id,
            batch_id: self.batch_id,
            batch_title: self.batch_title,
            exam_type: self.exam_type,
            exam_on: self.exam_on,
            person_id: self.person_id,
            person_name,
            id_number_masked: self.id_number_masked,
            enterprise_id: self.enterprise_id,
            enterprise_name: self.enterprise_name,
            state: self.state,
            opinion: self.opinion,
            outcome: self.outcome,
            created_at: self.created_at,
        }
    }
}

pub async fn get_registration(
    db: impl Executor<'_>,
    id: &ExamRegistrationId,
    bounds: &Bounds,
) -> Result<Option<RegistrationRow>, sqlx::Error> {
    let within = bounds.condition(&REGISTRATION_BOUNDS, 2);
    within
        .bind(sqlx::query_as(&format!("{REGISTRATION_SELECT} WHERE r.id = $1 AND {within}")).bind(id))
        .fetch_optional(db)
        .await
}

/// Decides a submitted registration; false when it was no longer submitted.
pub async fn review(
    conn: &mut Conn,
    id: &ExamRegistrationId,
    state: &str,
    opinion: Option<&str>,
    staff: &StaffId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE exam_registrations SET state = $2, opinion = $3, reviewed_by = $4, reviewed_at = $5 \
         WHERE id = $1 AND state = 'submitted'",
    )
    .bind(id)
    .bind(state)
    .bind(opinion)
    .bind(staff)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the outcome of an approved registration once; false when it had one already.
pub async fn record_outcome(
    conn: &mut Conn,
    id: &ExamRegistrationId,
    outcome: &str,
    staff: &StaffId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE exam_registrations SET outcome = $2, outcome_by = $3, outcome_at = $4 \
         WHERE id = $1 AND state = 'approved' AND outcome IS NULL",
    )
    .bind(id)
    .bind(outcome)
    .bind(staff)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An enterprise's employees now, with what the eligibility rule needs of their identity.
#[derive(Debug, sqlx::FromRow)]
pub struct EmployeeRow {
    pub person_id: PersonId,
    pub name_sealed: Option<String>,
    pub id_number_masked: Option<String>,
    pub identity_state: Option<String>,
    pub portrait_document_id: Option<String>,
}

pub async fn employees(
    db: impl Executor<'_>,
    enterprise: &EnterpriseId,
    page: &Page,
) -> Result<Vec<EmployeeRow>, sqlx::Error> {
    let (limit, offset) = page.limit_offset();
    sqlx::query_as(
        "SELECT x.person_id, i.name_sealed, i.id_number_masked, i.state AS identity_state, i.portrait_document_id \
         FROM employments x LEFT JOIN person_identities i ON i.person_id = x.person_id \
         WHERE x.enterprise_id = $1 AND x.state = 'active' ORDER BY x.started_at, x.person_id LIMIT $2 OFFSET $3",
    )
    .bind(enterprise)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// One person with what the eligibility rule needs of their identity.
pub async fn employee(db: impl Executor<'_>, person: &PersonId) -> Result<Option<EmployeeRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id AS person_id, i.name_sealed, i.id_number_masked, i.state AS identity_state, i.portrait_document_id \
         FROM people p LEFT JOIN person_identities i ON i.person_id = p.id WHERE p.id = $1",
    )
    .bind(person)
    .fetch_optional(db)
    .await
}

/// The registrations within `bounds` submitted for review, oldest first, for the staff inbox:
/// each names its enterprise and batch.
pub async fn awaiting_review(
    conn: &mut Conn,
    bounds: &Bounds,
) -> Result<Vec<crate::notify::awaiting::Row>, sqlx::Error> {
    let within = bounds.condition(&REGISTRATION_BOUNDS, 1);
    let sql = crate::notify::awaiting::queue(
        "r.id AS target_id, e.id AS enterprise_id, e.name AS enterprise_name, b.title AS subject, r.created_at AS since",
        &format!(
            "FROM exam_registrations r JOIN exam_batches b ON b.id = r.batch_id \
             JOIN enterprises e ON e.id = r.enterprise_id WHERE r.state = 'submitted' AND {within}"
        ),
        "r.created_at, r.id",
    );
    within.bind(sqlx::query_as(&sql)).fetch_all(&mut *conn).await
}
