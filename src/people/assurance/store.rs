//! Identity assurance SQL: the acts that raised a person's level, and WeChat face sessions.

use crate::platform::config::AssuranceLevel;
use crate::platform::db::Executor;
use crate::platform::ids::{IdentityAssuranceId, PersonId, StaffId, WechatFaceSessionId};

use super::WechatPurpose;

crate::text_column!(AssuranceLevel, WechatPurpose);

/// Records an act that established the person's identity at `level` (`staff` for a desk
/// verification, `verify_id` for WeChat's).
pub async fn record(
    db: impl Executor<'_>,
    person: &PersonId,
    level: AssuranceLevel,
    staff: Option<&StaffId>,
    verify_id: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO identity_assurances (id, person_id, level, staff_id, verify_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(IdentityAssuranceId::new())
    .bind(person)
    .bind(level)
    .bind(staff)
    .bind(verify_id)
    .bind(now)
    .execute(db)
    .await
    .map(|_| ())
}

/// Every level the person's identity was established at, with when.
pub async fn levels(db: impl Executor<'_>, person: &PersonId) -> Result<Vec<(AssuranceLevel, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT level, at FROM identity_assurances WHERE person_id = $1")
        .bind(person)
        .fetch_all(db)
        .await
}

/// The person's openid and sealed ID number (for WeChat's `cert_info`); `None` when the
/// person is not registered.
pub async fn openid_and_id_number(
    db: impl Executor<'_>,
    person: &PersonId,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.openid, i.id_number_sealed FROM people p JOIN person_identities i ON i.person_id = p.id WHERE p.id = $1",
    )
    .bind(person)
    .fetch_optional(db)
    .await
}

pub struct NewSession<'a> {
    pub id: &'a WechatFaceSessionId,
    pub person: &'a PersonId,
    pub purpose: WechatPurpose,
    pub target_id: &'a str,
    pub verify_id: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

pub async fn insert_session(db: impl Executor<'_>, n: &NewSession<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO wechat_face_sessions (id, person_id, purpose, target_id, verify_id, created_at, expires_at, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'issued')",
    )
    .bind(n.id)
    .bind(n.person)
    .bind(n.purpose)
    .bind(n.target_id)
    .bind(n.verify_id)
    .bind(n.created_at)
    .bind(n.expires_at)
    .execute(db)
    .await
    .map(|_| ())
}

#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub id: WechatFaceSessionId,
    pub person_id: PersonId,
    pub purpose: WechatPurpose,
    pub target_id: String,
    pub verify_id: String,
    pub expires_at: i64,
    /// issued | checking | passed | failed
    pub state: String,
}

pub async fn session(db: impl Executor<'_>, verify_id: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, person_id, purpose, target_id, verify_id, expires_at, state FROM wechat_face_sessions WHERE verify_id = $1",
    )
    .bind(verify_id)
    .fetch_optional(db)
    .await
}

/// Takes an issued, unexpired session for checking; false when it was not (any more).
pub async fn claim(db: impl Executor<'_>, id: &WechatFaceSessionId, now: i64) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE wechat_face_sessions SET state = 'checking' WHERE id = $1 AND state = 'issued' AND expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Gives a session back when WeChat could not be asked, so the person's verification is not lost.
pub async fn release(db: impl Executor<'_>, id: &WechatFaceSessionId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE wechat_face_sessions SET state = 'issued' WHERE id = $1 AND state = 'checking'")
        .bind(id)
        .execute(db)
        .await
        .map(|_| ())
}

/// Records WeChat's verdict on a session being checked.
pub async fn finish(
    db: impl Executor<'_>,
    id: &WechatFaceSessionId,
    passed: bool,
    verify_ret: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE wechat_face_sessions SET state = $1, verify_ret = $2, checked_at = $3 WHERE id = $4 AND state = 'checking'",
    )
    .bind(if passed { "passed" } else { "failed" })
    .bind(verify_ret)
    .bind(now)
    .bind(id)
    .execute(db)
    .await
    .map(|_| ())
}
