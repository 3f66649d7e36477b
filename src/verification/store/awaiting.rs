//! What of verification awaits staff, for the staff inbox (`notify::awaiting`): tasks whose
//! selection or replacement awaits review, and check-ins flagged or appealed.

use super::decisions::{WAITING, WAITING_BOUNDS};
use super::BOUNDS;
use crate::auth::Bounds;
use crate::notify::awaiting::{counted_queue, queue, Row, LISTED};
use crate::platform::db::Conn;

/// The tasks in `state` (selection_submitted | replacement_submitted) within `bounds`, oldest
/// first, each naming its enterprise and qualification.
pub async fn awaiting_review(conn: &mut Conn, bounds: &Bounds, state: &str) -> Result<Vec<Row>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    let sql = queue(
        "t.id AS target_id, e.id AS enterprise_id, e.name AS enterprise_name, q.category || q.grade AS subject, \
         t.updated_at AS since",
        &format!(
            "FROM verification_tasks t JOIN enterprises e ON e.id = t.enterprise_id \
             JOIN enterprise_qualifications q ON q.id = t.qualification_id WHERE t.state = $1 AND {within}"
        ),
        "t.updated_at, t.id",
    );
    within
        .bind(sqlx::query_as(&sql).bind(state))
        .fetch_all(&mut *conn)
        .await
}

/// The check-ins within `bounds` waiting for staff (flagged, or refused and appealed with no
/// decision yet), oldest first. The first page is chosen among the waiting attempts alone and
/// only then joined to name its tasks; the whole number is counted from the attempts alone.
pub async fn awaiting_check_ins(conn: &mut Conn, bounds: &Bounds) -> Result<Vec<Row>, sqlx::Error> {
    let within = bounds.condition(&WAITING_BOUNDS, 1);
    let waiting = format!("FROM ({WAITING}) a WHERE {within}");
    let sql = counted_queue(
        "a.id AS target_id, e.id AS enterprise_id, e.name AS enterprise_name, q.category || q.grade AS subject, a.at AS since",
        &format!(
            "FROM (SELECT a.* {waiting} ORDER BY a.at, a.id LIMIT {LISTED}) a \
             JOIN verification_tasks t ON t.id = a.task_id \
             JOIN enterprises e ON e.id = t.enterprise_id JOIN enterprise_qualifications q ON q.id = t.qualification_id"
        ),
        &waiting,
        "a.at, a.id",
    );
    within.bind(sqlx::query_as(&sql)).fetch_all(&mut *conn).await
}
