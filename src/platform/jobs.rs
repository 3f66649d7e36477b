//! Leases for background jobs: a job runs on the instance holding its lease, so several
//! instances behind a load balancer never do the same job twice. A long job renews its lease
//! (`acquire` again) before each unit of work and stops when that fails: another instance took
//! the lease meanwhile (this one was paused or slow past the lease), so it is fenced out.

use crate::platform::db::Db;

/// Takes or renews the lease `name` for `holder` until `now + ttl_ms`; false when another
/// holder's lease is still running.
pub async fn acquire(db: &Db, name: &str, holder: &str, now: i64, ttl_ms: i64) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query(
        "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = $2, expires_at = $3 \
         WHERE job_leases.expires_at <= $4 OR job_leases.holder = $2",
    )
    .bind(name)
    .bind(holder)
    .bind(now + ttl_ms)
    .bind(now)
    .execute(db)
    .await?;
    Ok(taken.rows_affected() == 1)
}
