//! Verification tasks listed within the caller's bounds: filtered, sorted, paged and counted in
//! SQL, for the API's `GET /verification/tasks` and the console's task table.

use super::{TaskRow, BOUNDS, TASK_SELECT};
use crate::auth::Bounds;
use crate::platform::db::Executor;
use crate::platform::sorting::{self, Order};
use crate::verification::rules::TaskState;

/// Which tasks to list; empty filters select everything.
#[derive(Default)]
pub struct TaskFilter<'a> {
    pub enterprise: Option<&'a str>,
    pub state: Option<TaskState>,
}

/// What the task list can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaskSort {
    /// The deadline to start checking in: the most urgent first.
    #[default]
    Deadline,
    Enterprise,
    State,
    Opened,
}

impl sorting::SortKey for TaskSort {
    const ALL: &'static [TaskSort] = &[
        TaskSort::Deadline,
        TaskSort::Enterprise,
        TaskSort::State,
        TaskSort::Opened,
    ];

    fn as_str(self) -> &'static str {
        match self {
            TaskSort::Deadline => "deadline",
            TaskSort::Enterprise => "enterprise",
            TaskSort::State => "state",
            TaskSort::Opened => "opened",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            TaskSort::Deadline => &["t.start_deadline", "t.opened_at"],
            TaskSort::Enterprise => &["e.name", "t.opened_at"],
            TaskSort::State => &["t.state", "t.opened_at"],
            TaskSort::Opened => &["t.opened_at"],
        }
    }
}

pub type TaskOrder = Order<TaskSort>;

/// The API's order: the most recently opened first.
pub const NEWEST_OPENED: TaskOrder = Order {
    key: TaskSort::Opened,
    descending: true,
};

const FILTERED: &str = "WHERE ($1 IS NULL OR t.enterprise_id = $1) AND ($2 IS NULL OR t.state = $2)";

/// One page of the tasks within `bounds` that `filter` selects, in `order`.
pub async fn list_tasks(
    db: impl Executor<'_>,
    bounds: &Bounds,
    filter: &TaskFilter<'_>,
    order: TaskOrder,
    limit: i64,
    offset: i64,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 5);
    let sql = format!(
        "{TASK_SELECT} {FILTERED} AND {within} ORDER BY {} LIMIT $3 OFFSET $4",
        order.sql("t.id")
    );
    within
        .bind(
            sqlx::query_as(&sql)
                .bind(filter.enterprise)
                .bind(filter.state.map(TaskState::as_str))
                .bind(limit)
                .bind(offset),
        )
        .fetch_all(db)
        .await
}

/// How many tasks within `bounds` `filter` selects.
pub async fn count_tasks(db: impl Executor<'_>, bounds: &Bounds, filter: &TaskFilter<'_>) -> Result<i64, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 3);
    let sql = format!(
        "SELECT COUNT(*) FROM verification_tasks t JOIN enterprises e ON e.id = t.enterprise_id {FILTERED} AND {within}"
    );
    within
        .bind(
            sqlx::query_scalar(&sql)
                .bind(filter.enterprise)
                .bind(filter.state.map(TaskState::as_str)),
        )
        .fetch_one(db)
        .await
}
