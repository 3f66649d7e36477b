//! The enterprise change history: who changed which field of the profile, from what to what.
//! Personal values (contact phones) are sealed at rest and masked when shown.

use serde::Serialize;
use utoipa::ToSchema;

use crate::platform::crypto::Keys;
use crate::platform::db::{new_id, Executor};
use crate::platform::ids::EnterpriseId;

/// History fields whose values are personal data: sealed at rest, masked when shown.
const PERSONAL_FIELDS: &[&str] = &["contact_phone"];

fn history_context(enterprise_id: &EnterpriseId, field: &str) -> String {
    format!("enterprise:{enterprise_id}:history:{field}")
}

pub(super) fn seal_personal(
    keys: &Keys,
    enterprise_id: &EnterpriseId,
    field: &str,
    value: Option<String>,
) -> Option<String> {
    match value {
        Some(v) if PERSONAL_FIELDS.contains(&field) => {
            Some(keys.seal(&history_context(enterprise_id, field), v.as_bytes()))
        }
        other => other,
    }
}

/// A personal value as shown: opened and masked (a value recorded before sealing began is
/// masked as it is).
fn show_personal(keys: &Keys, enterprise_id: &EnterpriseId, field: &str, value: Option<String>) -> Option<String> {
    match value {
        Some(v) if PERSONAL_FIELDS.contains(&field) => {
            let opened = keys
                .open(&history_context(enterprise_id, field), &v)
                .and_then(|b| String::from_utf8(b).ok());
            Some(crate::platform::types::mask_phone(opened.as_deref().unwrap_or(&v)))
        }
        other => other,
    }
}

/// Appends one history row.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    db: impl Executor<'_>,
    enterprise_id: &EnterpriseId,
    field: &str,
    old: Option<String>,
    new: Option<String>,
    by: &str,
    role: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO enterprise_changes (id, enterprise_id, field, old_value, new_value, changed_by, changed_role, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(enterprise_id)
    .bind(field)
    .bind(old)
    .bind(new)
    .bind(by)
    .bind(role)
    .bind(now)
    .execute(db)
    .await
    .map(|_| ())
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct ChangeView {
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub changed_by: String,
    pub changed_role: String,
    pub changed_at: i64,
}

pub async fn history(
    db: impl Executor<'_>,
    keys: &Keys,
    enterprise_id: &EnterpriseId,
    limit: i64,
    offset: i64,
) -> Result<Vec<ChangeView>, sqlx::Error> {
    let rows: Vec<ChangeView> = sqlx::query_as(
        "SELECT field, old_value, new_value, changed_by, changed_role, changed_at FROM enterprise_changes WHERE enterprise_id = $1 \
         ORDER BY changed_at DESC, id DESC LIMIT $2 OFFSET $3",
    )
    .bind(enterprise_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|c| ChangeView {
            old_value: show_personal(keys, enterprise_id, &c.field, c.old_value),
            new_value: show_personal(keys, enterprise_id, &c.field, c.new_value),
            ..c
        })
        .collect())
}
