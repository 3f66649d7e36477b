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
    "check_in_attempts.id",
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
         on SQLite, `>`: only on PostgreSQL; see tests/api/schema.rs for the normalisation):\n{}",
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

// ---------------------------------------------------------------------------------------------
// SQLite

async fn describe_sqlite(db: &Db) -> Vec<String> {
    let mut out = Vec::new();
    let objects: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT type, name, tbl_name, sql FROM sqlite_master
         WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         ORDER BY type, name",
    )
    .fetch_all(db)
    .await
    .expect("sqlite_master");
    let tables: Vec<&str> = objects
        .iter()
        .filter(|o| o.0 == "table")
        .map(|o| o.1.as_str())
        .collect();
    for (kind, name, table, sql) in &objects {
        match kind.as_str() {
            "table" => out.push(format!("{name}: table")),
            "view" => out.push(format!("{name}: view")),
            "trigger" => out.push(sqlite_trigger(table, sql.as_deref().unwrap_or_default())),
            _ => unreachable!(),
        }
    }

    // Primary keys first: a foreign key naming no columns refers to them.
    let mut primary_keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for table in &tables {
        let columns: Vec<(String, String, i64, Option<String>, i64)> =
            sqlx::query_as("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1) ORDER BY cid")
                .bind(*table)
                .fetch_all(db)
                .await
                .expect("table_info");
        let names: Vec<&str> = columns.iter().map(|c| c.0.as_str()).collect();
        out.push(format!("{table}: columns {}", names.join(", ")));
        let table_sql = objects
            .iter()
            .find(|o| o.0 == "table" && o.1 == *table)
            .and_then(|o| o.3.as_deref())
            .unwrap_or_default()
            .to_lowercase();
        let single_key = columns.iter().filter(|c| c.4 > 0).count() == 1;
        for (name, declared, not_null, default, pk) in &columns {
            // NULL goes into a primary key column of a rowid table unless it is declared NOT
            // NULL or is the rowid itself (a lone `INTEGER PRIMARY KEY`).
            let rowid = single_key && declared.eq_ignore_ascii_case("integer");
            if *pk > 0 && *not_null == 0 && !rowid && !table_sql.contains("without rowid") {
                out.push(format!("{table}: primary key column {name} accepts null"));
            }
            out.push(column_line(
                table,
                name,
                &sqlite_type_family(declared),
                *not_null != 0 || *pk > 0,
                default.as_deref(),
            ));
        }
        let mut pk: Vec<(i64, &str)> = columns
            .iter()
            .filter(|c| c.4 > 0)
            .map(|c| (c.4, c.0.as_str()))
            .collect();
        pk.sort();
        let pk: Vec<String> = pk.into_iter().map(|(_, n)| n.to_owned()).collect();
        if !pk.is_empty() {
            out.push(format!("{table}: primary key ({})", pk.join(", ")));
        }
        primary_keys.insert(table.to_string(), pk);
    }

    for table in &tables {
        let indexes: Vec<(String, i64, String, i64)> =
            sqlx::query_as("SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)")
                .bind(*table)
                .fetch_all(db)
                .await
                .expect("index_list");
        for (name, unique, origin, partial) in &indexes {
            let sql: Option<String> =
                sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1")
                    .bind(name)
                    .fetch_optional(db)
                    .await
                    .expect("index sql")
                    .flatten();
            let (expressions, predicate) = split_index_sql(sql.as_deref().unwrap_or_default());
            let keys: Vec<(i64, i64, Option<String>, i64)> = sqlx::query_as(
                "SELECT seqno, cid, name, \"desc\" FROM pragma_index_xinfo($1) WHERE key = 1 ORDER BY seqno",
            )
            .bind(name)
            .fetch_all(db)
            .await
            .expect("index_xinfo");
            let columns: Vec<String> = keys
                .iter()
                .map(|(seqno, cid, column, desc)| {
                    let key = match column {
                        Some(column) if *cid >= 0 => column.clone(),
                        _ => format!(
                            "expr:{}",
                            loose(strip_order(expressions.get(*seqno as usize).map_or("", String::as_str)))
                        ),
                    };
                    if *desc != 0 {
                        format!("{key} desc")
                    } else {
                        key
                    }
                })
                .collect();
            match origin.as_str() {
                "pk" => {} // described by the primary key
                "u" => out.push(format!("{table}: unique ({})", columns.join(", "))),
                _ => {
                    assert_eq!(
                        *partial != 0,
                        predicate.is_some(),
                        "cannot find the WHERE clause of {name}: {sql:?}"
                    );
                    out.push(index_line(
                        table,
                        name,
                        *unique != 0,
                        &columns,
                        predicate.as_deref(),
                        None,
                    ));
                }
            }
        }

        let keys: Vec<(i64, i64, String, String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete
             FROM pragma_foreign_key_list($1) ORDER BY id, seq",
        )
        .bind(*table)
        .fetch_all(db)
        .await
        .expect("foreign_key_list");
        let mut grouped: BTreeMap<i64, Vec<&(i64, i64, String, String, Option<String>, String, String)>> =
            BTreeMap::new();
        for key in &keys {
            grouped.entry(key.0).or_default().push(key);
        }
        for parts in grouped.values() {
            let referenced = &parts[0].2;
            let from: Vec<&str> = parts.iter().map(|p| p.3.as_str()).collect();
            let to: Vec<String> = if parts.iter().all(|p| p.4.is_none()) {
                primary_keys.get(referenced).cloned().unwrap_or_default()
            } else {
                parts.iter().map(|p| p.4.clone().unwrap_or_default()).collect()
            };
            out.push(foreign_key_line(
                table,
                &from,
                referenced,
                &to,
                &parts[0].6.to_lowercase(),
                &parts[0].5.to_lowercase(),
            ));
        }
    }
    out.sort();
    out
}

