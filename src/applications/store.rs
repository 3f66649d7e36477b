//! Applications SQL: the application and its acts, reads within the caller's bounds, the
//! conditional updates that move it along its chain (each checks the step it moves from, so two
//! staff acting at once cannot both move it), and the facts its preconditions read.

use sqlx::FromRow;

use super::kinds::{Action, ApplicationKind, ApplicationState, Step};
use crate::auth::{Bounds, Columns, Key};
use crate::platform::db::{Conn, Executor};
use crate::platform::ids::{ApplicationEventId, ApplicationId, CertificateId, DocumentId, EnterpriseId, PersonId};
use crate::platform::paging::Page;
use crate::platform::sorting;

/// A person sees their applications; an enterprise those for it and those it confirms; district
/// staff those at their district's desk.
const BOUNDS: Columns = Columns {
    person: Some(Key::Column("a.person_id")),
    enterprise: Some(Key::Condition(
        "(a.enterprise_id = {} OR a.confirming_enterprise_id = {})",
    )),
    district: Some(Key::Column("a.district_code")),
    ..Columns::NONE
};

const SELECT: &str = "SELECT a.id, a.kind, a.applicant, a.person_id, a.certificate_id, a.confirming_enterprise_id, \
    a.enterprise_id, e.name AS enterprise_name, a.district_code, a.steps, a.step, a.waiting_for, a.state, a.detail, \
    a.document_id, a.created_at, a.updated_at, a.decided_at, c.number AS certificate_number, \
    i.name_sealed AS applicant_name_sealed, i.id_number_masked AS applicant_id_number_masked \
    FROM applications a JOIN enterprises e ON e.id = a.enterprise_id \
    LEFT JOIN certificates c ON c.id = a.certificate_id \
    LEFT JOIN person_identities i ON i.person_id = a.person_id";

#[derive(FromRow, Debug, Clone)]
pub struct ApplicationRow {
    pub id: ApplicationId,
    pub kind: ApplicationKind,
    pub applicant: String,
    pub person_id: Option<PersonId>,
    pub certificate_id: Option<CertificateId>,
    pub confirming_enterprise_id: Option<EnterpriseId>,
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    pub district_code: String,
    pub steps: String,
    pub step: i64,
    pub waiting_for: Option<Step>,
    pub state: ApplicationState,
    pub detail: String,
    pub document_id: Option<DocumentId>,
    pub created_at: i64,
    pub updated_at: i64,
    pub decided_at: Option<i64>,
    pub certificate_number: Option<String>,
    pub applicant_name_sealed: Option<String>,
    pub applicant_id_number_masked: Option<String>,
}

/// An application as it is created.
pub struct NewApplication<'a> {
    pub kind: ApplicationKind,
    /// `person:<id>` or `enterprise:<id>`: one application in progress each.
    pub applicant: String,
    pub person_id: Option<&'a PersonId>,
    pub certificate_id: Option<&'a CertificateId>,
    pub confirming_enterprise_id: Option<&'a EnterpriseId>,
    pub enterprise_id: &'a EnterpriseId,
    pub district_code: &'a str,
    pub steps: &'a [Step],
    pub detail: String,
    pub document_id: Option<&'a DocumentId>,
}

/// Inserts an application waiting at its first step. A unique violation means the applicant
/// has one in progress already.
pub async fn insert(conn: &mut Conn, new: &NewApplication<'_>, now: i64) -> Result<ApplicationId, sqlx::Error> {
    let id = ApplicationId::new();
    sqlx::query(
        "INSERT INTO applications (id, kind, applicant, person_id, certificate_id, confirming_enterprise_id, enterprise_id, \
         district_code, steps, step, waiting_for, state, detail, document_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, 'in_progress', $11, $12, $13, $13)",
    )
    .bind(&id)
    .bind(new.kind)
    .bind(&new.applicant)
    .bind(new.person_id)
    .bind(new.certificate_id)
    .bind(new.confirming_enterprise_id)
    .bind(new.enterprise_id)
    .bind(new.district_code)
    .bind(super::chain::format(new.steps))
    .bind(new.steps[0])
    .bind(&new.detail)
    .bind(new.document_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// One application within `bounds`.
pub async fn get(
    db: impl Executor<'_>,
    id: &ApplicationId,
    bounds: &Bounds,
) -> Result<Option<ApplicationRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    within
        .bind(sqlx::query_as(&format!("{SELECT} WHERE a.id = $1 AND {within}")).bind(id))
        .fetch_optional(db)
        .await
}

/// What a list is filtered by (`None`: any).
#[derive(Default)]
pub struct Filter {
    pub state: Option<ApplicationState>,
    pub kind: Option<ApplicationKind>,
    pub waiting_for: Option<Step>,
}

/// What a list of applications can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// When it was made: the oldest first is the order a desk works in.
    #[default]
    Created,
    Updated,
    Kind,
    Enterprise,
    District,
    State,
}

