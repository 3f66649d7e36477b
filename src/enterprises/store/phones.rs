//! Contact phones at rest: `enterprises.contact_phone` holds the number sealed with the data
//! key (context `enterprise:<id>:contact_phone`), `contact_phone_masked` what is shown. A row
//! written before sealing began holds its plain number until `seal_plain_contact_phones` (run
//! at every start) seals it; reading tolerates both.

use crate::platform::crypto::Keys;
use crate::platform::db::Db;
use crate::platform::ids::EnterpriseId;
use crate::platform::types::{mask_phone, Phone};

fn context(id: &EnterpriseId) -> String {
    format!("enterprise:{id}:contact_phone")
}

/// The stored form of a contact phone and its mask.
pub fn seal_phone(keys: &Keys, id: &EnterpriseId, phone: &str) -> (String, String) {
    (keys.seal(&context(id), phone.as_bytes()), mask_phone(phone))
}

/// The contact phone as stored, opened (or as it is, when written before sealing began).
pub fn open_phone(keys: &Keys, id: &EnterpriseId, stored: &str) -> String {
    keys.open(&context(id), stored)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| stored.to_owned())
}

/// Seals the contact phones still stored in plain text (rows from before migration 25); each
/// row is updated only if it still holds what was read. Returns how many were sealed.
pub async fn seal_plain_contact_phones(db: &Db, keys: &Keys) -> Result<u64, sqlx::Error> {
    let rows: Vec<(EnterpriseId, String)> = sqlx::query_as("SELECT id, contact_phone FROM enterprises")
        .fetch_all(db)
        .await?;
    let mut sealed = 0;
    for (id, stored) in rows {
        if keys.open(&context(&id), &stored).is_some() || Phone::parse(&stored).is_err() {
            continue;
        }
        let (value, masked) = seal_phone(keys, &id, &stored);
        sealed += sqlx::query(
            "UPDATE enterprises SET contact_phone = $1, contact_phone_masked = $2 WHERE id = $3 AND contact_phone = $4",
        )
        .bind(value)
        .bind(masked)
        .bind(&id)
        .bind(&stored)
        .execute(db)
        .await?
        .rows_affected();
    }
    Ok(sealed)
}
