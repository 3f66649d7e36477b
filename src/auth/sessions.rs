//! Ended sessions, so that an access token stops working within seconds of its sign-out,
//! password change or reset, on every instance, without a database read per request.
//!
//! An access token names its session (`sid`: the refresh-token family). Each instance keeps
//! the sessions revoked within the last access-token lifetime in memory (a few thousand ids at
//! most: sign-outs of the last 15 minutes) and reads the newly revoked ones from
//! `refresh_tokens.revoked_at` (indexed) at most every `REFRESH_MS`, on the first request
//! after that time: one small indexed query per instance every two seconds, whatever the
//! request rate. A revocation made on this instance is read at its next request.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::platform::db::Db;

/// How stale the list may be: another instance's sign-out takes effect here within this.
pub const REFRESH_MS: i64 = 2_000;
/// Each read looks this far behind the newest revocation it saw, for transactions that
/// committed after a later one.
const OVERLAP_MS: i64 = 60_000;

#[derive(Default)]
struct Known {
    /// Session id → when it was revoked.
    revoked: HashMap<String, i64>,
    /// The newest revocation seen (None: nothing read yet).
    newest: Option<i64>,
    /// When the list was last read; 0 asks for a read at the next request.
    read_at: i64,
}

#[derive(Default)]
pub struct EndedSessions {
    known: Mutex<Known>,
    reading: tokio::sync::Mutex<()>,
}

impl EndedSessions {
    /// Whether the session ended; reads the newly ended ones first when the list is older than
    /// `REFRESH_MS`. `lifetime_ms` is the access tokens' lifetime (older revocations are
    /// forgotten: their tokens have expired).
    pub async fn has_ended(&self, db: &Db, session: &str, now: i64, lifetime_ms: i64) -> Result<bool, sqlx::Error> {
        let stale = now - self.known.lock().unwrap().read_at >= REFRESH_MS;
        if stale {
            // One reader at a time; the others go on with the list as it is.
            if let Ok(_reading) = self.reading.try_lock() {
                self.read(db, now, lifetime_ms).await?;
            }
        }
        Ok(self.known.lock().unwrap().revoked.contains_key(session))
    }

    async fn read(&self, db: &Db, now: i64, lifetime_ms: i64) -> Result<(), sqlx::Error> {
        let horizon = now - lifetime_ms - OVERLAP_MS;
        let since = {
            let known = self.known.lock().unwrap();
            known
                .newest
                .map_or(horizon, |newest| (newest - OVERLAP_MS).max(horizon))
        };
        let rows = super::store::revoked_since(db, since).await?;
        let mut known = self.known.lock().unwrap();
        for (session, at) in rows {
            known.newest = Some(known.newest.map_or(at, |n| n.max(at)));
            known.revoked.insert(session, at);
        }
        known.revoked.retain(|_, at| *at > horizon);
        known.read_at = now;
        Ok(())
    }

    /// Asks for a read at the next request (after a revocation on this instance).
    pub fn read_soon(&self) {
        self.known.lock().unwrap().read_at = 0;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    /// The figures for ARCHITECTURE.md: `cargo test --release --lib -- --ignored
    /// measure_ended_sessions --nocapture` (SQLite; `MEASURE_DATABASE_URL` for PostgreSQL).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore]
    async fn measure_ended_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = crate::platform::config::Settings::default();
        settings.database.url = std::env::var("MEASURE_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display()));
        let (db, engine) = crate::platform::db::connect(&settings).await.unwrap();
        crate::startup::prepare(&db, engine).await.unwrap();
        let now = crate::platform::clock::system_now_ms();
        let (sessions, revoked) = (100_000, 10_000);
        let mut tx = db.begin().await.unwrap();
        for i in 0..sessions {
            sqlx::query(
                "INSERT INTO refresh_tokens (id, family_id, account_kind, account_id, channel, token_hash, created_at, \
                 expires_at, revoked_at) VALUES ($1, $2, 'staff', 'a', 'web', $3, $4, $5, $6)",
            )
            .bind(format!("t{i}"))
            .bind(format!("f{i}"))
            .bind(format!("h{i}"))
            .bind(now - 3_600_000)
            .bind(now + 3_600_000)
            .bind((i < revoked).then_some(now - 600_000 + i as i64))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let ended = EndedSessions::default();
        let lifetime = 900_000;
        let started = Instant::now();
        assert!(ended.has_ended(&db, "f1", now, lifetime).await.unwrap());
        println!(
            "first read of {revoked} ended sessions among {sessions}: {:?}",
            started.elapsed()
        );
        let started = Instant::now();
        ended.read(&db, now + 2_000, lifetime).await.unwrap();
        println!("a later read (nothing new): {:?}", started.elapsed());
        let checks = 1_000_000;
        let started = Instant::now();
        for i in 0..checks {
            let session = if i % 2 == 0 { "f1" } else { "f99999" };
            std::hint::black_box(ended.has_ended(&db, session, now + 1_000, lifetime).await.unwrap());
        }
        println!("check per request (no read due): {:?}", started.elapsed() / checks);
    }
}
