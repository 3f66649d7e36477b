//! The database: one `sqlx::Any` pool over SQLite (embedded default) or PostgreSQL, and the
//! migrations of each engine, applied at start-up and by `zhujian migrate`.
//!
//! Queries are written once for both engines: `$1` parameters, `RETURNING`, `ON CONFLICT`,
//! times as BIGINT Unix milliseconds, ids as UUIDv7 text, no booleans (text states instead).

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;

use crate::platform::config::Settings;

pub type Db = sqlx::AnyPool;
/// A transaction: an act's writes, committed together.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;
/// One connection, pooled or a transaction's (`&mut *tx`): what a store function running
/// several statements takes.
pub type Conn = sqlx::AnyConnection;

/// What a store function running one statement takes: the pool, a connection, or a
/// transaction (`&mut *tx`).
pub trait Executor<'e>: sqlx::Executor<'e, Database = sqlx::Any> {}
impl<'e, T: sqlx::Executor<'e, Database = sqlx::Any>> Executor<'e> for T {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> anyhow::Result<Engine> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Engine::Postgres)
        } else {
            bail!("database.url must start with sqlite: or postgres:")
        }
    }
}

/// Opens the pool. SQLite runs in WAL mode with a busy timeout and foreign keys enforced;
/// PostgreSQL plans every statement for its values.
pub async fn connect(settings: &Settings) -> anyhow::Result<(Db, Engine)> {
    sqlx::any::install_default_drivers();
    let url = settings.database_url();
    let engine = Engine::of_url(&url)?;
    if engine == Engine::Sqlite {
        std::fs::create_dir_all(&settings.storage.dir)
            .with_context(|| format!("cannot create {}", settings.storage.dir.display()))?;
    }
    let busy_ms = settings.database.sqlite_busy_timeout_ms;
    let pool = AnyPoolOptions::new()
        .max_connections(settings.database.max_connections)
        .acquire_timeout(Duration::from_secs(settings.database.acquire_timeout_secs))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if engine == Engine::Sqlite {
                    let pragmas = format!(
                        "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {busy_ms}; \
                         PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
                    );
                    sqlx::Executor::execute(&mut *conn, pragmas.as_str()).await?;
                } else {
                    // Lists filter with `($1 IS NULL OR column = $1)`. After a few runs of a
                    // prepared statement PostgreSQL may switch to a generic plan, made without
                    // the values, which cannot use the column's index and scans the whole city;
                    // a plan made for each run's values keeps the index (the city bench's export).
                    sqlx::Executor::execute(&mut *conn, "SET plan_cache_mode = force_custom_plan").await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .with_context(|| format!("cannot connect to the {engine:?} database"))?;
    Ok((pool, engine))
}

/// A consistent copy of a SQLite database into the new file `to`, taken in one read
/// transaction while writers go on (`VACUUM INTO`): a backup.
pub async fn copy_sqlite(db: &Db, to: &Path) -> anyhow::Result<()> {
    let to = to.to_str().context("the backup path is not UTF-8")?;
    sqlx::query("VACUUM INTO $1").bind(to).execute(db).await?;
    Ok(())
}

/// One read-only connection to a SQLite file, such as a backup's copy.
pub async fn open_sqlite_read_only(path: &Path) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", path.display());
    Ok(AnyPoolOptions::new().max_connections(1).connect(&url).await?)
}

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../../migrations/sqlite/", $file)),
            postgres: include_str!(concat!("../../migrations/postgres/", $file)),
        }
    };
}