/// SQLite's declared type → family (see the module documentation).
fn sqlite_type_family(declared: &str) -> String {
    let upper = declared.to_uppercase();
    let base = upper.split('(').next().unwrap_or_default().trim();
    let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
    match base.as_str() {
        "INT" | "INTEGER" | "BIGINT" | "SMALLINT" | "TINYINT" | "MEDIUMINT" | "INT2" | "INT8" => "integer",
        "TEXT" | "VARCHAR" | "CHAR" | "CHARACTER" | "CHARACTER VARYING" | "NCHAR" | "NVARCHAR" | "CLOB" => "text",
        "REAL" | "DOUBLE" | "DOUBLE PRECISION" | "FLOAT" | "FLOAT8" => "real",
        "BLOB" => "bytes",
        "BOOLEAN" | "BOOL" => "boolean",
        "NUMERIC" | "DECIMAL" => "numeric",
        other => return format!("sqlite:{}", other.to_lowercase()),
    }
    .to_owned()
}

/// A SQLite trigger's `<timing> <event> for each row` (SQLite triggers are all row triggers).
fn sqlite_trigger(table: &str, sql: &str) -> String {
    let lower = sql.to_lowercase();
    // `CREATE TRIGGER [IF NOT EXISTS] name <timing> <event> [OF columns] ON table …`
    let words: Vec<&str> = lower.split_whitespace().take_while(|w| *w != "on").collect();
    let timing = if words.iter().any(|w| *w == "instead") {
        "instead of"
    } else if words.iter().any(|w| *w == "after") {
        "after"
    } else {
        "before"
    };
    let event = words
        .iter()
        .find(|w| matches!(**w, "insert" | "update" | "delete"))
        .copied()
        .unwrap_or("?");
    format!("{table}: trigger {timing} {event} for each row")
}

/// The key expressions (split at top-level commas) and the WHERE predicate of a
/// `CREATE [UNIQUE] INDEX name ON table (keys) [WHERE predicate]` statement.
fn split_index_sql(sql: &str) -> (Vec<String>, Option<String>) {
    let Some(open) = sql.find('(') else {
        return (Vec::new(), None);
    };
    let mut depth = 0;
    let mut keys = Vec::new();
    let mut current = String::new();
    let mut close = sql.len();
    let mut quote: Option<char> = None;
    for (i, c) in sql[open..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '(') => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    close = open + i;
                    break;
                }
            }
            (None, ',') if depth == 1 => {
                keys.push(std::mem::take(&mut current).trim().to_owned());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    keys.push(current.trim().to_owned());
    let rest = sql.get(close + 1..).unwrap_or_default().trim();
    let predicate = (rest.len() > 5 && rest[..5].eq_ignore_ascii_case("where")).then(|| rest[5..].trim().to_owned());
    (keys, predicate)
}

