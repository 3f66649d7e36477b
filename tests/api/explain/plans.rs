//! The generic plan of a query, with sequential scans disabled: PostgreSQL 15 has no
//! `EXPLAIN (GENERIC_PLAN)`, so the query is prepared, planned generically
//! (`plan_cache_mode = force_generic_plan`) and explained executing with NULL parameters. With
//! `enable_seqscan = off` a Seq Scan that remains means no index can serve the query.

use serde_json::Value;
use sqlx::{Connection, Row};

pub struct Planner {
    conn: sqlx::PgConnection,
    /// Tables without a row, which the planner takes as empty whatever it is told.
    empty: Vec<String>,
    /// Partial indexes (`WHERE state = 'held'`…) with the columns their condition names: read
    /// whole, they give the rows they were made for (a queue, the active ones), and on a
    /// test's few rows, without statistics, the planner takes their condition for a selective
    /// one. Their full scans are judged only when the rows read are filtered further on
    /// other columns (an index could have served that condition).
    partial: Vec<(String, Vec<String>)>,
    /// Each table's columns.
    columns: Vec<(String, Vec<String>)>,
}

impl Planner {
    /// A planner on the database at `url`, which first makes the planner believe every table
    /// but `small` holds a million rows: on the few rows of a test, reading a whole table
    /// costs next to nothing and is chosen even where an index would serve. (The planner
    /// scales `reltuples / relpages` by the table's actual size, so a table with a row is
    /// taken as a million; an empty one stays empty.)
    pub async fn connect(url: &str, small: &[&str]) -> Planner {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect to explain");
        let small: Vec<String> = small.iter().map(|t| t.to_string()).collect();
        // Their indexes too: a partial index is sized by its own entry.
        sqlx::query(
            "UPDATE pg_class c SET relpages = 1, reltuples = 1000000 \
             WHERE c.relnamespace = 'public'::regnamespace AND NOT c.relname = ANY($1) AND (c.relkind = 'r' \
               OR (c.relkind = 'i' AND NOT (SELECT t.relname FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid \
                                            WHERE x.indexrelid = c.oid) = ANY($1)))",
        )
        .bind(&small)
        .execute(&mut conn)
        .await
        .expect("table sizes set (the test connects as a superuser)");
        let empty = sqlx::query_scalar(
            "SELECT relname::text FROM pg_class \
             WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND pg_relation_size(oid) = 0",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        // Each partial index with the columns its condition names; each table with its columns.
        let partial = sqlx::query_as(
            "SELECT x.indexrelid::regclass::text, array(SELECT a.attname::text FROM pg_attribute a \
               WHERE a.attrelid = x.indrelid AND a.attnum > 0 \
                 AND pg_get_expr(x.indpred, x.indrelid) ~ ('\\m' || a.attname || '\\M')) \
             FROM pg_index x WHERE x.indpred IS NOT NULL",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let columns = sqlx::query_as(
            "SELECT c.relname::text, array(SELECT a.attname::text FROM pg_attribute a \
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) \
             FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        conn.close().await.ok();
        // A new session reads the sizes afresh.
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect to explain");
        sqlx::raw_sql(
            "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off; \
             SET enable_hashjoin = off; SET enable_mergejoin = off",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        Planner {
            conn,
            empty,
            partial,
            columns,
        }
    }

    /// What `query`'s generic plan reads whole, or why it could not be planned.
    pub async fn plan(&mut self, query: &str) -> Result<Plan, String> {
        self.prepare(query).await?;
        let count: i32 = sqlx::query_scalar(
            "SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE name = 'zj_guard'",
        )
        .fetch_one(&mut self.conn)
        .await
        .map_err(|e| e.to_string())?;
        let nulls = vec!["NULL"; count as usize].join(", ");
        let execute = if count == 0 {
            "EXPLAIN (FORMAT JSON) EXECUTE zj_guard".to_owned()
        } else {
            format!("EXPLAIN (FORMAT JSON) EXECUTE zj_guard({nulls})")
        };
        let rows = sqlx::raw_sql(&execute).fetch_all(&mut self.conn).await;
        sqlx::raw_sql("DEALLOCATE zj_guard")
            .execute(&mut self.conn)
            .await
            .unwrap();
        let rows = rows.map_err(|e| e.to_string())?;
        let text: String = rows[0].try_get_unchecked(0).unwrap();
        let plan: Value = serde_json::from_str(&text).unwrap();
        let mut scans = Vec::new();
        full_scans(&plan[0]["Plan"], false, self, &mut scans);
        // On an empty table the planner's choice among indexes means nothing; only a Seq
        // Scan (no index at all) does.
        scans.retain(|s| s.how == "Seq Scan" || !self.empty.contains(&s.table));
        scans.dedup();
        let mut outline = String::new();
        let mut tables = Vec::new();
        describe(&plan[0]["Plan"], 0, &mut outline, &mut tables);
        let empty = tables.iter().filter(|t| self.empty.contains(t)).count();
        Ok(Plan { scans, outline, empty })
    }

    /// Prepares `query` as `zj_guard`; a parameter whose type the query leaves open (`$1 IS
    /// NULL` alone) is given as text, as the driver binds it.
    async fn prepare(&mut self, query: &str) -> Result<(), String> {
        let mut types = vec!["unknown"; highest_parameter(query)];
        loop {
            let declared = if types.is_empty() {
                String::new()
            } else {
                format!("({})", types.join(", "))
            };
            let prepare = format!("PREPARE zj_guard{declared} AS {query}");
            match sqlx::raw_sql(&prepare).execute(&mut self.conn).await {
                Ok(_) => return Ok(()),
                Err(e) => {
                    let message = e.to_string();
                    let open = message
                        .split_once("could not determine data type of parameter $")
                        .and_then(|(_, n)| n.trim().parse::<usize>().ok());
                    match open {
                        Some(n) if n >= 1 && n <= types.len() && types[n - 1] == "unknown" => types[n - 1] = "text",
                        _ => return Err(message),
                    }
                }
            }
        }
    }
}

/// The highest `$n` in `query`.
fn highest_parameter(query: &str) -> usize {
    let bytes = query.as_bytes();
    let mut highest = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let digits: String = query[i + 1..].chars().take_while(|c| c.is_ascii_digit()).collect();
            if let Ok(n) = digits.parse::<usize>() {
                highest = highest.max(n);
            }
            i += 1 + digits.len();
        } else {
            i += 1;
        }
    }
    highest
}

/// A scan that reads a whole table, found in a plan node and those beneath it, each with the
/// table's name: a Seq Scan; an index scan without an index condition (a partial index read
/// whole, or an index read in its order to be sorted or joined), except one read in its order
/// up to a LIMIT (a page of a list, in the order of its index).
#[derive(Debug, PartialEq)]
pub struct Scan {
    pub table: String,
    pub how: &'static str,
}

fn full_scans(node: &Value, up_to_limit: bool, planner: &Planner, out: &mut Vec<Scan>) {
    let kind = node["Node Type"].as_str().unwrap_or_default();
    let table = node["Relation Name"].as_str().unwrap_or_default().to_owned();
    match kind {
        "Seq Scan" => out.push(Scan { table, how: "Seq Scan" }),
        "Index Scan" | "Index Only Scan" if node.get("Index Cond").is_none() && !up_to_limit => {
            let index = node["Index Name"].as_str().unwrap_or_default();
            let filter = node["Filter"].as_str().unwrap_or_default();
            let judged = match planner.partial.iter().find(|(p, _)| p == index) {
                None => true,
                Some((_, condition)) => planner
                    .columns
                    .iter()
                    .filter(|(t, _)| *t == table)
                    .flat_map(|(_, columns)| columns)
                    .any(|c| names(filter, c) && !condition.contains(c)),
            };
            if judged {
                out.push(Scan {
                    table,
                    how: "full index scan",
                })
            }
        }
        _ => {}
    }
    for (i, child) in node["Plans"].as_array().into_iter().flatten().enumerate() {
        // The outer side of a nested loop streams on towards the LIMIT; nothing else does.
        let streams = kind == "Limit" || (kind == "Nested Loop" && i == 0 && up_to_limit);
        full_scans(child, streams, planner, out);
    }
}

/// What a plan reads whole, the plan itself one node a line, and how many of the tables it
/// reads are empty in this database (the fewer, the more its costs mean).
pub struct Plan {
    pub scans: Vec<Scan>,
    pub outline: String,
    pub empty: usize,
}

/// The plan, one node a line, as a finding shows it; and the tables it reads.
fn describe(node: &Value, depth: usize, out: &mut String, tables: &mut Vec<String>) {
    if let Some(table) = node["Relation Name"].as_str() {
        if !tables.iter().any(|t| t == table) {
            tables.push(table.to_owned());
        }
    }
    let text = |key: &str| node[key].as_str().map(|v| format!(" [{key}: {v}]")).unwrap_or_default();
    out.push_str(&format!(
        "{}{}{}{}{}{}{}\n",
        "  ".repeat(depth),
        node["Node Type"].as_str().unwrap_or_default(),
        text("Relation Name"),
        text("Index Name"),
        text("Index Cond"),
        text("Filter"),
        text("Join Filter"),
    ));
    for child in node["Plans"].as_array().into_iter().flatten() {
        describe(child, depth + 1, out, tables);
    }
}

/// Whether `text` names `column` as a word.
fn names(text: &str, column: &str) -> bool {
    text.match_indices(column).any(|(at, _)| {
        let word = |c: char| c.is_alphanumeric() || c == '_';
        let before = text[..at].chars().next_back().is_none_or(|c| !word(c));
        let after = text[at + column.len()..].chars().next().is_none_or(|c| !word(c));
        before && after
    })
}
