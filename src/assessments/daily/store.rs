//! Daily assessment SQL. Reads are confined to the caller's `Bounds`, by the enterprise's.

use serde::Serialize;
use utoipa::ToSchema;

use crate::assessments::rules::State;
use crate::assessments::store::lifecycle::DAILY_EVENTS;
use crate::auth::{Bounds, Columns, Key};
use crate::platform::db::{Conn, Executor};
use crate::platform::ids::{DailyEventId, DocumentId, EnterpriseId, ProjectId};
use crate::platform::paging::Page;
use crate::platform::sorting;

/// An event type and its point value.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct EventType {
    pub code: String,
    /// bonus | deduction
    pub category: String,
    pub name: String,
    /// Added to the final score: positive for bonuses, negative for deductions.
    pub points: f64,
    pub updated_by: Option<String>,
    pub updated_at: i64,
}

pub async fn event_types(db: impl Executor<'_>) -> Result<Vec<EventType>, sqlx::Error> {
    sqlx::query_as("SELECT code, category, name, points, updated_by, updated_at FROM daily_event_types ORDER BY category, points DESC, code")
        .fetch_all(db)
        .await
}

pub async fn set_points(
    db: impl Executor<'_>,
    code: &str,
    name: Option<&str>,
    points: f64,
    by: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE daily_event_types SET name = COALESCE($1, name), points = $2, updated_by = $3, updated_at = $4 WHERE code = $5",
    )
    .bind(name)
    .bind(points)
    .bind(by)
    .bind(now)
    .bind(code)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

const COLUMNS: &str = "x.id, x.enterprise_id, e.name AS enterprise_name, e.district_code, x.project_id, \
    p.name AS project_name, x.type_code, t.category, t.name AS type_name, t.points AS current_points, x.points, \
    x.occurred_on, x.description, x.state, x.reported_by, x.created_at, x.updated_at";
const FROM: &str = "FROM daily_events x JOIN enterprises e ON e.id = x.enterprise_id \
    JOIN daily_event_types t ON t.code = x.type_code LEFT JOIN projects p ON p.id = x.project_id \
    WHERE x.state <> 'deleted'";

/// Where daily events keep the bounds: the enterprise concerned and its district.
const BOUNDS: Columns = Columns {
    enterprise: Some(Key::Column("x.enterprise_id")),
    district: Some(Key::Column("e.district_code")),
    ..Columns::NONE
};

/// A daily assessment event as shown.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct EventRow {
    #[schema(value_type = String)]
    pub id: DailyEventId,
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    pub district_code: String,
    #[schema(value_type = Option<String>)]
    pub project_id: Option<ProjectId>,
    pub project_name: Option<String>,
    pub type_code: String,
    /// bonus | deduction
    pub category: String,
    pub type_name: String,
    /// The type's value today.
    pub current_points: f64,
    /// The value the event counts with, fixed when it was passed.
    pub points: Option<f64>,
    pub occurred_on: String,
    pub description: String,
    /// submitted | approved | returned
    #[schema(value_type = State)]
    pub state: State,
    pub reported_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl EventRow {
    pub fn state(&self) -> State {
        self.state
    }
}

pub async fn get(db: impl Executor<'_>, id: &DailyEventId, bounds: &Bounds) -> Result<Option<EventRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    within
        .bind(sqlx::query_as(&format!("SELECT {COLUMNS} {FROM} AND x.id = $1 AND {within}")).bind(id))
        .fetch_optional(db)
        .await
}

#[derive(Default)]
pub struct Filter {
    pub enterprise: Option<EnterpriseId>,
    pub state: Option<String>,
    pub category: Option<String>,
    pub year: Option<String>,
}

/// What the list of events can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EventSort {
    /// The day it occurred.
    #[default]
    Occurred,
    Enterprise,
    Category,
    State,
}

impl sorting::SortKey for EventSort {
    const ALL: &'static [EventSort] = &[
        EventSort::Occurred,
        EventSort::Enterprise,
        EventSort::Category,
        EventSort::State,
    ];

    fn as_str(self) -> &'static str {
        match self {
            EventSort::Occurred => "occurred",
            EventSort::Enterprise => "enterprise",
            EventSort::Category => "category",
            EventSort::State => "state",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            EventSort::Occurred => &["x.occurred_on"],
            EventSort::Enterprise => &["e.name", "x.occurred_on"],
            EventSort::Category => &["t.category", "x.occurred_on"],
            EventSort::State => &["x.state", "x.occurred_on"],
        }
    }
}

pub type EventOrder = sorting::Order<EventSort>;

/// The API's order: the latest event first.
pub const LATEST_FIRST: EventOrder = sorting::Order {
    key: EventSort::Occurred,
    descending: true,
};

const FILTERED: &str = "AND ($1 IS NULL OR x.enterprise_id = $1) AND ($2 IS NULL OR x.state = $2) \
    AND ($3 IS NULL OR t.category = $3) AND ($4 IS NULL OR substr(x.occurred_on, 1, 4) = $4)";

/// One page of the events within `bounds` that `filter` selects, in `order`.
pub async fn list(
    db: impl Executor<'_>,
    bounds: &Bounds,
    filter: &Filter,
    order: EventOrder,
    page: &Page,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let (limit, offset) = page.limit_offset();
    let within = bounds.condition(&BOUNDS, 7);
    let sql = format!(
        "SELECT {COLUMNS} {FROM} {FILTERED} AND {within} ORDER BY {} LIMIT $5 OFFSET $6",
        order.sql("x.id")
    );
    within
        .bind(
            sqlx::query_as(&sql)
                .bind(filter.enterprise.as_deref())
                .bind(filter.state.as_deref())
                .bind(filter.category.as_deref())
                .bind(filter.year.as_deref())
                .bind(limit)
                .bind(offset),
        )
        .fetch_all(db)
        .await
}

