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