/// An index key without its trailing ASC/DESC (described separately).
fn strip_order(key: &str) -> &str {
    let lower = key.to_lowercase();
    for suffix in [" desc", " asc"] {
        if lower.ends_with(suffix) {
            return &key[..key.len() - suffix.len()];
        }
    }
    key
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

async fn describe_postgres(db: &Db) -> Vec<String> {
    let mut out = Vec::new();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    )
    .fetch_all(db)
    .await
    .expect("tables");
    out.extend(tables.iter().map(|(t,)| format!("{t}: table")));
    let views: Vec<(String,)> =
        sqlx::query_as("SELECT table_name::text FROM information_schema.views WHERE table_schema = current_schema()")
            .fetch_all(db)
            .await
            .expect("views");
    out.extend(views.iter().map(|(v,)| format!("{v}: view")));

    let columns: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text,
                c.column_default::text
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(db)
    .await
    .expect("columns");
    let mut order: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (table, name, data_type, nullable, default) in &columns {
        order.entry(table.as_str()).or_default().push(name.as_str());
        out.push(column_line(
            table,
            name,
            &postgres_type_family(data_type),
            nullable == "NO",
            default.as_deref(),
        ));
    }
    for (table, names) in order {
        out.push(format!("{table}: columns {}", names.join(", ")));
    }

    // Primary keys and unique constraints, columns in constraint order.
    let keys: Vec<(String, String, String, i64, String)> = sqlx::query_as(
        "SELECT con.conname::text, con.contype::text, t.relname::text, k.ord::bigint, a.attname::text
         FROM pg_constraint con
         JOIN pg_class t ON t.oid = con.conrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
         WHERE ns.nspname = current_schema() AND con.contype IN ('p', 'u')
         ORDER BY 1, 4",
    )
    .fetch_all(db)
    .await
    .expect("key constraints");
    let mut grouped: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for (name, kind, table, _, column) in &keys {
        grouped
            .entry((name.as_str(), kind.as_str(), table.as_str()))
            .or_default()
            .push(column.as_str());
    }
    for ((_, kind, table), columns) in grouped {
        let what = if kind == "p" { "primary key" } else { "unique" };
        out.push(format!("{table}: {what} ({})", columns.join(", ")));
    }

    // Indexes not backing a primary key or unique constraint, one row per key column.
    let index_keys: Vec<(
        String,
        String,
        bool,
        String,
        i64,
        String,
        bool,
        Option<String>,
        Option<String>,
    )> = sqlx::query_as(
        "SELECT i.relname::text, t.relname::text, x.indisunique, am.amname::text, k.n::bigint,
                    pg_get_indexdef(x.indexrelid, k.n, true)::text,
                    coalesce(pg_index_column_has_property(x.indexrelid, k.n, 'desc'), false),
                    pg_get_expr(x.indpred, x.indrelid, true)::text,
                    (SELECT string_agg(con.contype::text, ',') FROM pg_constraint con
                     WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid
                       AND con.contype IN ('p', 'u', 'x'))
             FROM pg_index x
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_namespace ns ON ns.oid = t.relnamespace
             JOIN pg_am am ON am.oid = i.relam
             CROSS JOIN LATERAL generate_series(1, x.indnkeyatts::int) AS k(n)
             WHERE ns.nspname = current_schema()
             ORDER BY 2, 1, 5",
    )
    .fetch_all(db)
    .await
    .expect("indexes");
    type Index<'a> = (bool, &'a str, Option<&'a str>, Option<&'a str>, Vec<String>);
    let mut indexes: BTreeMap<(&str, &str), Index> = BTreeMap::new();
    for (name, table, unique, method, _, key, desc, predicate, backs) in &index_keys {
        let entry = indexes.entry((table.as_str(), name.as_str())).or_insert_with(|| {
            (
                *unique,
                method.as_str(),
                predicate.as_deref(),
                backs.as_deref(),
                Vec::new(),
            )
        });
        let key = key.trim_matches('"');
        let is_column = key.chars().all(|c| c.is_alphanumeric() || c == '_');
        let key = if is_column {
            key.to_owned()
        } else {
            format!("expr:{}", loose(key))
        };
        entry.4.push(if *desc { format!("{key} desc") } else { key });
    }
    for ((table, name), (unique, method, predicate, backs, columns)) in indexes {
        match backs {
            Some("p") | Some("u") => {} // described by the constraint
            _ => {
                let mut notes = Vec::new();
                if method != "btree" {
                    notes.push(format!("using {method}"));
                }
                if let Some(kind) = backs {
                    notes.push(format!("backs constraint {kind}"));
                }
                let notes = (!notes.is_empty()).then(|| notes.join(" "));
                out.push(index_line(table, name, unique, &columns, predicate, notes.as_deref()));
            }
        }
    }

    let foreign: Vec<(String, String, i64, String, String, String, String, String)> = sqlx::query_as(
        "SELECT con.conname::text, t.relname::text, k.ord::bigint, a.attname::text, rt.relname::text,
                ra.attname::text, con.confdeltype::text, con.confupdtype::text
         FROM pg_constraint con
         JOIN pg_class t ON t.oid = con.conrelid
         JOIN pg_class rt ON rt.oid = con.confrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, refnum, ord)
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
         JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.refnum
         WHERE ns.nspname = current_schema() AND con.contype = 'f'
         ORDER BY 2, 1, 3",
    )
    .fetch_all(db)
    .await
    .expect("foreign keys");
    type Foreign<'a> = (&'a str, Vec<&'a str>, Vec<&'a str>, &'a str, &'a str);
    let mut grouped: BTreeMap<(&str, &str), Foreign> = BTreeMap::new();
    for (name, table, _, column, referenced, ref_column, on_delete, on_update) in &foreign {
        let entry = grouped.entry((table.as_str(), name.as_str())).or_insert_with(|| {
            (
                referenced.as_str(),
                Vec::new(),
                Vec::new(),
                on_delete.as_str(),
                on_update.as_str(),
            )
        });
        entry.1.push(column.as_str());
        entry.2.push(ref_column.as_str());
    }
    for ((table, _), (referenced, from, to, on_delete, on_update)) in grouped {
        let to: Vec<String> = to.into_iter().map(str::to_owned).collect();
        out.push(foreign_key_line(
            table,
            &from,
            referenced,
            &to,
            postgres_action(on_delete),
            postgres_action(on_update),
        ));
    }

    // information_schema.triggers has one row per event; internal (foreign key) triggers
    // are not in it.
    let triggers: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT event_object_table::text, action_timing::text, event_manipulation::text,
                action_orientation::text
         FROM information_schema.triggers WHERE trigger_schema = current_schema()",
    )
    .fetch_all(db)
    .await
    .expect("triggers");
    for (table, timing, event, level) in &triggers {
        out.push(format!(
            "{table}: trigger {} {} for each {}",
            timing.to_lowercase(),
            event.to_lowercase(),
            level.to_lowercase()
        ));
    }
    out.sort();
    out
}

