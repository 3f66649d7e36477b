//! Describes a migrated PostgreSQL database (`information_schema`, `pg_catalog`) as description lines.

use std::collections::BTreeMap;

use zhujian::platform::db::Db;

use super::lines::{column_line, foreign_key_line, index_line, loose};

pub(super) async fn describe_postgres(db: &Db) -> Vec<String> {
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
pub(super) fn postgres_type_family(data_type: &str) -> String {
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
