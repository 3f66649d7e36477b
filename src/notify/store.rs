//! Notifications SQL: the outbox rows, read by their recipient and by the SMS delivery.

use serde::Serialize;
use utoipa::ToSchema;

use crate::platform::db::Executor;
use crate::platform::ids::{EnterpriseId, NotificationId};

/// A notification row as it is inserted.
pub struct NewNotification<'a> {
    /// inbox | sms
    pub channel: &'a str,
    /// person | enterprise
    pub recipient_kind: &'a str,
    pub recipient_id: &'a str,
    pub kind: &'a str,
    pub params: String,
    /// delivered (inbox) | pending (sms)
    pub state: &'a str,
}

pub async fn insert(db: impl Executor<'_>, n: &NewNotification<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notifications (id, channel, recipient_kind, recipient_id, kind, params, state, attempts, next_attempt_at, \
         created_at, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8, $9)",
    )
    .bind(NotificationId::new())
    .bind(n.channel)
    .bind(n.recipient_kind)
    .bind(n.recipient_id)
    .bind(n.kind)
    .bind(&n.params)
    .bind(n.state)
    .bind(now)
    .bind((n.state == "delivered").then_some(now))
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct NotificationView {
    #[schema(value_type = String)]
    pub id: NotificationId,
    /// inbox | sms
    pub channel: String,
    /// e.g. `employment.requested`
    pub kind: String,
    /// The notice's details as JSON text.
    pub params: String,
    /// pending | delivered | failed
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    pub read_at: Option<i64>,
}

/// A recipient's notifications, newest first.
pub async fn list_for(
    db: impl Executor<'_>,
    recipient_kind: &str,
    recipient_id: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<NotificationView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, channel, kind, params, state, attempts, last_error, created_at, delivered_at, read_at FROM notifications \
         WHERE recipient_kind = $1 AND recipient_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
    )
    .bind(recipient_kind)
    .bind(recipient_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// Marks the recipient's notification read (keeping the first reading time); false if it is
/// not theirs.
pub async fn mark_read(
    db: impl Executor<'_>,
    id: &NotificationId,
    recipient_kind: &str,
    recipient_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND recipient_kind = $3 AND recipient_id = $4",
    )
    .bind(now)
    .bind(id)
    .bind(recipient_kind)
    .bind(recipient_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An SMS notice due for an attempt, with its enterprise's contact phone.
#[derive(sqlx::FromRow)]
pub struct DueSms {
    pub id: NotificationId,
    pub kind: String,
    pub params: String,
    pub enterprise_id: EnterpriseId,
    /// Sealed (`enterprises::open_phone`).
    pub contact_phone: String,
    pub attempts: i64,
    /// As read: the compare-and-set of `claim` expects it unchanged.
    pub next_attempt_at: i64,
}

/// SMS notices due at `now`, oldest due first, at most 100.
pub async fn due_sms(db: impl Executor<'_>, now: i64) -> Result<Vec<DueSms>, sqlx::Error> {
    sqlx::query_as(
        "SELECT n.id, n.kind, n.params, e.id AS enterprise_id, e.contact_phone, n.attempts, n.next_attempt_at FROM notifications n \
         JOIN enterprises e ON n.recipient_kind = 'enterprise' AND e.id = n.recipient_id \
         WHERE n.channel = 'sms' AND n.state = 'pending' AND n.next_attempt_at <= $1 ORDER BY n.next_attempt_at LIMIT 100",
    )
    .bind(now)
    .fetch_all(db)
    .await
}

/// Claims a due notice for one attempt (compare-and-set on `next_attempt_at` as it was read):
/// it is not due again until `claimed_until`, so no other instance sends it meanwhile; false
/// when another instance claimed it (or it was recorded) since it was read.
pub async fn claim(db: impl Executor<'_>, due: &DueSms, claimed_until: i64) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE notifications SET next_attempt_at = $1 WHERE id = $2 AND state = 'pending' AND next_attempt_at = $3",
    )
    .bind(claimed_until)
    .bind(&due.id)
    .bind(due.next_attempt_at)
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Records a successful attempt.
pub async fn delivered(db: impl Executor<'_>, id: &NotificationId, attempt: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE notifications SET state = 'delivered', attempts = $1, delivered_at = $2, last_error = NULL WHERE id = $3",
    )
    .bind(attempt)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt: retried at `next_attempt_at`, or given up (`failed`).
pub async fn attempt_failed(
    db: impl Executor<'_>,
    id: &NotificationId,
    attempt: i64,
    give_up: bool,
    next_attempt_at: i64,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE notifications SET state = $1, attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $5",
    )
    .bind(if give_up { "failed" } else { "pending" })
    .bind(attempt)
    .bind(next_attempt_at)
    .bind(error)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}