/// PostgreSQL's `information_schema.columns.data_type` → family (see the module documentation).
fn postgres_type_family(data_type: &str) -> String {
    match data_type {
        "bigint" => "integer",
        "integer" => "int32",
        "smallint" => "int16",
        "text" | "character varying" | "character" => "text",
        "double precision" => "real",
        "real" => "real4",
        "bytea" => "bytes",
        "boolean" => "boolean",
        "numeric" => "numeric",
        other => return format!("postgres:{other}"),
    }
    .to_owned()
}

fn postgres_action(code: &str) -> &'static str {
    match code {
        "a" => "no action",
        "r" => "restrict",
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        _ => "?",
    }
}

// ---------------------------------------------------------------------------------------------
// Description lines, the same for both engines

fn column_line(table: &str, name: &str, family: &str, not_null: bool, default: Option<&str>) -> String {
    let null = if not_null { "not null" } else { "null" };
    let default = match default {
        None => "-".to_owned(),
        Some(d) if d.trim().eq_ignore_ascii_case("null") => "-".to_owned(),
        Some(d) => match loose(d) {
            empty if empty.is_empty() => "''".to_owned(),
            value => value,
        },
    };
    format!("{table}: column {name} {family} {null} default {default}")
}

fn index_line(
    table: &str,
    name: &str,
    unique: bool,
    columns: &[String],
    predicate: Option<&str>,
    notes: Option<&str>,
) -> String {
    let mut line = format!(
        "{table}: {}index {name} ({})",
        if unique { "unique " } else { "" },
        columns.join(", ")
    );
    if let Some(predicate) = predicate {
        line.push_str(&format!(" where {}", loose(predicate)));
    }
    if let Some(notes) = notes {
        line.push_str(&format!(" [{notes}]"));
    }
    line
}

fn foreign_key_line(
    table: &str,
    from: &[&str],
    referenced: &str,
    to: &[String],
    on_delete: &str,
    on_update: &str,
) -> String {
    format!(
        "{table}: foreign key ({}) -> {referenced} ({}) on delete {on_delete} on update {on_update}",
        from.join(", "),
        to.join(", ")
    )
}

/// Loose form of an expression: lowercase, casts (`::text`, `::character varying(20)`,
/// `::text[]`) removed, then quotes, parentheses and whitespace removed.
fn loose(expression: &str) -> String {
    let lower = expression.to_lowercase();
    let mut without_casts = String::with_capacity(lower.len());
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("::") {
        without_casts.push_str(&rest[..at]);
        rest = &rest[at + 2..];
        let name_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        rest = &rest[name_end..];
        // Type names of several words.
        for tail in [" varying", " precision", " with time zone", " without time zone"] {
            if let Some(after) = rest.strip_prefix(tail) {
                rest = after;
            }
        }
        // A length or precision, then array brackets.
        if rest.starts_with('(') {
            if let Some(close) = rest.find(')') {
                rest = &rest[close + 1..];
            }
        }
        while let Some(after) = rest.strip_prefix("[]") {
            rest = after;
        }
    }
    without_casts.push_str(rest);
    without_casts
        .chars()
        .filter(|c| !matches!(c, '\'' | '"' | '`' | '(' | ')') && !c.is_whitespace())
        .collect()
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
