//! The PostgreSQL side of a backup: `pg_dump` in a snapshot the backup also reads the
//! documents from, and `pg_restore` into an empty database. The client tools come from the
//! `postgresql-client` package, found on `PATH`; their major version must be the server's or
//! newer.

use std::path::Path;

use anyhow::{ensure, Context};

use crate::documents;
use crate::platform::db::Db;

/// Dumps the database at `url` into `file` (custom format) and answers the stored documents'
/// objects as of the same snapshot: what the dump names is what the backup copies.
pub async fn dump(db: &Db, url: &str, file: &Path) -> anyhow::Result<Vec<(String, String, i64)>> {
    let mut tx = db.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut *tx)
        .await?;
    let dumped = tokio::process::Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--no-privileges"])
        .arg(format!("--snapshot={snapshot}"))
        .arg("--file")
        .arg(file)
        .arg(url)
        .status()
        .await
        .context("pg_dump could not be run: install the postgresql-client package")?;
    ensure!(dumped.success(), "pg_dump failed ({dumped})");
    let stored = documents::stored_objects(&mut *tx).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Refuses a database that holds any table: a restore goes into an empty one.
pub async fn ensure_empty(db: &Db) -> anyhow::Result<()> {
    let tables: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()")
            .fetch_one(db)
            .await?;
    ensure!(
        tables == 0,
        "the database holds {tables} tables: restore into an empty database"
    );
    Ok(())
}

/// Restores `file` into the (empty) database at `url`, in one transaction.
pub async fn restore(url: &str, file: &Path) -> anyhow::Result<()> {
    let restored = tokio::process::Command::new("pg_restore")
        .args([
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
        ])
        .arg(format!("--dbname={url}"))
        .arg(file)
        .status()
        .await
        .context("pg_restore could not be run: install the postgresql-client package")?;
    ensure!(restored.success(), "pg_restore failed ({restored})");
    Ok(())
}
