//! The two migration sets build the same schema.
//!
//! migrations/sqlite and migrations/postgres are written by hand, one file per engine; nothing
//! but this test keeps them in step. It migrates a fresh database of each engine with
//! `zhujian::platform::db::migrate`, reads back what was built (SQLite's PRAGMAs and `sqlite_master`;
//! PostgreSQL's `information_schema` and `pg_catalog`), describes every object as one
//! normalised line, and diffs the two descriptions, reporting every difference at once.
//!
//! Described and compared, per table (`schema_migrations` included: both engines create it
//! from the same statement in src/db.rs; SQLite's own `sqlite_*` tables are left out):
//!
//! - the table itself (and any view, by name);
//! - its column names in order;
//! - each column: type family, nullability and default;
//! - its primary key: columns in key order;
//! - its unique constraints, by column list, not by name (PostgreSQL names them
//!   `<table>_<column>_key`, SQLite `sqlite_autoindex_<table>_<n>`);
//! - its other indexes, by name: columns in order (with `desc`), uniqueness, and the
//!   predicate of a partial index;
//! - its foreign keys: columns → referenced table and columns, ON DELETE and ON UPDATE;
//! - its triggers, by timing, event and level, not by name or body (SQLite has one trigger
//!   per event and a body in SQL, PostgreSQL may have one trigger for several events and a
//!   function in PL/pgSQL).
//!
//! Not compared: CHECK constraints (PostgreSQL rewrites `IN (…)` as `= ANY (ARRAY[…])`),
//! trigger bodies, collations, and seeded rows.
//!
//! Normalisation, that is what counts as "only an engine's spelling":
//!
//! - Types fold into families. SQLite: INT, INTEGER, BIGINT, SMALLINT, TINYINT, MEDIUMINT,
//!   INT2, INT8 → `integer` (SQLite stores every integer in up to 64 bits); TEXT, VARCHAR,
//!   CHAR, CHARACTER, CHARACTER VARYING, NCHAR, NVARCHAR, CLOB → `text`; REAL, DOUBLE,
//!   DOUBLE PRECISION, FLOAT, FLOAT8 → `real` (SQLite's REAL is always 8 bytes); BLOB →
//!   `bytes`; BOOLEAN → `boolean`; NUMERIC, DECIMAL → `numeric`. PostgreSQL: bigint →
//!   `integer`; text, character varying, character → `text`; double precision → `real`;
//!   bytea → `bytes`; boolean → `boolean`; numeric → `numeric`. Narrower PostgreSQL types do
//!   NOT fold, because they behave differently from their SQLite namesakes: integer (int4) →
//!   `int32`, smallint → `int16` (millisecond times overflow them), real (float4) → `real4`
//!   (loses precision). Length modifiers (`varchar(20)`) are ignored. Any other type is
//!   spelled `sqlite:<type>` / `postgres:<type>` and so always differs.
//! - A primary-key column counts as NOT NULL in its column line on both engines. PostgreSQL
//!   makes it so; SQLite (for compatibility with an old bug) lets NULL into a PRIMARY KEY
//!   column unless it is declared NOT NULL, is a lone `INTEGER PRIMARY KEY` (the rowid) or
//!   belongs to a WITHOUT ROWID table. Such a SQLite column gets one extra line instead,
//!   `<table>: primary key column <column> accepts null`, which PostgreSQL never has: the
//!   tables of migrations 1–14 are in `SQLITE_NULLABLE_KEYS`, a new one fails the test.
//! - Expressions (a default, a partial index's predicate, an index expression) are
//!   compared loosely: lowercased, casts such as `::text` or `::character varying` removed,
//!   then quotes, parentheses and whitespace removed. `'active'::text` and `'active'` both
//!   become `active`; `(state = 'pending'::text)` and `state = 'pending'` both become
//!   `state=pending`.
//! - Names of tables, columns and indexes are compared as written (both engines keep
//!   unquoted lowercase names as they are).
//!
//! Differences the migrations are known to have, historically, sit in `KNOWN_DRIFT` and
//! `SQLITE_NULLABLE_KEYS` below; every other difference fails the test, and so does an entry
//! there that no longer differs (delete it then).

use std::collections::BTreeMap;

use zhujian::platform::db::Db;

mod lines;
mod postgres;
mod sqlite;

use lines::{column_line, loose};
use postgres::{describe_postgres, postgres_type_family};
use sqlite::{describe_sqlite, split_index_sql, sqlite_type_family};

/// Which migrated database a description line comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Sqlite,
    Postgres,
}

/// Differences between the two migration sets that shipped and, since an applied migration
/// is never edited, stay until a new migration removes them: (the side where the line is
/// present and the other lacks it, the exact description line, why it is accepted).
/// Explain each entry; never add an entry to make new drift pass. None today besides
/// `SQLITE_NULLABLE_KEYS`.
const KNOWN_DRIFT: &[(Side, &str, &str)] = &[];