/// Every migration, in order. A new one is a file of the same name in both folders.
const MIGRATIONS: &[Migration] = &[
    migration!(1, "foundation", "0001_foundation.sql"),
    migration!(2, "documents", "0002_documents.sql"),
    migration!(3, "person identities", "0003_person_identities.sql"),
    migration!(4, "employment", "0004_employment.sql"),
    migration!(5, "staff certificates", "0005_staff_certificates.sql"),
    migration!(6, "enterprise profile", "0006_enterprise_profile.sql"),
    migration!(7, "verification", "0007_verification.sql"),
    migration!(8, "check-in", "0008_check_in.sql"),
    migration!(9, "rectification", "0009_rectification.sql"),
    migration!(10, "site polygon", "0010_site_polygon.sql"),
    migration!(11, "assessments", "0011_assessments.sql"),
    migration!(12, "projects", "0012_projects.sql"),
    migration!(13, "daily assessment", "0013_daily_assessment.sql"),
    migration!(14, "results", "0014_results.sql"),
    migration!(15, "audit keys", "0015_audit_keys.sql"),
    migration!(16, "check-in once", "0016_check_in_once.sql"),
    migration!(17, "verification hygiene", "0017_verification_hygiene.sql"),
    migration!(18, "face photos", "0018_face_photos.sql"),
    migration!(19, "check-in review", "0019_check_in_review.sql"),
    migration!(20, "liveness", "0020_liveness.sql"),
    migration!(21, "identity assurance", "0021_identity_assurance.sql"),
    migration!(22, "one face", "0022_one_face.sql"),
    migration!(23, "atomic limits", "0023_atomic_limits.sql"),
    migration!(24, "people list names", "0024_people_list_names.sql"),
    migration!(25, "enterprise contact phones", "0025_enterprise_contact_phones.sql"),
    migration!(26, "wechat notifications", "0026_wechat_notifications.sql"),
    migration!(27, "certificates", "0027_certificates.sql"),
    migration!(28, "exams", "0028_exams.sql"),
    migration!(29, "applications", "0029_applications.sql"),
    migration!(30, "continuing education", "0030_continuing_education.sql"),
    migration!(31, "console sessions", "0031_console_sessions.sql"),
    migration!(32, "list orders", "0032_list_orders.sql"),
    migration!(33, "expired passwords", "0033_expired_passwords.sql"),
    migration!(35, "city scale", "0035_city_scale.sql"),
    migration!(36, "uniform list orders", "0036_uniform_list_orders.sql"),
    migration!(37, "enterprise search grams", "0037_enterprise_search_grams.sql"),
    migration!(38, "queue counts", "0038_queue_counts.sql"),
    migration!(39, "application queues", "0039_application_queues.sql"),
];

/// Arbitrary constant naming the PostgreSQL advisory lock held while migrating, so that
/// instances starting together do not migrate twice.
const MIGRATION_LOCK: i64 = 0x7a68_756a_6961;

/// Applies the migrations not applied yet; refuses if an applied one was edited since.
pub async fn migrate(db: &Db, engine: Engine) -> anyhow::Result<()> {
    let mut conn = db.acquire().await?;
    if engine == Engine::Postgres {
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_lock($1)) AS locked")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    let result = apply_pending(&mut conn, engine).await;
    if engine == Engine::Postgres {
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_unlock($1)) AS unlocked")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    result
}

async fn apply_pending(conn: &mut sqlx::AnyConnection, engine: Engine) -> anyhow::Result<()> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
         checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let applied: Vec<(i64, String)> = sqlx::query_as("SELECT version, checksum FROM schema_migrations")
        .fetch_all(&mut *conn)
        .await?;
    for m in MIGRATIONS {
        let sql = match engine {
            Engine::Sqlite => m.sqlite,
            Engine::Postgres => m.postgres,
        };
        let checksum = hex::encode(Sha256::digest(sql));
        match applied.iter().find(|(v, _)| *v == m.version) {
            Some((_, c)) if *c == checksum => continue,
            Some(_) => bail!(
                "migration {} ({}) was edited after it was applied; add a new migration instead",
                m.version,
                m.name
            ),
            None => {}
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::raw_sql(sql)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("migration {} ({}) failed", m.version, m.name))?;
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(m.version)
            .bind(m.name)
            .bind(&checksum)
            .bind(crate::platform::clock::system_now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    Ok(())
}

/// Begins a transaction that will write. SQLite takes its write lock at the start
/// (`BEGIN IMMEDIATE`), where the busy timeout applies: a deferred transaction that reads first
/// and writes later cannot wait for the lock and fails at once when another writer got there
/// between its read and its write. PostgreSQL locks rows as it goes and needs nothing special.
pub async fn begin_write(db: &Db, engine: Engine) -> Result<Tx<'static>, sqlx::Error> {
    match engine {
        Engine::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        Engine::Postgres => db.begin().await,
    }
}

