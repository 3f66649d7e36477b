//! Enterprises searched, filtered, sorted and paged in SQL: the list the API answers at
//! `GET /enterprises` (with the default search: everything, by name) and the console's table.

use std::collections::BTreeSet;

use super::{EnterpriseRow, BOUNDS, COLUMNS};
use crate::auth::Bounds;
use crate::platform::db::Conn;
use crate::platform::ids::EnterpriseId;
use crate::platform::sorting::{self, Order};

/// What a list of enterprises can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    #[default]
    Name,
    CreditCode,
    District,
    Locality,
    CreatedAt,
}

impl sorting::SortKey for SortKey {
    const ALL: &'static [SortKey] = &[
        SortKey::Name,
        SortKey::CreditCode,
        SortKey::District,
        SortKey::Locality,
        SortKey::CreatedAt,
    ];

    fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::CreditCode => "credit_code",
            SortKey::District => "district",
            SortKey::Locality => "locality",
            SortKey::CreatedAt => "created_at",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            SortKey::Name => &["name"],
            SortKey::CreditCode => &["credit_code"],
            SortKey::District => &["district_code", "name"],
            SortKey::Locality => &["locality", "name"],
            SortKey::CreatedAt => &["created_at"],
        }
    }
}

/// Which enterprises to list, and in which order. Empty filters select everything.
#[derive(Default, Debug)]
pub struct Search {
    /// Part of the name or of the credit code.
    pub text: Option<String>,
    pub district: Option<String>,
    /// `local` or `non_local`.
    pub locality: Option<String>,
    /// Whether the enterprise holds a safety production licence.
    pub safety_licence: Option<bool>,
    /// Holds a qualification whose category contains this (e.g. 施工总承包).
    pub qualification: Option<String>,
    pub order: Order<SortKey>,
}

/// `%text%` for LIKE, with LIKE's own characters escaped.
fn contains(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// The most pieces of a searched text looked up: each narrows the candidates, and past a few
/// the LIKE that follows on those candidates costs less than another lookup.
const MOST_GRAMS: usize = 8;

/// A text's two-character pieces, ASCII letters in lower case, in the order they occur
/// (migration 0037 cuts the enterprises registered before it in the same way). A name or
/// credit code that contains a text, as LIKE compares them on either engine, holds every
/// piece of that text.
fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    chars.windows(2).map(|pair| pair.iter().collect()).collect()
}

/// The pieces an enterprise is found by: those of its name and of its credit code.
pub fn search_grams(name: &str, credit_code: &str) -> BTreeSet<String> {
    pieces(name).into_iter().chain(pieces(credit_code)).collect()
}

/// The pieces of a searched text to look up, each once.
fn searched_grams(text: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    pieces(text)
        .into_iter()
        .filter(|g| seen.insert(g.clone()))
        .take(MOST_GRAMS)
        .collect()
}

