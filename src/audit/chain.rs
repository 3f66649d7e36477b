//! The chain, as pure functions. Each event's link covers the previous link and every field of
//! the event, so changing, removing or reordering a row breaks every link after it. Links are
//! HMAC-SHA256 under the audit key, so someone who can write to the database but does not hold
//! the key cannot recompute a chain they changed. Rows written before keys were introduced
//! carry no key id and were linked with plain SHA-256; they are accepted only as the chain's
//! unkeyed prefix (`audit_head.unkeyed_until`).

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The chain's start: the `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
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
    /// The HTTP status of a refused or failed request; 0 for an act recorded inside its own
    /// transaction, which commits before the response exists.
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

/// One audit key. Its id is derived from the key itself, so a row names the key that linked
/// it without the id ever being configured (and a retired key is found by the same id).
#[derive(Clone)]
pub struct AuditKey {
    pub id: String,
    secret: Vec<u8>,
}

impl AuditKey {
    pub fn new(secret: Vec<u8>) -> AuditKey {
        let id = hex::encode(&Sha256::digest([b"zhujian audit key id\n".as_slice(), &secret].concat())[..8]);
        AuditKey { id, secret }
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes any key length");
        for part in parts {
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id)
    }
}

/// The current key, which links new rows, and the retired ones, which still verify old rows.
#[derive(Clone, Debug)]
pub struct Keyring {
    pub current: AuditKey,
    pub retired: Vec<AuditKey>,
}

impl Keyring {
    pub fn find(&self, id: &str) -> Option<&AuditKey> {
        std::iter::once(&self.current).chain(&self.retired).find(|k| k.id == id)
    }
}

fn canonical(event: &Event) -> Vec<u8> {
    serde_json::to_vec(event).expect("an event always serializes")
}

/// The link of a keyed row: HMAC over the previous link and the event's canonical JSON.
pub fn link(key: &AuditKey, prev_hash: &str, event: &Event) -> String {
    key.mac(&[prev_hash.as_bytes(), b"\n", &canonical(event)])
}

/// The link of an unkeyed row of the prefix written before keys existed.
pub fn unkeyed_link(prev_hash: &str, event: &Event) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical(event));
    hex::encode(hasher.finalize())
}

/// The link a stored row must have, given the link before it; or why no link can be right:
/// an unkeyed row after the unkeyed prefix, or a key this server does not hold.
pub fn expected_link(
    keys: &Keyring,
    key_id: Option<&str>,
    prev_hash: &str,
    event: &Event,
    unkeyed_until: i64,
) -> Result<String, &'static str> {
    match key_id {
        None if event.seq <= unkeyed_until => Ok(unkeyed_link(prev_hash, event)),
        None => Err("it carries no key id, though keyed rows began before it"),
        Some(id) => keys
            .find(id)
            .map(|key| link(key, prev_hash, event))
            .ok_or("it names an audit key this server does not hold"),
    }
}

/// A signed statement of the chain's head at one moment, kept outside the database (in the
/// object store and the log), so that a chain cut back or rewritten inside the database no
/// longer agrees with it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: i64,
    pub key_id: String,
    pub signature: String,
}

impl Checkpoint {
    pub fn sign(key: &AuditKey, seq: i64, hash: &str, at: i64) -> Checkpoint {
        Checkpoint {
            seq,
            hash: hash.to_owned(),
            at,
            key_id: key.id.clone(),
            signature: key.mac(&[b"zhujian audit checkpoint\n", format!("{seq}\n{hash}\n{at}").as_bytes()]),
        }
    }

    /// Whether the signature holds under the key the checkpoint names.
    pub fn is_genuine(&self, keys: &Keyring) -> bool {
        keys.find(&self.key_id)
            .is_some_and(|key| Checkpoint::sign(key, self.seq, &self.hash, self.at).signature == self.signature)
    }
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

    fn key(byte: u8) -> AuditKey {
        AuditKey::new(vec![byte; 32])
    }

    #[test]
    fn any_change_changes_the_link() {
        let k = key(1);
        let base = link(&k, GENESIS, &event(1));
        assert_eq!(base, link(&k, GENESIS, &event(1)));
        assert_ne!(base, link(&k, GENESIS, &event(2)));
        assert_ne!(base, link(&k, &base, &event(1)));
        let mut changed = event(1);
        changed.outcome = "refused".into();
        assert_ne!(base, link(&k, GENESIS, &changed));
    }

    #[test]
    fn links_depend_on_the_key_and_differ_from_plain_hashes() {
        assert_ne!(link(&key(1), GENESIS, &event(1)), link(&key(2), GENESIS, &event(1)));
        assert_ne!(link(&key(1), GENESIS, &event(1)), unkeyed_link(GENESIS, &event(1)));
    }

    #[test]
    fn key_ids_are_stable_and_distinct_and_found_among_retired_keys() {
        assert_eq!(key(1).id, key(1).id);
        assert_ne!(key(1).id, key(2).id);
        assert_eq!(key(1).id.len(), 16);
        let ring = Keyring {
            current: key(2),
            retired: vec![key(1)],
        };
        assert!(ring.find(&key(1).id).is_some());
        assert!(ring.find(&key(3).id).is_none());
    }

    #[test]
    fn checkpoints_verify_only_unchanged_and_under_a_known_key() {
        let ring = Keyring {
            current: key(1),
            retired: vec![],
        };
        let checkpoint = Checkpoint::sign(&key(1), 7, "abc", 99);
        assert!(checkpoint.is_genuine(&ring));
        let mut moved = checkpoint.clone();
        moved.seq = 5;
        assert!(!moved.is_genuine(&ring));
        assert!(!Checkpoint::sign(&key(9), 7, "abc", 99).is_genuine(&ring));
    }

    #[test]
    fn outcomes() {
        assert_eq!(outcome(204), "ok");
        assert_eq!(outcome(404), "refused");
        assert_eq!(outcome(503), "failed");
    }
}
