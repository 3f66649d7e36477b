//! Appending to and verifying the audit chain.

use sqlx::Row;

use super::chain::{link_hash, Event, GENESIS};
use crate::db::Db;

/// Appends an event. Bumping `audit_head` first takes the write lock on both engines, so
/// concurrent appenders line up instead of forking the chain.
pub async fn append(db: &Db, mut event: Event) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let (seq, prev_hash): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
    event.seq = seq;
    let hash = link_hash(&prev_hash, &event);
    sqlx::query(
        "INSERT INTO audit_events (seq, at, request_id, actor_kind, actor_id, role, action, target, outcome, status, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

#[derive(Debug, PartialEq, Eq)]
pub enum VerifyReport {
    Intact {
        events: i64,
    },
    /// The first row that does not verify, and why.
    Broken {
        seq: i64,
        reason: &'static str,
    },
}

const PAGE: i64 = 1000;

/// Walks the whole chain in order and names the first row that does not verify.
pub async fn verify(db: &Db) -> Result<VerifyReport, sqlx::Error> {
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_owned();
    loop {
        let rows = sqlx::query(
            "SELECT seq, at, request_id, actor_kind, actor_id, role, action, target, outcome, status, prev_hash, hash \
             FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(expected_seq)
        .bind(PAGE)
        .fetch_all(db)
        .await?;
        let page_len = rows.len() as i64;
        for row in rows {
            let event = Event {
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
            };
            let stored_prev: String = row.try_get("prev_hash")?;
            let stored_hash: String = row.try_get("hash")?;
            if event.seq != expected_seq {
                return Ok(VerifyReport::Broken {
                    seq: expected_seq,
                    reason: "the row is missing",
                });
            }
            if stored_prev != prev_hash {
                return Ok(VerifyReport::Broken {
                    seq: event.seq,
                    reason: "its prev_hash is not the previous row's hash",
                });
            }
            if link_hash(&prev_hash, &event) != stored_hash {
                return Ok(VerifyReport::Broken {
                    seq: event.seq,
                    reason: "its contents no longer match its hash",
                });
            }
            prev_hash = stored_hash;
            expected_seq += 1;
        }
        if page_len < PAGE {
            break;
        }
    }
    let (head_seq, head_hash): (i64, String) = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(db)
        .await?;
    if head_seq != expected_seq - 1 || head_hash != prev_hash {
        return Ok(VerifyReport::Broken {
            seq: expected_seq,
            reason: "rows at the end of the chain are missing",
        });
    }
    Ok(VerifyReport::Intact {
        events: expected_seq - 1,
    })
}
