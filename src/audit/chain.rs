//! The hash chain, as pure functions: each event's hash covers the previous event's hash and
//! every field of the event, so changing, removing or reordering a row breaks every hash after.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The chain's start: the `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Event {
    pub seq: i64,
    pub at: i64,
    pub request_id: String,
    pub actor_kind: String,
    pub actor_id: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub status: i64,
}

/// `ok` for 1xx–3xx, `refused` for 4xx, `failed` for 5xx.
pub fn outcome(status: u16) -> &'static str {
    match status {
        0..=399 => "ok",
        400..=499 => "refused",
        _ => "failed",
    }
}

/// SHA-256 over the previous hash and the event's canonical JSON (fields in declaration order).
pub fn link_hash(prev_hash: &str, event: &Event) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(serde_json::to_vec(event).expect("an event always serializes"));
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64) -> Event {
        Event {
            seq,
            at: 1,
            request_id: "r".into(),
            actor_kind: "staff".into(),
            actor_id: "a".into(),
            role: "city".into(),
            action: "POST /api/v1/staff".into(),
            target: "staff:b".into(),
            outcome: "ok".into(),
            status: 201,
        }
    }

    #[test]
    fn any_change_changes_the_hash() {
        let base = link_hash(GENESIS, &event(1));
        assert_eq!(base, link_hash(GENESIS, &event(1)));
        assert_ne!(base, link_hash(GENESIS, &event(2)));
        assert_ne!(base, link_hash(&base, &event(1)));
        let mut changed = event(1);
        changed.outcome = "refused".into();
        assert_ne!(base, link_hash(GENESIS, &changed));
    }

    #[test]
    fn outcomes() {
        assert_eq!(outcome(204), "ok");
        assert_eq!(outcome(404), "refused");
        assert_eq!(outcome(503), "failed");
    }
}
