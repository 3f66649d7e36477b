//! The notification outbox: a notification is a row written next to the change it reports;
//! inbox messages are readable at once in the person's mini-program inbox, SMS messages are
//! sent by `deliver_due` with retries, each attempt recorded.

use serde_json::Value;

use crate::db::new_id;

/// Who a notification is for.
pub enum Recipient<'a> {
    /// A person's mini-program inbox.
    PersonInbox(&'a str),
    /// An enterprise's contact, by SMS.
    EnterpriseContact(&'a str),
}

/// Adds a notification; `executor` may be a transaction, so it commits with its change.
pub async fn enqueue<'e, E>(
    executor: E,
    recipient: Recipient<'_>,
    kind: &str,
    params: Value,
    now: i64,
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let (channel, recipient_kind, recipient_id, state) = match recipient {
        Recipient::PersonInbox(id) => ("inbox", "person", id, "delivered"),
        Recipient::EnterpriseContact(id) => ("sms", "enterprise", id, "pending"),
    };
    sqlx::query(
        "INSERT INTO notifications (id, channel, recipient_kind, recipient_id, kind, params, state, attempts, next_attempt_at, \
         created_at, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8, $9)",
    )
    .bind(new_id())
    .bind(channel)
    .bind(recipient_kind)
    .bind(recipient_id)
    .bind(kind)
    .bind(params.to_string())
    .bind(state)
    .bind(now)
    .bind((state == "delivered").then_some(now))
    .execute(executor)
    .await?;
    Ok(())
}