/// `table.column`: the primary keys that accept NULL on SQLite only. Every single-column
/// primary key so far (migrations 1–14, and schema_migrations in src/db.rs) is written
/// `<column> TEXT PRIMARY KEY` (or BIGINT) for both engines, and SQLite, unlike PostgreSQL,
/// then accepts NULL in it, even in several rows (an old bug SQLite keeps for
/// compatibility). Harmless while every insert supplies the key; a new table declares its
/// key `NOT NULL PRIMARY KEY` instead of joining this list.
const SQLITE_NULLABLE_KEYS: &[&str] = &[
    "schema_migrations.version",
    "staff.id",
    "enterprises.id",
    "people.id",
    "refresh_tokens.id",
    "login_throttle.key",
    "sms_codes.id",
    "audit_head.id",
    "audit_events.seq",
    "documents.id",
    "job_leases.name",
    "person_identities.person_id",
    "employment_requests.id",
    "employments.id",
    "challenges.id",
    "notifications.id",
    "staff_certificates.id",
    "enterprise_qualifications.id",
    "enterprise_changes.id",
    "verification_tasks.id",
    "verification_reviews.id",
    "assessment_templates.id",
    "assessments.id",
    "assessment_people.id",
    "assessment_reviews.id",
    "assessment_history.id",
    "projects.id",
    "project_assessments.id",
    "project_assessment_history.id",
    "daily_event_types.code",
    "daily_events.id",
    "daily_event_history.id",
    "grading_rules.category",
    "result_adjustments.id",
];

/// `KNOWN_DRIFT` and `SQLITE_NULLABLE_KEYS` as description lines.
fn known_drift() -> Vec<(Side, String, &'static str)> {
    let mut known: Vec<(Side, String, &str)> = KNOWN_DRIFT
        .iter()
        .map(|(side, line, why)| (*side, line.to_string(), *why))
        .collect();
    for key in SQLITE_NULLABLE_KEYS {
        let (table, column) = key.split_once('.').expect("table.column");
        let line = format!("{table}: primary key column {column} accepts null");
        known.push((
            Side::Sqlite,
            line,
            "SQLite accepts NULL in a primary key column not declared NOT NULL",
        ));
    }
    known
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let (sqlite, _dir) = migrated_sqlite().await;
    let postgres = migrated_postgres().await;
    let sqlite_schema = describe_sqlite(&sqlite).await;
    let postgres_schema = describe_postgres(&postgres).await;
    for (side, schema) in [(Side::Sqlite, &sqlite_schema), (Side::Postgres, &postgres_schema)] {
        assert_described(side, schema);
    }

    let problems = compare(&sqlite_schema, &postgres_schema, &known_drift());
    assert!(
        problems.is_empty(),
        "the SQLite and PostgreSQL migrations build different schemas ({} problems; `<`: only \
         on SQLite, `>`: only on PostgreSQL; see tests/api/schema/mod.rs for the normalisation):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The comparison is not vacuous: drift of each kind, introduced on one engine only, is
/// reported, every piece of it, with the object's name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_comparison_reports_every_difference() {
    let (sqlite, _dir) = migrated_sqlite().await;
    let postgres = migrated_postgres().await;
    sqlx::raw_sql(
        "CREATE INDEX drift_only_sqlite ON staff (role, created_at DESC);
         ALTER TABLE people ADD COLUMN drift_column TEXT;",
    )
    .execute(&sqlite)
    .await
    .expect("drift on SQLite");
    sqlx::raw_sql(
        "ALTER TABLE projects ALTER COLUMN building_area TYPE real;
         ALTER TABLE staff ALTER COLUMN display_name DROP NOT NULL;
         ALTER TABLE people DROP CONSTRAINT people_openid_key;
         ALTER TABLE employments DROP CONSTRAINT employments_request_id_fkey;
         DROP INDEX employments_one_active;
         CREATE UNIQUE INDEX employments_one_active ON employments (person_id) WHERE state = 'ended';",
    )
    .execute(&postgres)
    .await
    .expect("drift on PostgreSQL");

    let problems = compare(
        &describe_sqlite(&sqlite).await,
        &describe_postgres(&postgres).await,
        &known_drift(),
    );
    let expected = [
        "< staff: index drift_only_sqlite (role, created_at desc)",
        "< people: column drift_column text null default -",
        "< projects: column building_area real null default -",
        "> projects: column building_area real4 null default -",
        "< staff: column display_name text not null default -",
        "> staff: column display_name text null default -",
        "< people: unique (openid)",
        "< employments: foreign key (request_id) -> employment_requests (id) on delete no action on update no action",
        "< employments: unique index employments_one_active (person_id) where state=active",
        "> employments: unique index employments_one_active (person_id) where state=ended",
    ];
    for line in expected {
        assert!(
            problems.iter().any(|p| p == line),
            "`{line}` not reported; reported:\n{}",
            problems.join("\n")
        );
    }
    // The SQLite column also changes the column order line, on both sides; nothing else may
    // differ.
    assert_eq!(
        problems.len(),
        expected.len() + 2,
        "unexpected problems:\n{}",
        problems.join("\n")
    );
}

async fn migrated_sqlite() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("schema.db").display());
    (migrated(url, dir.path().to_path_buf()).await, dir)
}