impl sorting::SortKey for Sort {
    const ALL: &'static [Sort] = &[
        Sort::Created,
        Sort::Updated,
        Sort::Kind,
        Sort::Enterprise,
        Sort::District,
        Sort::State,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Sort::Created => "created",
            Sort::Updated => "updated",
            Sort::Kind => "kind",
            Sort::Enterprise => "enterprise",
            Sort::District => "district",
            Sort::State => "state",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Sort::Created => &["a.created_at"],
            Sort::Updated => &["a.updated_at"],
            Sort::Kind => &["a.kind", "a.created_at"],
            Sort::Enterprise => &["e.name", "a.created_at"],
            Sort::District => &["a.district_code", "a.created_at"],
            Sort::State => &["a.state", "a.created_at"],
        }
    }
}

pub type Order = sorting::Order<Sort>;

/// The API's order: the newest first.
pub const NEWEST_FIRST: Order = sorting::Order {
    key: Sort::Created,
    descending: true,
};

impl Filter {
    /// The filter's conditions, numbered from `$1`, with their values in that order.
    fn conditions(&self) -> (Vec<String>, Vec<&'static str>) {
        let mut values: Vec<&'static str> = Vec::new();
        let mut conditions = Vec::new();
        for (column, value) in [
            ("a.state", self.state.map(|s| s.as_str())),
            ("a.kind", self.kind.map(|k| k.as_str())),
            ("a.waiting_for", self.waiting_for.map(|s| s.as_str())),
        ] {
            if let Some(value) = value {
                values.push(value);
                conditions.push(format!("{column} = ${}", values.len()));
            }
        }
        (conditions, values)
    }
}

/// One page of the applications within `bounds` that pass the filter, in `order`.
pub async fn list(
    db: impl Executor<'_>,
    bounds: &Bounds,
    filter: &Filter,
    order: Order,
    page: &Page,
) -> Result<Vec<ApplicationRow>, sqlx::Error> {
    let (mut conditions, values) = filter.conditions();
    let n = values.len();
    let within = bounds.condition(&BOUNDS, n + 3);
    conditions.push(format!("({within})"));
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY {} LIMIT ${} OFFSET ${}",
        conditions.join(" AND "),
        order.sql("a.id"),
        n + 1,
        n + 2
    );
    let (limit, offset) = page.limit_offset();
    let mut query = sqlx::query_as(&sql);
    for value in values {
        query = query.bind(value);
    }
    within.bind(query.bind(limit).bind(offset)).fetch_all(db).await
}

/// How many applications within `bounds` pass the filter.
pub async fn count(db: impl Executor<'_>, bounds: &Bounds, filter: &Filter) -> Result<i64, sqlx::Error> {
    let (mut conditions, values) = filter.conditions();
    let within = bounds.condition(&BOUNDS, values.len() + 1);
    conditions.push(format!("({within})"));
    let sql = format!(
        "SELECT COUNT(*) FROM applications a JOIN enterprises e ON e.id = a.enterprise_id WHERE {}",
        conditions.join(" AND ")
    );
    let mut query = sqlx::query_scalar(&sql);
    for value in values {
        query = query.bind(value);
    }
    within.bind(query).fetch_one(db).await
}

/// Moves an application from step `from` to the next step, which `waiting_for` acts at; false
/// when it is no longer waiting at `from` (someone acted first).
pub async fn advance(
    conn: &mut Conn,
    id: &ApplicationId,
    from: i64,
    waiting_for: Step,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE applications SET step = step + 1, waiting_for = $1, updated_at = $2 \
         WHERE id = $3 AND state = 'in_progress' AND step = $4",
    )
    .bind(waiting_for)
    .bind(now)
    .bind(id)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends an application waiting at step `from` in `state`; false when it is no longer waiting
/// there.
pub async fn finish(
    conn: &mut Conn,
    id: &ApplicationId,
    from: i64,
    state: ApplicationState,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE applications SET state = $1, waiting_for = NULL, updated_at = $2, decided_at = $2 \
         WHERE id = $3 AND state = 'in_progress' AND step = $4",
    )
    .bind(state)
    .bind(now)
    .bind(id)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An act on an application.
