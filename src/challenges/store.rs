//! Challenges SQL.

use crate::platform::db::Executor;
use crate::platform::ids::{ChallengeId, PersonId};

pub struct NewChallenge<'a> {
    pub id: &'a ChallengeId,
    pub person_id: &'a PersonId,
    pub purpose: &'a str,
    pub target_id: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
    /// The liveness poses, comma-separated; `None` for a single selfie.
    pub poses: Option<String>,
}

pub async fn insert(db: impl Executor<'_>, new: &NewChallenge<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO challenges (id, person_id, purpose, target_id, created_at, expires_at, poses) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new.id)
    .bind(new.person_id)
    .bind(new.purpose)
    .bind(new.target_id)
    .bind(new.created_at)
    .bind(new.expires_at)
    .bind(&new.poses)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
pub struct ChallengeRow {
    pub person_id: PersonId,
    pub purpose: String,
    pub target_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub poses: Option<String>,
}

pub async fn find(db: impl Executor<'_>, id: &ChallengeId) -> Result<Option<ChallengeRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT person_id, purpose, target_id, created_at, expires_at, used_at, poses FROM challenges WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Marks the challenge used at `now`; false if it already was.
pub async fn claim(db: impl Executor<'_>, id: &ChallengeId, now: i64) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query("UPDATE challenges SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(claimed.rows_affected() == 1)
}
