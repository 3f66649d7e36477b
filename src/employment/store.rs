//! Employment SQL. Reads filter by the caller's scope: a person sees their own, an enterprise
//! its own, district staff those of enterprises in their district, city staff all.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::rules::RequestState;
use crate::auth::{Caller, Scope};
use crate::db::{new_id, Conn, Executor};
use crate::notify::outbox::{self, Recipient};
use crate::people::store::context;
use crate::state::AppState;

/// The three binds of a scope condition: (person, enterprise, district).
pub struct Visibility {
    person: Option<String>,
    enterprise: Option<String>,
    district: Option<String>,
}

impl Visibility {
    /// Binds the scope as $1–$3 of a query built on `scoped`.
    fn bind<'q, O>(
        &'q self,
        query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        query
            .bind(self.person.as_deref())
            .bind(self.enterprise.as_deref())
            .bind(self.district.as_deref())
    }

    pub fn of(caller: &Caller) -> Visibility {
        let (person, enterprise, district) = match &caller.scope {
            Scope::Person(id) => (Some(id.clone()), None, None),
            Scope::Enterprise(id) => (None, Some(id.clone()), None),
            Scope::District(code) => (None, None, Some(code.clone())),
            Scope::City => (None, None, None),
        };
        Visibility {
            person,
            enterprise,
            district,
        }
    }
}

/// Rows joined with the enterprise and the person's identity, scope-filtered by $1–$3.
fn scoped(table: &str, columns: &str) -> String {
    format!(
        "SELECT {columns}, e.name AS enterprise_name, i.name_sealed, i.id_number_masked \
         FROM {table} x JOIN enterprises e ON e.id = x.enterprise_id \
         JOIN person_identities i ON i.person_id = x.person_id \
         WHERE ($1 IS NULL OR x.person_id = $1) AND ($2 IS NULL OR x.enterprise_id = $2) AND ($3 IS NULL OR e.district_code = $3)"
    )
}

const REQUEST_COLUMNS: &str =
    "x.id, x.enterprise_id, x.person_id, x.position, x.contract_start, x.contract_end, x.state, \
    x.created_at, x.expires_at, x.decided_at";

#[derive(sqlx::FromRow)]
pub struct RequestRow {
    pub id: String,
    pub enterprise_id: String,
    pub person_id: String,
    pub position: String,
    pub contract_start: String,
    pub contract_end: String,
    pub state: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub decided_at: Option<i64>,
    pub enterprise_name: String,
    pub name_sealed: String,
    pub id_number_masked: String,
}

impl RequestRow {
    pub fn state(&self) -> RequestState {
        RequestState::parse(&self.state).unwrap_or(RequestState::Withdrawn)
    }

    /// The state at `now`: a pending request past its expiry is expired, whether or not
    /// `expire_due` has marked it so yet.
    pub fn state_at(&self, now: i64) -> RequestState {
        match self.state() {
            RequestState::Pending if self.expires_at <= now => RequestState::Expired,
            state => state,
        }
    }
}

/// An employment request as shown to both sides and to staff.
#[derive(Serialize, ToSchema)]
pub struct RequestView {
    pub id: String,
    pub enterprise_id: String,
    pub enterprise_name: String,
    pub person_id: String,
    pub person_name: String,
    /// Masked, e.g. `110105********002X`.
    pub person_id_number: String,
    /// 职务
    pub position: String,
    pub contract_start: String,
    pub contract_end: String,
    pub state: RequestState,
    pub created_at: i64,
    pub expires_at: i64,
    pub decided_at: Option<i64>,
}

