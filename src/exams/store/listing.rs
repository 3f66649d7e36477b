//! Exam registrations listed within the caller's bounds: by batch, sorted, paged and counted in
//! SQL, for the API's `GET /exam-registrations` and the staff console's table.

use super::{RegistrationRow, REGISTRATION_BOUNDS, REGISTRATION_SELECT};
use crate::auth::Bounds;
use crate::platform::db::Executor;
use crate::platform::ids::ExamBatchId;
use crate::platform::paging::Page;
use crate::platform::sorting;

/// What the list can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RegistrationSort {
    /// When it was registered: the oldest first is the order a desk works in.
    #[default]
    Registered,
    ExamDay,
    Enterprise,
    State,
}

impl sorting::SortKey for RegistrationSort {
    const ALL: &'static [RegistrationSort] = &[
        RegistrationSort::Registered,
        RegistrationSort::ExamDay,
        RegistrationSort::Enterprise,
        RegistrationSort::State,
    ];

    fn as_str(self) -> &'static str {
        match self {
            RegistrationSort::Registered => "registered",
            RegistrationSort::ExamDay => "exam_on",
            RegistrationSort::Enterprise => "enterprise",
            RegistrationSort::State => "state",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            RegistrationSort::Registered => &["r.created_at"],
            RegistrationSort::ExamDay => &["b.exam_on", "r.created_at"],
            RegistrationSort::Enterprise => &["e.name", "r.created_at"],
            RegistrationSort::State => &["r.state", "r.created_at"],
        }
    }
}

pub type RegistrationOrder = sorting::Order<RegistrationSort>;

/// The API's order: the newest first.
pub const NEWEST_FIRST: RegistrationOrder = sorting::Order {
    key: RegistrationSort::Registered,
    descending: true,
};

/// One page of the registrations within `bounds` (of `batch`, when given), in `order`.
pub async fn list_registrations(
    db: impl Executor<'_>,
    bounds: &Bounds,
    batch: Option<&ExamBatchId>,
    order: RegistrationOrder,
    page: &Page,
) -> Result<Vec<RegistrationRow>, sqlx::Error> {
    let (limit, offset) = page.limit_offset();
    let within = bounds.condition(&REGISTRATION_BOUNDS, 4);
    let sql = format!(
        "{REGISTRATION_SELECT} WHERE ($1 IS NULL OR r.batch_id = $1) AND {within} ORDER BY {} LIMIT $2 OFFSET $3",
        order.sql("r.id")
    );
    within
        .bind(sqlx::query_as(&sql).bind(batch).bind(limit).bind(offset))
        .fetch_all(db)
        .await
}

/// How many registrations within `bounds` (of `batch`, when given) there are.
pub async fn count_registrations(
    db: impl Executor<'_>,
    bounds: &Bounds,
    batch: Option<&ExamBatchId>,
) -> Result<i64, sqlx::Error> {
    let within = bounds.condition(&REGISTRATION_BOUNDS, 2);
    let sql = format!(
        "SELECT COUNT(*) FROM exam_registrations r JOIN exam_batches b ON b.id = r.batch_id \
         WHERE ($1 IS NULL OR r.batch_id = $1) AND {within}"
    );
    within.bind(sqlx::query_scalar(&sql).bind(batch)).fetch_one(db).await
}
