//! `audit verify`: walks the chain in order and names the first row that does not verify:
//! an edited row (its link no longer matches), a deleted row (a gap), a chain rewritten by
//! someone without the key (keyed links fail), and a tail cut off with the head moved back
//! (a signed checkpoint outside the database records rows that are gone).

use std::collections::HashMap;

use super::chain::{expected_link, Checkpoint, Keyring, GENESIS};
use super::store;
use crate::platform::db::Db;

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

fn broken(seq: i64, reason: &'static str) -> VerifyReport {
    VerifyReport::Broken { seq, reason }
}

/// Verifies the chain against its keys and the checkpoints anchored outside the database.
pub async fn verify(db: &Db, keys: &Keyring, checkpoints: &[Checkpoint]) -> Result<VerifyReport, sqlx::Error> {
    if let Some(forged) = checkpoints.iter().find(|c| !c.is_genuine(keys)) {
        return Ok(broken(
            forged.seq,
            "the checkpoint of this row is not signed by a known audit key",
        ));
    }
    let anchored: HashMap<i64, &str> = checkpoints.iter().map(|c| (c.seq, c.hash.as_str())).collect();
    let head = store::head(db).await?;
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_owned();
    loop {
        let rows = store::page(db, expected_seq, PAGE).await?;
        let page_len = rows.len() as i64;
        for row in rows {
            if row.event.seq != expected_seq {
                return Ok(broken(expected_seq, "the row is missing"));
            }
            if row.prev_hash != prev_hash {
                return Ok(broken(expected_seq, "its prev_hash is not the previous row's hash"));
            }
            match expected_link(keys, row.key_id.as_deref(), &prev_hash, &row.event, head.unkeyed_until) {
                Err(reason) => return Ok(broken(expected_seq, reason)),
                Ok(link) if link != row.hash => {
                    return Ok(broken(expected_seq, "its contents no longer match its hash"))
                }
                Ok(_) => {}
            }
            if anchored.get(&expected_seq).is_some_and(|h| *h != row.hash) {
                return Ok(broken(
                    expected_seq,
                    "it differs from the signed checkpoint of this row",
                ));
            }
            prev_hash = row.hash;
            expected_seq += 1;
        }
        if page_len < PAGE {
            break;
        }
    }
    let last = expected_seq - 1;
    if checkpoints.iter().any(|c| c.seq > last) {
        return Ok(broken(
            expected_seq,
            "rows at the end of the chain are missing: a signed checkpoint records later rows",
        ));
    }
    if head.seq != last || head.hash != prev_hash {
        return Ok(broken(expected_seq, "rows at the end of the chain are missing"));
    }
    Ok(VerifyReport::Intact { events: last })
}