fn person_name(state: &AppState, person_id: &str, sealed: &str) -> String {
    state
        .keys
        .open(&context(person_id, "name"), sealed)
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

impl RequestRow {
    pub fn view(self, state: &AppState) -> RequestView {
        RequestView {
            person_name: person_name(state, &self.person_id, &self.name_sealed),
            state: self.state(),
            id: self.id,
            enterprise_id: self.enterprise_id,
            enterprise_name: self.enterprise_name,
            person_id: self.person_id,
            person_id_number: self.id_number_masked,
            position: self.position,
            contract_start: self.contract_start,
            contract_end: self.contract_end,
            created_at: self.created_at,
            expires_at: self.expires_at,
            decided_at: self.decided_at,
        }
    }
}

/// Marks pending requests past their expiry as expired.
pub async fn expire_due(db: impl Executor<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE employment_requests SET state = 'expired', decided_at = expires_at WHERE state = 'pending' AND expires_at <= $1")
        .bind(now)
        .execute(db)
        .await
        .map(|_| ())
}

pub async fn get_request(db: impl Executor<'_>, id: &str, v: &Visibility) -> Result<Option<RequestRow>, sqlx::Error> {
    v.bind(sqlx::query_as(&format!(
        "{} AND x.id = $4",
        scoped("employment_requests", REQUEST_COLUMNS)
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn list_requests(
    db: impl Executor<'_>,
    v: &Visibility,
    enterprise: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RequestRow>, sqlx::Error> {
    v.bind(sqlx::query_as(&format!(
        "{} AND ($4 IS NULL OR x.enterprise_id = $4) ORDER BY x.created_at DESC, x.id DESC LIMIT $5 OFFSET $6",
        scoped("employment_requests", REQUEST_COLUMNS)
    )))
    .bind(enterprise)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// The person's active employment, as (employment id, enterprise id).
pub async fn active_employer(db: impl Executor<'_>, person_id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, enterprise_id FROM employments WHERE person_id = $1 AND state = 'active'")
        .bind(person_id)
        .fetch_optional(db)
        .await
}

pub async fn enterprise_name(db: impl Executor<'_>, enterprise_id: &str) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM enterprises WHERE id = $1")
        .bind(enterprise_id)
        .fetch_one(db)
        .await
}

pub struct NewRequest<'a> {
    pub enterprise_id: &'a str,
    pub person_id: &'a str,
    pub position: &'a str,
    pub contract_start: &'a str,
    pub contract_end: &'a str,
    pub created_by: &'a str,
    pub enterprise_name: &'a str,
    pub expires_at: i64,
}

/// Inserts a pending request and the person's inbox notice; a unique violation means a
/// pending request between the two already exists.
pub async fn insert_request(conn: &mut Conn, n: &NewRequest<'_>, now: i64) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO employment_requests (id, enterprise_id, person_id, position, contract_start, contract_end, state, created_by, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9)",
    )
    .bind(&id)
    .bind(n.enterprise_id)
    .bind(n.person_id)
    .bind(n.position)
    .bind(n.contract_start)
    .bind(n.contract_end)
    .bind(n.created_by)
    .bind(now)
    .bind(n.expires_at)
    .execute(&mut *conn)
    .await?;
    let params = json!({"request_id": id, "enterprise": n.enterprise_name, "position": n.position});
    outbox::enqueue(
        &mut *conn,
        Recipient::PersonInbox(n.person_id),
        "employment.requested",
        params,
        now,
    )
    .await?;
    Ok(id)
}

/// Why an acceptance did not land.
pub enum AcceptFailure {
    NoLongerPending,
    AlreadyEmployed,
    Database(sqlx::Error),
}

/// Accepts a pending request: the request and the new active employment, with the notice.
/// The unique index on active employments settles a race between two acceptances.
pub async fn accept(conn: &mut Conn, request: &RequestRow, now: i64) -> Result<String, AcceptFailure> {
    let db_error = AcceptFailure::Database;
    let moved = sqlx::query(
        "UPDATE employment_requests SET state = 'accepted', decided_at = $1 WHERE id = $2 AND state = 'pending'",
    )
    .bind(now)
    .bind(&request.id)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    if moved.rows_affected() != 1 {
        return Err(AcceptFailure::NoLongerPending);
    }
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO employments (id, enterprise_id, person_id, request_id, position, contract_start, contract_end, state, started_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8)",
    )
    .bind(&id)
    .bind(&request.enterprise_id)
    .bind(&request.person_id)
    .bind(&request.id)
    .bind(&request.position)
    .bind(&request.contract_start)
    .bind(&request.contract_end)
    .bind(now)
    .execute(&mut *conn)
    .await;
    if let Err(e) = inserted {
        return Err(if crate::db::is_unique_violation(&e) {
            AcceptFailure::AlreadyEmployed
        } else {
            AcceptFailure::Database(e)
        });
    }
    let params = json!({"request_id": request.id, "employment_id": id, "position": request.position});
    outbox::enqueue(
        &mut *conn,
        Recipient::EnterpriseContact(&request.enterprise_id),
        "employment.accepted",
        params,
        now,
    )
    .await
    .map_err(db_error)?;
    Ok(id)
}

/// Moves a pending request to `to` (refused or withdrawn); false if it was not pending.
pub async fn close_request(
    conn: &mut Conn,
    request: &RequestRow,
    to: RequestState,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let moved =
        sqlx::query("UPDATE employment_requests SET state = $1, decided_at = $2 WHERE id = $3 AND state = 'pending'")
            .bind(to.as_str())
            .bind(now)
            .bind(&request.id)
            .execute(&mut *conn)
            .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    let params = json!({"request_id": request.id, "position": request.position});
    match to {
        RequestState::Refused => {
            outbox::enqueue(
                &mut *conn,
                Recipient::EnterpriseContact(&request.enterprise_id),
                "employment.refused",
                params,
                now,
            )
            .await?
        }
        _ => {
            outbox::enqueue(
                &mut *conn,
                Recipient::PersonInbox(&request.person_id),
                "employment.withdrawn",
                params,
                now,
            )
            .await?
        }
    }
    Ok(true)
}

const EMPLOYMENT_COLUMNS: &str =
    "x.id, x.enterprise_id, x.person_id, x.position, x.contract_start, x.contract_end, x.state, \
    x.started_at, x.ended_at, x.ended_by, x.end_reason, x.technical_lead";

#[derive(sqlx::FromRow)]
pub struct EmploymentRow {
    pub id: String,
    pub enterprise_id: String,
    pub person_id: String,
    pub position: String,
    pub contract_start: String,
    pub contract_end: String,
    pub state: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub ended_by: Option<String>,
    pub end_reason: Option<String>,
    pub technical_lead: i64,
    pub enterprise_name: String,
    pub name_sealed: String,
    pub id_number_masked: String,
}

/// An employment relation (聘用关系), current or past.
#[derive(Serialize, ToSchema)]
pub struct EmploymentView {
    pub id: String,
    pub enterprise_id: String,
    pub enterprise_name: String,
    pub person_id: String,
    pub person_name: String,
    pub person_id_number: String,
    pub position: String,
    pub contract_start: String,
    pub contract_end: String,
    /// active | ended
    pub state: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    /// enterprise | person
    pub ended_by: Option<String>,
    pub end_reason: Option<String>,
    /// 技术负责人
    pub technical_lead: bool,
}

impl EmploymentRow {
    pub fn view(self, state: &AppState) -> EmploymentView {
        EmploymentView {
            person_name: person_name(state, &self.person_id, &self.name_sealed),
            id: self.id,
            enterprise_id: self.enterprise_id,
            enterprise_name: self.enterprise_name,
            person_id: self.person_id,
            person_id_number: self.id_number_masked,
            position: self.position,
            contract_start: self.contract_start,
            contract_end: self.contract_end,
            state: self.state,
            started_at: self.started_at,
            ended_at: self.ended_at,
            ended_by: self.ended_by,
            end_reason: self.end_reason,
            technical_lead: self.technical_lead == 1,
        }
    }
}

pub async fn get_employment(
    db: impl Executor<'_>,
    id: &str,
    v: &Visibility,
) -> Result<Option<EmploymentRow>, sqlx::Error> {
    v.bind(sqlx::query_as(&format!(
        "{} AND x.id = $4",
        scoped("employments", EMPLOYMENT_COLUMNS)
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Relations within scope, newest first; `active_only` for an enterprise's current staff.
pub async fn list_employments(
    db: impl Executor<'_>,
    v: &Visibility,
    enterprise: Option<&str>,
    active_only: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<EmploymentRow>, sqlx::Error> {
    v.bind(sqlx::query_as(&format!(
        "{} AND ($4 IS NULL OR x.enterprise_id = $4) AND ($5 = 0 OR x.state = 'active') ORDER BY x.started_at DESC, x.id DESC LIMIT $6 OFFSET $7",
        scoped("employments", EMPLOYMENT_COLUMNS)
    )))
    .bind(enterprise)
    .bind(i64::from(active_only))
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// Ends an active relation; false if it had already ended.
pub async fn end(
    conn: &mut Conn,
    employment: &EmploymentRow,
    by: &str,
    reason: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query("UPDATE employments SET state = 'ended', ended_at = $1, ended_by = $2, end_reason = $3 WHERE id = $4 AND state = 'active'")
        .bind(now)
        .bind(by)
        .bind(reason)
        .bind(&employment.id)
        .execute(&mut *conn)
        .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    let params = json!({"employment_id": employment.id, "ended_by": by, "reason": reason});
    outbox::enqueue(
        &mut *conn,
        Recipient::PersonInbox(&employment.person_id),
        "employment.ended",
        params.clone(),
        now,
    )
    .await?;
    outbox::enqueue(
        &mut *conn,
        Recipient::EnterpriseContact(&employment.enterprise_id),
        "employment.ended",
        params,
        now,
    )
    .await?;
    Ok(true)
}

/// A registration certificate or professional title of an employee.
#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct CertificateView {
    pub id: String,
    pub employment_id: String,
    /// registration | title
    pub kind: String,
    /// Registration type (e.g. 一级注册建造师) or title (e.g. 高级工程师).
    pub name: String,
    pub number: Option<String>,
    pub specialty: Option<String>,
    pub valid_until: Option<String>,
    /// The certificate scan.
    pub document_id: String,
    pub created_at: i64,
}

const CERTIFICATE_COLUMNS: &str =
    "id, employment_id, kind, name, number, specialty, valid_until, document_id, created_at";

pub async fn certificates(db: impl Executor<'_>, employment_id: &str) -> Result<Vec<CertificateView>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {CERTIFICATE_COLUMNS} FROM staff_certificates WHERE employment_id = $1 ORDER BY created_at, id"
    ))
    .bind(employment_id)
    .fetch_all(db)
    .await
}

pub struct NewCertificate<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub number: Option<&'a str>,
    pub specialty: Option<&'a str>,
    pub valid_until: Option<String>,
    pub document_id: &'a str,
}

pub async fn add_certificate(
    db: impl Executor<'_>,
    employment: &EmploymentRow,
    c: &NewCertificate<'_>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO staff_certificates (id, employment_id, enterprise_id, person_id, kind, name, number, specialty, valid_until, \
         document_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&employment.id)
    .bind(&employment.enterprise_id)
    .bind(&employment.person_id)
    .bind(c.kind)
    .bind(c.name)
    .bind(c.number)
    .bind(c.specialty)
    .bind(c.valid_until.as_deref())
    .bind(c.document_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(id)
}

/// Removes a certificate (the audit log keeps the act); returns its scan's document id, or
/// `None` if there was none.
pub async fn remove_certificate(
    db: impl Executor<'_>,
    employment_id: &str,
    id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("DELETE FROM staff_certificates WHERE id = $1 AND employment_id = $2 RETURNING document_id")
        .bind(id)
        .bind(employment_id)
        .fetch_optional(db)
        .await
}

/// Makes the employee the enterprise's technical lead, in place of any other.
pub async fn set_technical_lead(conn: &mut Conn, employment: &EmploymentRow) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE employments SET technical_lead = 0 WHERE enterprise_id = $1 AND technical_lead = 1")
        .bind(&employment.enterprise_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE employments SET technical_lead = 1 WHERE id = $1")
        .bind(&employment.id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
