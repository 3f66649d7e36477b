//! Self-assessments listed within the caller's bounds: filtered, sorted, paged and counted in
//! SQL, for the API's `GET /assessments` and the console's review queue.

use super::{AssessmentRow, BOUNDS, SELECT};
use crate::auth::Bounds;
use crate::platform::db::Executor;
use crate::platform::paging::Page;
use crate::platform::sorting;

/// Which self-assessments to list. Empty filters select everything.
#[derive(Default)]
pub struct Filter {
    pub kind: Option<String>,
    pub state: Option<String>,
    pub period: Option<String>,
    pub district: Option<String>,
}

/// What the list can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// The last change: oldest first is the order a queue is worked in.
    #[default]
    Updated,
    Enterprise,
    District,
    Period,
    State,
}

impl sorting::SortKey for SortKey {
    const ALL: &'static [SortKey] = &[
        SortKey::Updated,
        SortKey::Enterprise,
        SortKey::District,
        SortKey::Period,
        SortKey::State,
    ];

    fn as_str(self) -> &'static str {
        match self {
            SortKey::Updated => "updated",
            SortKey::Enterprise => "enterprise",
            SortKey::District => "district",
            SortKey::Period => "period",
            SortKey::State => "state",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            SortKey::Updated => &["a.updated_at"],
            SortKey::Enterprise => &["e.name", "a.updated_at"],
            SortKey::District => &["e.district_code", "a.updated_at"],
            SortKey::Period => &["a.period", "a.updated_at"],
            SortKey::State => &["a.state", "a.updated_at"],
        }
    }
}

pub type Order = sorting::Order<SortKey>;

/// The API's order: the most recently changed first.
pub const NEWEST_FIRST: Order = Order {
    key: SortKey::Updated,
    descending: true,
};

const FILTERED: &str = "AND ($1 IS NULL OR a.kind = $1) AND ($2 IS NULL OR a.state = $2) \
    AND ($3 IS NULL OR a.period = $3) AND ($4 IS NULL OR e.district_code = $4)";

/// One page of the self-assessments within `bounds` that `filter` selects, in `order`.
pub async fn list(
    db: impl Executor<'_>,
    bounds: &Bounds,
    filter: &Filter,
    order: Order,
    page: &Page,
) -> Result<Vec<AssessmentRow>, sqlx::Error> {
    let (limit, offset) = page.limit_offset();
    let within = bounds.condition(&BOUNDS, 7);
    let sql = format!(
        "{SELECT} {FILTERED} AND {within} ORDER BY {} LIMIT $5 OFFSET $6",
        order.sql("a.id")
    );
    within
        .bind(
            sqlx::query_as(&sql)
                .bind(filter.kind.as_deref())
                .bind(filter.state.as_deref())
                .bind(filter.period.as_deref())
                .bind(filter.district.as_deref())
                .bind(limit)
                .bind(offset),
        )
        .fetch_all(db)
        .await
}

/// How many self-assessments within `bounds` `filter` selects.
pub async fn count(db: impl Executor<'_>, bounds: &Bounds, filter: &Filter) -> Result<i64, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 5);
    let sql = format!(
        "SELECT COUNT(*) FROM assessments a JOIN enterprises e ON e.id = a.enterprise_id \
         WHERE a.state <> 'deleted' {FILTERED} AND {within}"
    );
    within
        .bind(
            sqlx::query_scalar(&sql)
                .bind(filter.kind.as_deref())
                .bind(filter.state.as_deref())
                .bind(filter.period.as_deref())
                .bind(filter.district.as_deref()),
        )
        .fetch_one(db)
        .await
}