/// Cuts an enterprise's search pieces from its name and credit code as stored (on opening and
/// on a change of name, in the act's transaction).
pub async fn index_for_search(conn: &mut Conn, id: &EnterpriseId) -> Result<(), sqlx::Error> {
    let (name, credit_code): (String, String) =
        sqlx::query_as("SELECT name, credit_code FROM enterprises WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    drop_from_search(&mut *conn, id).await?;
    let grams = search_grams(&name, &credit_code);
    if grams.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..grams.len()).map(|i| format!("(${}, $1)", i + 2)).collect();
    let sql = format!(
        "INSERT INTO enterprise_search_grams (gram, enterprise_id) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(id);
    for gram in &grams {
        query = query.bind(gram.as_str());
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Removes an enterprise's search pieces (before the enterprise itself is removed).
pub(super) async fn drop_from_search(conn: &mut Conn, id: &EnterpriseId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM enterprise_search_grams WHERE enterprise_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Search {
    /// The WHERE conditions after the bounds, each with its text values in placeholder order
    /// from `$first`.
    fn conditions(&self, first: usize) -> (Vec<String>, Vec<String>) {
        let mut sql = Vec::new();
        let mut values: Vec<String> = Vec::new();
        let next = |values: &mut Vec<String>, value: String| {
            values.push(value);
            first + values.len() - 1
        };
        if let Some(text) = &self.text {
            // The pieces pick the candidates through their index; LIKE decides among them.
            for gram in searched_grams(text) {
                let n = next(&mut values, gram);
                sql.push(format!(
                    "id IN (SELECT enterprise_id FROM enterprise_search_grams WHERE gram = ${n})"
                ));
            }
            let name = next(&mut values, contains(text));
            let code = next(&mut values, contains(&text.to_uppercase()));
            sql.push(format!(
                "(name LIKE ${name} ESCAPE '\\' OR credit_code LIKE ${code} ESCAPE '\\')"
            ));
        }
        if let Some(district) = &self.district {
            sql.push(format!("district_code = ${}", next(&mut values, district.clone())));
        }
        if let Some(locality) = &self.locality {
            sql.push(format!("locality = ${}", next(&mut values, locality.clone())));
        }
        match self.safety_licence {
            Some(true) => sql.push("safety_licence_number IS NOT NULL".into()),
            Some(false) => sql.push("safety_licence_number IS NULL".into()),
            None => {}
        }
        if let Some(category) = &self.qualification {
            let n = next(&mut values, contains(category));
            sql.push(format!(
                "EXISTS (SELECT 1 FROM enterprise_qualifications q WHERE q.enterprise_id = enterprises.id \
                 AND q.category LIKE ${n} ESCAPE '\\')"
            ));
        }
        (sql, values)
    }
}

/// One page of the enterprises within `bounds` that `search` selects, in its order.
pub async fn search(
    conn: &mut Conn,
    bounds: &Bounds,
    search: &Search,
    limit: i64,
    offset: i64,
) -> Result<Vec<EnterpriseRow>, sqlx::Error> {
    // $1 and $2 are the page; the filters follow; the bounds' value is last.
    let (mut conditions, values) = search.conditions(3);
    let within = bounds.condition(&BOUNDS, 3 + values.len());
    conditions.insert(0, within.to_string());
    let filter = conditions.join(" AND ");
    let order = search.order.sql("id");
    let sql = format!("SELECT {COLUMNS} FROM enterprises WHERE {filter} ORDER BY {order} LIMIT $1 OFFSET $2");
    let mut query = sqlx::query_as(&sql).bind(limit).bind(offset);
    for value in &values {
        query = query.bind(value.as_str());
    }
    within.bind(query).fetch_all(&mut *conn).await
}

/// How many enterprises within `bounds` `search` selects (for a table's pager).
pub async fn count(conn: &mut Conn, bounds: &Bounds, search: &Search) -> Result<i64, sqlx::Error> {
    let (mut conditions, values) = search.conditions(1);
    let within = bounds.condition(&BOUNDS, 1 + values.len());
    conditions.insert(0, within.to_string());
    let sql = format!("SELECT COUNT(*) FROM enterprises WHERE {}", conditions.join(" AND "));
    let mut count = sqlx::query_scalar(&sql);
    for value in &values {
        count = count.bind(value.as_str());
    }
    within.bind(count).fetch_one(&mut *conn).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_characters_in_the_text_are_literal() {
        assert_eq!(contains("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn a_name_or_code_holds_every_piece_of_a_text_it_contains() {
        let held = search_grams("济南Abc建设有限公司", "91370100MA3C5X2Q7K");
        for text in ["建设", "abc建", "济南A", "MA3C", "3c5x", "100M"] {
            let wanted = searched_grams(text);
            assert!(!wanted.is_empty(), "{text}");
            assert!(
                wanted.iter().all(|g| held.contains(g)),
                "{text}: {wanted:?} not in {held:?}"
            );
        }
        assert!(!searched_grams("历城").iter().all(|g| held.contains(g)));
    }

    #[test]
    fn a_searched_text_looks_up_each_piece_once_and_a_few_at_most() {
        assert_eq!(searched_grams("建设建设"), ["建设", "设建"]);
        assert!(searched_grams("建").is_empty());
        assert_eq!(searched_grams("一二三四五六七八九十甲乙").len(), MOST_GRAMS);
        assert_eq!(search_grams("AB", "ab"), BTreeSet::from(["ab".to_owned()]));
    }

    #[test]
    fn a_text_of_two_characters_or_more_is_looked_up_by_its_pieces() {
        let search = Search {
            text: Some("建设".into()),
            ..Search::default()
        };
        let (sql, values) = search.conditions(1);
        assert_eq!(values, ["建设", "%建设%", "%建设%"]);
        assert_eq!(
            sql[0],
            "id IN (SELECT enterprise_id FROM enterprise_search_grams WHERE gram = $1)"
        );
        assert!(sql[1].contains("$2") && sql[1].contains("$3"), "{sql:?}");
    }

    #[test]
    fn placeholders_follow_the_values_in_order() {
        let search = Search {
            text: Some("建".into()),
            district: Some("370102".into()),
            qualification: Some("施工总承包".into()),
            safety_licence: Some(true),
            ..Search::default()
        };
        let (sql, values) = search.conditions(3);
        assert_eq!(values, ["%建%", "%建%", "370102", "%施工总承包%"]);
        assert!(sql[0].contains("$3") && sql[0].contains("$4"), "{sql:?}");
        assert_eq!(sql[1], "district_code = $5");
        assert_eq!(sql[2], "safety_licence_number IS NOT NULL");
        assert!(sql[3].ends_with("q.category LIKE $6 ESCAPE '\\')"), "{sql:?}");
    }
}