/// How many events within `bounds` `filter` selects.
pub async fn count(db: impl Executor<'_>, bounds: &Bounds, filter: &Filter) -> Result<i64, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 5);
    let sql = format!("SELECT COUNT(*) {FROM} {FILTERED} AND {within}");
    within
        .bind(
            sqlx::query_scalar(&sql)
                .bind(filter.enterprise.as_deref())
                .bind(filter.state.as_deref())
                .bind(filter.category.as_deref())
                .bind(filter.year.as_deref()),
        )
        .fetch_one(db)
        .await
}

pub struct NewEvent<'a> {
    pub enterprise_id: &'a EnterpriseId,
    pub project_id: Option<&'a ProjectId>,
    pub type_code: &'a str,
    pub occurred_on: &'a str,
    pub description: &'a str,
    pub documents: &'a [DocumentId],
}

pub async fn insert(conn: &mut Conn, e: &NewEvent<'_>, by: &str, now: i64) -> Result<DailyEventId, sqlx::Error> {
    let id = DailyEventId::new();
    sqlx::query(
        "INSERT INTO daily_events (id, enterprise_id, project_id, type_code, occurred_on, description, state, reported_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $8)",
    )
    .bind(&id)
    .bind(e.enterprise_id)
    .bind(e.project_id)
    .bind(e.type_code)
    .bind(e.occurred_on)
    .bind(e.description)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    link_documents(&mut *conn, &id, e.documents).await?;
    DAILY_EVENTS
        .record(&mut *conn, &id, "new", State::Submitted, by, None, now)
        .await?;
    Ok(id)
}

/// Links the evidence and locks it: an event is read-only once reported.
async fn link_documents(conn: &mut Conn, id: &DailyEventId, documents: &[DocumentId]) -> Result<(), sqlx::Error> {
    for document in documents {
        sqlx::query("INSERT INTO daily_event_documents (event_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(document)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE documents SET attached_kind = 'daily_event', attached_id = $1, state = 'locked' WHERE id = $2",
        )
        .bind(id)
        .bind(document)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn documents(db: impl Executor<'_>, id: &DailyEventId) -> Result<Vec<DocumentId>, sqlx::Error> {
    sqlx::query_scalar("SELECT document_id FROM daily_event_documents WHERE event_id = $1 ORDER BY document_id")
        .bind(id)
        .fetch_all(db)
        .await
}

/// Passes (fixing the event's points at the type's current value) or returns an event.
pub async fn review(
    conn: &mut Conn,
    row: &EventRow,
    to: State,
    opinion: &str,
    by: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    if !DAILY_EVENTS
        .advance(&mut *conn, &row.id, row.state, to, by, Some(opinion), now)
        .await?
    {
        return Ok(false);
    }
    if to == State::Approved {
        sqlx::query(
            "UPDATE daily_events SET points = (SELECT points FROM daily_event_types WHERE code = $1) WHERE id = $2",
        )
        .bind(&row.type_code)
        .bind(&row.id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// The reporter corrects a returned event and reports it again.
pub async fn resubmit(
    conn: &mut Conn,
    row: &EventRow,
    e: &NewEvent<'_>,
    by: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    if !DAILY_EVENTS
        .advance(&mut *conn, &row.id, row.state, State::Submitted, by, None, now)
        .await?
    {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE daily_events SET project_id = $1, type_code = $2, occurred_on = $3, description = $4 WHERE id = $5",
    )
    .bind(e.project_id)
    .bind(e.type_code)
    .bind(e.occurred_on)
    .bind(e.description)
    .bind(&row.id)
    .execute(&mut *conn)
    .await?;
    link_documents(conn, &row.id, e.documents).await?;
    Ok(true)
}

/// The sum of an enterprise's passed event points in a year, and per project, for the
/// enterprises (with `projects`, the projects) `among` selects.
pub async fn approved_points(
    db: impl Executor<'_>,
    year: &str,
    among: &crate::assessments::results::store::Among<'_>,
    projects: bool,
) -> Result<Vec<(String, Option<String>, f64)>, sqlx::Error> {
    let column = if projects { "project_id" } else { "enterprise_id" };
    let (among, params) = among.condition(column, projects, 2);
    let sql = format!(
        "SELECT enterprise_id, project_id, SUM(points) FROM daily_events WHERE state = 'approved' \
         AND substr(occurred_on, 1, 4) = $1 AND {among} GROUP BY enterprise_id, project_id"
    );
    let mut query = sqlx::query_as(&sql).bind(year);
    for p in params {
        query = query.bind(p);
    }
    query.fetch_all(db).await
}

/// The daily assessment events within `bounds` submitted for review and not reported by
/// `reviewer` (no one reviews their own report), oldest first, for the staff inbox
/// (`notify::awaiting`): each names its enterprise, event type and date.
pub async fn awaiting_review(
    conn: &mut Conn,
    bounds: &Bounds,
    reviewer: &str,
) -> Result<Vec<crate::notify::awaiting::Row>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    let sql = crate::notify::awaiting::queue(
        "x.id AS target_id, e.id AS enterprise_id, e.name AS enterprise_name, \
         t.name || '（' || x.occurred_on || '）' AS subject, x.updated_at AS since",
        &format!(
            "FROM daily_events x JOIN enterprises e ON e.id = x.enterprise_id JOIN daily_event_types t ON t.code = x.type_code \
             WHERE x.state = 'submitted' AND x.reported_by <> $1 AND {within}"
        ),
        "x.updated_at, x.id",
    );
    within
        .bind(sqlx::query_as(&sql).bind(reviewer))
        .fetch_all(&mut *conn)
        .await
}