pub struct NewEvent<'a> {
    pub step: i64,
    pub action: Action,
    pub actor_kind: &'a str,
    pub actor_id: &'a str,
    pub opinion: Option<&'a str>,
    pub original_checked: bool,
}

pub async fn add_event(conn: &mut Conn, id: &ApplicationId, event: &NewEvent<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO application_events (id, application_id, step, action, actor_kind, actor_id, opinion, original_checked, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(ApplicationEventId::new())
    .bind(id)
    .bind(event.step)
    .bind(event.action)
    .bind(event.actor_kind)
    .bind(event.actor_id)
    .bind(event.opinion)
    .bind(i64::from(event.original_checked))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(FromRow, Debug, Clone)]
pub struct EventRow {
    pub step: i64,
    pub action: Action,
    pub actor_kind: String,
    pub opinion: Option<String>,
    pub original_checked: i64,
    pub at: i64,
}

/// An application's acts, oldest first.
pub async fn events(db: impl Executor<'_>, id: &ApplicationId) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT step, action, actor_kind, opinion, original_checked, at FROM application_events \
         WHERE application_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

/// Whether the applicant has an application in progress.
pub async fn in_progress(db: impl Executor<'_>, applicant: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM applications WHERE applicant = $1 AND state = 'in_progress'")
        .bind(applicant)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// When the person's latest application of `kind` was approved (Unix ms).
pub async fn last_approved(
    db: impl Executor<'_>,
    person_id: &PersonId,
    kind: ApplicationKind,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MAX(decided_at) FROM applications WHERE person_id = $1 AND kind = $2 AND state = 'approved'",
    )
    .bind(person_id)
    .bind(kind)
    .fetch_one(db)
    .await
}

/// Projects under construction (no completion date) whose project manager is the holder.
pub async fn ongoing_projects(db: impl Executor<'_>, holder_hash: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM projects WHERE manager_holder_hash = $1 AND completed_on IS NULL")
        .bind(holder_hash)
        .fetch_one(db)
        .await
}

/// A published cancellation (the public list, 注销公告).
#[derive(FromRow, Debug, Clone)]
pub struct CancellationRow {
    pub certificate_id: CertificateId,
    pub kind: crate::certificates::kinds::Kind,
    pub category: String,
    pub number: String,
    pub holder_name_sealed: String,
    pub enterprise_name: String,
    pub detail: String,
    pub decided_at: i64,
}

/// Approved cancellations, newest first.
pub async fn cancellations(db: impl Executor<'_>, page: &Page) -> Result<Vec<CancellationRow>, sqlx::Error> {
    let (limit, offset) = page.limit_offset();
    sqlx::query_as(
        "SELECT c.id AS certificate_id, c.kind, c.category, c.number, c.holder_name_sealed, c.enterprise_name, \
         a.detail, a.decided_at FROM applications a JOIN certificates c ON c.id = a.certificate_id \
         WHERE a.kind = 'cancellation' AND a.state = 'approved' ORDER BY a.decided_at DESC, a.id DESC LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// The applications within `bounds` waiting at a `step` of staff, oldest first, for the staff
/// inbox: each names its enterprise, and the service and certificate by name.
pub async fn awaiting(
    conn: &mut Conn,
    bounds: &Bounds,
    step: Step,
) -> Result<Vec<crate::notify::awaiting::Row>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    let waiting = format!("a.waiting_for = $1 AND {within}");
    let sql = crate::notify::awaiting::counted_queue(
        "a.id AS target_id, e.id AS enterprise_id, e.name AS enterprise_name, \
         a.kind || ' ' || COALESCE(c.number, '') AS subject, a.updated_at AS since",
        &format!(
            "FROM applications a JOIN enterprises e ON e.id = a.enterprise_id \
             LEFT JOIN certificates c ON c.id = a.certificate_id WHERE {waiting}"
        ),
        &format!("FROM applications a WHERE {waiting}"),
        "a.updated_at, a.id",
    );
    let mut rows: Vec<crate::notify::awaiting::Row> = within
        .bind(sqlx::query_as(&sql).bind(step))
        .fetch_all(&mut *conn)
        .await?;
    for row in &mut rows {
        let (kind, number) = row.subject.split_once(' ').unwrap_or((&row.subject, ""));
        let label = ApplicationKind::parse(kind).map_or("", |k| k.label().0);
        row.subject = format!("{label} {number}").trim().to_owned();
    }
    Ok(rows)
}
