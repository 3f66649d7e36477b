//! Project assessments listed within the caller's bounds: filtered, sorted, paged and counted
//! in SQL, for the API's `GET /project-assessments` and the city station's table.

use super::{ProjectAssessmentRow, BOUNDS, SELECT};
use crate::auth::Bounds;
use crate::platform::db::Executor;
use crate::platform::ids::ProjectId;
use crate::platform::paging::Page;
use crate::platform::sorting;

/// Which project assessments to list; empty filters select everything.
#[derive(Default)]
pub struct Filter {
    pub state: Option<String>,
    pub district: Option<String>,
    pub project: Option<ProjectId>,
    pub period: Option<String>,
}

/// What the list can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// The last change: oldest first is the order a queue is worked in.
    #[default]
    Updated,
    Project,
    Enterprise,
    District,
    Period,
    State,
}

impl sorting::SortKey for Sort {
    const ALL: &'static [Sort] = &[
        Sort::Updated,
        Sort::Project,
        Sort::Enterprise,
        Sort::District,
        Sort::Period,
        Sort::State,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Sort::Updated => "updated",
            Sort::Project => "project",
            Sort::Enterprise => "enterprise",
            Sort::District => "district",
            Sort::Period => "period",
            Sort::State => "state",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Sort::Updated => &["x.updated_at"],
            Sort::Project => &["p.name", "x.updated_at"],
            Sort::Enterprise => &["e.name", "x.updated_at"],
            Sort::District => &["x.district_code", "x.updated_at"],
            Sort::Period => &["x.period", "x.updated_at"],
            Sort::State => &["x.state", "x.updated_at"],
        }
    }
}

pub type Order = sorting::Order<Sort>;

/// The API's order: the most recently changed first.
pub const NEWEST_FIRST: Order = sorting::Order {
    key: Sort::Updated,
    descending: true,
};

const FILTERED: &str = "AND ($1 IS NULL OR x.state = $1) AND ($2 IS NULL OR x.district_code = $2) \
    AND ($3 IS NULL OR x.project_id = $3) AND ($4 IS NULL OR x.period = $4)";

/// One page of the project assessments within `bounds` that `filter` selects, in `order`.
pub async fn list(
    db: impl Executor<'_>,
    bounds: &Bounds,
    filter: &Filter,
    order: Order,
    page: &Page,
) -> Result<Vec<ProjectAssessmentRow>, sqlx::Error> {
    let (limit, offset) = page.limit_offset();
    let within = bounds.condition(&BOUNDS, 7);
    let sql = format!(
        "{SELECT} {FILTERED} AND {within} ORDER BY {} LIMIT $5 OFFSET $6",
        order.sql("x.id")
    );
    within
        .bind(
            sqlx::query_as(&sql)
                .bind(filter.state.as_deref())
                .bind(filter.district.as_deref())
                .bind(filter.project.as_deref())
                .bind(filter.period.as_deref())
                .bind(limit)
                .bind(offset),
        )
        .fetch_all(db)
        .await
}

/// How many project assessments within `bounds` `filter` selects.
pub async fn count(db: impl Executor<'_>, bounds: &Bounds, filter: &Filter) -> Result<i64, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 5);
    let sql = format!(
        "SELECT COUNT(*) FROM project_assessments x JOIN projects p ON p.id = x.project_id \
         WHERE x.state <> 'deleted' {FILTERED} AND {within}"
    );
    within
        .bind(
            sqlx::query_scalar(&sql)
                .bind(filter.state.as_deref())
                .bind(filter.district.as_deref())
                .bind(filter.project.as_deref())
                .bind(filter.period.as_deref()),
        )
        .fetch_one(db)
        .await
}