/// Whether the database answers.
pub async fn ping(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(db).await.map(drop)
}

/// A new time-ordered id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The placeholders `$from, $from+1, …` of a list of `count` values bound in order, for an
/// `IN (…)` (an empty list is `NULL`, which matches nothing). For lists of a page's length:
/// an import's thousands of rows use `?` on SQLite (see `certificates::store::import`).
pub fn numbered(from: usize, count: usize) -> String {
    if count == 0 {
        return "NULL".to_owned();
    }
    (from..from + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// True when a statement failed on a unique constraint (on either engine).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// True when a statement failed on a foreign key (on either engine).
pub fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_foreign_key_violation())
}

/// Lists the migration files of one engine's folder (used by the consistency test).
pub fn migration_files(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_list_is_numbered_from_its_first_placeholder() {
        assert_eq!(numbered(3, 3), "$3, $4, $5");
        assert_eq!(numbered(1, 1), "$1");
        assert_eq!(numbered(1, 0), "NULL");
    }

    use super::*;

    #[test]
    fn both_engines_have_the_same_migrations_and_all_are_listed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let sqlite = migration_files(&root.join("sqlite")).unwrap();
        let postgres = migration_files(&root.join("postgres")).unwrap();
        assert_eq!(sqlite, postgres, "every migration needs a file for both engines");
        assert_eq!(
            sqlite.len(),
            MIGRATIONS.len(),
            "a migration file is not listed in MIGRATIONS"
        );
        // Versions increase; a gap is allowed, so branches given numbers apart merge in any
        // order (each file's number is its version).
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version, "migrations out of order");
        }
        for m in MIGRATIONS {
            let prefix = format!("{:04}_", m.version);
            assert!(
                sqlite.iter().any(|f| f.starts_with(&prefix)),
                "no file for migration {}",
                m.version
            );
        }
    }
}

/// An optional float to bind. sqlx 0.8's Any driver binds `None::<f64>` as a PostgreSQL
/// float4 NULL (its Real/Double null mapping is swapped, sqlx-core `any/arguments.rs`); a
/// statement prepared that way then refuses a later float8 value on the same connection.
/// `None::<f32>` maps to a float8 NULL, so this binds `None` through it.
#[derive(Debug, Clone, Copy)]
pub struct NullableF64(pub Option<f64>);

impl sqlx::Type<sqlx::Any> for NullableF64 {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <f64 as sqlx::Type<sqlx::Any>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Any> for NullableF64 {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self.0 {
            Some(v) => <f64 as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&v, buf),
            None => <Option<f32> as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&None, buf),
        }
    }
}

/// A value in a state or kind column that the code does not know: a decoding error (the
/// request fails with 500 and the value is logged), never a silent default.
#[derive(Debug, thiserror::Error)]
#[error("unknown {column_type} value {raw:?} in the database")]
pub struct UnknownValue {
    pub column_type: &'static str,
    pub raw: String,
}

/// Lets these enums be row fields and bind parameters of text columns, decoded strictly (an
/// unknown value is a decoding error, see `UnknownValue`). Each enum needs
/// `parse(&str) -> Option<Self>` and `as_str(self) -> &'static str`.
#[macro_export]
macro_rules! text_column {
    ($($t:ty),* $(,)?) => {$(
        impl sqlx::Type<sqlx::Any> for $t {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <&str as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $t {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let raw = <&str as sqlx::Decode<sqlx::Any>>::decode(value)?;
                <$t>::parse(raw).ok_or_else(|| {
                    Box::new($crate::platform::db::UnknownValue { column_type: stringify!($t), raw: raw.to_owned() }) as _
                })
            }
        }
        impl<'q> sqlx::Encode<'q, sqlx::Any> for $t {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&self.as_str(), buf)
            }
        }
    )*};
}
