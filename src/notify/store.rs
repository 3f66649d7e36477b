//! Notifications SQL: the outbox rows, read by their recipient and by the delivery of SMS and
//! WeChat messages; the installed WeChat templates.

use serde::Serialize;
use utoipa::ToSchema;

use crate::platform::db::{Conn, Executor};
use crate::platform::ids::NotificationId;

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

pub async fn insert(db: impl Executor<'_>, n: &NewNotification<'_>, now: i64) -> Result<NotificationId, sqlx::Error> {
    let id = NotificationId::new();
    sqlx::query(
        "INSERT INTO notifications (id, channel, recipient_kind, recipient_id, kind, params, state, attempts, next_attempt_at, \
         created_at, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8, $9)",
    )
    .bind(&id)
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
    Ok(id)
}

/// Writes the WeChat copy of a person's inbox notice, pending, when a template is installed
/// for its kind (`wechat_templates`); nothing otherwise.
pub async fn insert_wechat_copy(db: impl Executor<'_>, inbox: &NotificationId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notifications (id, channel, recipient_kind, recipient_id, kind, params, state, attempts, next_attempt_at, \
         created_at, copy_of) SELECT $1, 'wechat', n.recipient_kind, n.recipient_id, n.kind, n.params, 'pending', 0, $2, $2, n.id \
         FROM notifications n JOIN wechat_templates t ON t.kind = n.kind WHERE n.id = $3 AND n.recipient_kind = 'person'",
    )
    .bind(NotificationId::new())
    .bind(now)
    .bind(inbox)
    .execute(db)
    .await?;
    Ok(())
}

/// Makes the installed templates the given (kind, template id) pairs.
pub async fn install_templates(conn: &mut Conn, templates: &[(&str, &str)], now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM wechat_templates").execute(&mut *conn).await?;
    for (kind, template_id) in templates {
        sqlx::query("INSERT INTO wechat_templates (kind, template_id, installed_at) VALUES ($1, $2, $3)")
            .bind(kind)
            .bind(template_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
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
    /// What the notice says, in the language asked for (`Accept-Language`).
    #[sqlx(default)]
    pub title: String,
    /// Its detail, naming the enterprise, qualification, period or position.
    #[sqlx(default)]
    pub body: String,
    /// The notice's details as JSON text (with the ids of what it is about, for links).
    pub params: String,
    /// pending | delivered | failed
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    pub read_at: Option<i64>,
}

/// A recipient's notifications, newest first; a person's WeChat copies are not listed (their
/// inbox notices are).
pub async fn list_for(
    db: impl Executor<'_>,
    recipient_kind: &str,
    recipient_id: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<NotificationView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, channel, kind, params, state, attempts, last_error, created_at, delivered_at, read_at FROM notifications \
         WHERE recipient_kind = $1 AND recipient_id = $2 AND channel <> 'wechat' ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
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

/// A notice due for an attempt: an SMS with its enterprise's contact phone, or a WeChat
/// message with its person's openid.
#[derive(sqlx::FromRow)]
pub struct Due {
    pub id: NotificationId,
    /// sms | wechat
    pub channel: String,
    pub kind: String,
    pub params: String,
    pub recipient_id: String,
    /// Sealed (`enterprises::open_phone`); an SMS's.
    pub contact_phone: Option<String>,
    /// A WeChat message's.
    pub openid: Option<String>,
    /// The inbox notice a WeChat message copies.
    pub copy_of: Option<String>,
    pub created_at: i64,
    pub attempts: i64,
    /// As read: the compare-and-set of `claim` expects it unchanged.
    pub next_attempt_at: i64,
}

/// SMS and WeChat notices due at `now`, oldest due first, at most 100.
/// The notifications waiting to be sent (SMS, WeChat), and when the one due longest ago fell
/// due (Unix ms).
pub async fn backlog(db: impl Executor<'_>) -> Result<(i64, Option<i64>), sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*), MIN(next_attempt_at) FROM notifications \
         WHERE state = 'pending' AND channel IN ('sms', 'wechat')",
    )
    .fetch_one(db)
    .await
}

pub async fn due(db: impl Executor<'_>, now: i64) -> Result<Vec<Due>, sqlx::Error> {
    sqlx::query_as(
        "SELECT n.id, n.channel, n.kind, n.params, n.recipient_id, e.contact_phone, p.openid, n.copy_of, n.created_at, \
         n.attempts, n.next_attempt_at FROM notifications n \
         LEFT JOIN enterprises e ON n.recipient_kind = 'enterprise' AND e.id = n.recipient_id \
         LEFT JOIN people p ON n.recipient_kind = 'person' AND p.id = n.recipient_id \
         WHERE n.channel IN ('sms', 'wechat') AND n.state = 'pending' AND n.next_attempt_at <= $1 \
         ORDER BY n.next_attempt_at LIMIT 100",
    )
    .bind(now)
    .fetch_all(db)
    .await
}

/// Claims a due notice for one attempt (compare-and-set on `next_attempt_at` as it was read):
/// it is not due again until `claimed_until`, so no other instance sends it meanwhile; false
/// when another instance claimed it (or it was recorded) since it was read.
pub async fn claim(db: impl Executor<'_>, due: &Due, claimed_until: i64) -> Result<bool, sqlx::Error> {
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
