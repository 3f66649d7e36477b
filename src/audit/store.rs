//! Audit SQL: appending to the chain inside the caller's transaction, and reading it back.

use sqlx::{AnyConnection, Row};

use super::chain::{link, Event, Keyring};
use crate::platform::db::Db;

/// Appends an event inside the caller's transaction, so the event commits with the change it
/// records or not at all. Bumping `audit_head` first takes the write lock on both engines, so
/// concurrent appenders line up instead of forking the chain.
pub async fn append(conn: &mut AnyConnection, keys: &Keyring, mut event: Event) -> Result<i64, sqlx::Error> {
    let (seq, prev_hash): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *conn)
            .await?;
    event.seq = seq;
    let hash = link(&keys.current, &prev_hash, &event);
    sqlx::query(
        "INSERT INTO audit_events (seq, at, request_id, actor_kind, actor_id, role, action, target, outcome, status, prev_hash, hash, key_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(event.seq)
    .bind(event.at)
    .bind(&event.request_id)
    .bind(&event.actor_kind)
    .bind(&event.actor_id)
    .bind(&event.role)
    .bind(&event.action)
    .bind(&event.target)
    .bind(&event.outcome)
    .bind(event.status)
    .bind(&prev_hash)
    .bind(&hash)
    .bind(&keys.current.id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

/// Appends an event in a transaction of its own (refusals and failures, which change nothing
/// else).
pub async fn append_alone(db: &Db, keys: &Keyring, event: Event) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let seq = append(&mut tx, keys, event).await?;
    tx.commit().await?;
    Ok(seq)
}

/// The head as the database holds it: the last sequence number, its link, and where the
/// unkeyed prefix ends.
pub struct Head {
    pub seq: i64,
    pub hash: String,
    pub unkeyed_until: i64,
}

pub async fn head(db: &Db) -> Result<Head, sqlx::Error> {
    let (seq, hash, unkeyed_until) = sqlx::query_as("SELECT seq, hash, unkeyed_until FROM audit_head WHERE id = 1")
        .fetch_one(db)
        .await?;
    Ok(Head {
        seq,
        hash,
        unkeyed_until,
    })
}

/// One stored row: the event, its links and the key that made its link.
pub struct StoredEvent {
    pub event: Event,
    pub prev_hash: String,
    pub hash: String,
    pub key_id: Option<String>,
}

/// Up to `limit` rows from `from_seq` on, in order.
pub async fn page(db: &Db, from_seq: i64, limit: i64) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, at, request_id, actor_kind, actor_id, role, action, target, outcome, status, prev_hash, hash, key_id \
         FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2",
    )
    .bind(from_seq)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter().map(stored_event).collect()
}

fn stored_event(row: &sqlx::any::AnyRow) -> Result<StoredEvent, sqlx::Error> {
    Ok(StoredEvent {
        event: Event {
            seq: row.try_get("seq")?,
            at: row.try_get("at")?,
            request_id: row.try_get("request_id")?,
            actor_kind: row.try_get("actor_kind")?,
            actor_id: row.try_get("actor_id")?,
            role: row.try_get("role")?,
            action: row.try_get("action")?,
            target: row.try_get("target")?,
            outcome: row.try_get("outcome")?,
            status: row.try_get("status")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
        key_id: row.try_get("key_id")?,
    })
}

/// Whether an event of this request, action and time is already in the chain.
pub async fn contains(db: &Db, event: &Event) -> Result<bool, sqlx::Error> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT seq FROM audit_events WHERE request_id = $1 AND action = $2 AND at = $3 AND outcome = $4",
    )
    .bind(&event.request_id)
    .bind(&event.action)
    .bind(event.at)
    .bind(&event.outcome)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}
