//! Describes a migrated SQLite database (PRAGMAs and `sqlite_master`) as description lines.

use std::collections::BTreeMap;

use zhujian::platform::db::Db;

use super::lines::{column_line, foreign_key_line, index_line, loose};

pub(super) async fn describe_sqlite(db: &Db) -> Vec<String> {
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
pub(super) fn sqlite_type_family(declared: &str) -> String {
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
pub(super) fn split_index_sql(sql: &str) -> (Vec<String>, Option<String>) {
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