async fn migrated_postgres() -> Db {
    let url = crate::harness::fresh_postgres_database().await;
    migrated(url, std::env::temp_dir()).await
}

/// Connects and migrates exactly as the server does at start-up.
async fn migrated(url: String, storage_dir: std::path::PathBuf) -> Db {
    let mut settings = zhujian::platform::config::Settings::default();
    settings.storage.dir = storage_dir;
    settings.database.url = url;
    settings.database.max_connections = 2;
    let (db, engine) = zhujian::platform::db::connect(&settings).await.expect("database");
    zhujian::platform::db::migrate(&db, engine).await.expect("migrations");
    db
}

/// Guards against a description that came back (nearly) empty because a catalogue query
/// matched nothing: both sides must show objects of every kind the migrations create.
fn assert_described(side: Side, schema: &[String]) {
    let tables = schema.iter().filter(|l| l.ends_with(": table")).count();
    assert!(tables >= 40, "{side:?}: only {tables} tables described");
    for needle in [
        "schema_migrations: table",
        "staff: column id text not null default -",
        "staff: column status text not null default active",
        "staff: primary key (id)",
        "staff: unique (username)",
        "staff: index staff_district (district_code)",
        "staff: foreign key (created_by) -> staff (id) on delete no action on update no action",
        "employments: unique index employments_one_technical_lead (enterprise_id) where technical_lead=1andstate=active",
        "qualification_requirements: primary key (category, grade)",
        "audit_events: trigger before delete for each row",
    ] {
        assert!(
            schema.iter().any(|l| l == needle),
            "{side:?}: `{needle}` missing from the description:\n{}",
            schema.join("\n")
        );
    }
}

/// The differences between the two descriptions (as multisets of lines), less the known
/// drift; plus every known drift entry that no longer differs.
fn compare(sqlite: &[String], postgres: &[String], known: &[(Side, String, &str)]) -> Vec<String> {
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for line in sqlite {
        counts.entry(line.as_str()).or_default().0 += 1;
    }
    for line in postgres {
        counts.entry(line.as_str()).or_default().1 += 1;
    }
    let mut only: Vec<(Side, &str)> = Vec::new();
    for (line, (s, p)) in &counts {
        let side = if s > p { Side::Sqlite } else { Side::Postgres };
        only.extend(std::iter::repeat_n((side, *line), s.abs_diff(*p)));
    }
    let mut problems = Vec::new();
    for (side, line, why) in known {
        match only.iter().position(|(s, l)| s == side && *l == line.as_str()) {
            Some(i) => {
                only.remove(i);
            }
            None => problems.push(format!(
                "! allow-listed drift no longer differs, remove it from the list: ({side:?}) {line} ({why})"
            )),
        }
    }
    // Sorted by table (the line's start), then the SQLite line before the PostgreSQL one.
    only.sort_by(|a, b| a.1.cmp(b.1).then((a.0 == Side::Postgres).cmp(&(b.0 == Side::Postgres))));
    for (side, line) in only {
        let mark = if side == Side::Sqlite { '<' } else { '>' };
        problems.push(format!("{mark} {line}"));
    }
    problems
}

#[test]
fn loose_expressions() {
    assert_eq!(loose("(state = 'pending'::text)"), "state=pending");
    assert_eq!(loose("state = 'pending'"), "state=pending");
    assert_eq!(
        loose("((technical_lead = 1) AND (state = 'active'::text))"),
        "technical_lead=1andstate=active"
    );
    assert_eq!(loose("'x'::character varying(20)"), "x");
    assert_eq!(loose("'{}'::text[]"), "{}");
    assert_eq!(loose("''::text"), "");
    assert_eq!(loose("'[]'"), "[]");
    assert_eq!(loose("(0)::bigint"), "0");
    assert_eq!(
        split_index_sql("CREATE UNIQUE INDEX a ON t (x, lower(y) DESC) WHERE s <> 'd'"),
        (
            vec!["x".to_owned(), "lower(y) DESC".to_owned()],
            Some("s <> 'd'".to_owned())
        )
    );
    assert_eq!(split_index_sql("CREATE INDEX a ON t (x)"), (vec!["x".to_owned()], None));
    assert_eq!(sqlite_type_family("VARCHAR(20)"), "text");
    assert_eq!(sqlite_type_family("double  precision"), "real");
    assert_eq!(postgres_type_family("integer"), "int32");
    assert_eq!(
        column_line("t", "c", "text", true, Some("''::text")),
        "t: column c text not null default ''"
    );
}

#[test]
fn known_drift_is_subtracted_and_must_still_differ() {
    let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let problems = compare(
        &lines(&["a: same", "a: old", "b: twice", "b: twice"]),
        &lines(&["a: same", "a: new", "b: twice"]),
        &[
            (Side::Sqlite, "a: old".into(), "kept"),
            (Side::Postgres, "a: gone".into(), "fixed"),
        ],
    );
    assert_eq!(
        problems,
        [
            "! allow-listed drift no longer differs, remove it from the list: (Postgres) a: gone (fixed)",
            "> a: new",
            "< b: twice",
        ]
    );
}
