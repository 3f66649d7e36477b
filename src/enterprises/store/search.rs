//! Enterprises searched, filtered, sorted and paged in SQL: the list the API answers at
//! `GET /enterprises` (with the default search: everything, by name) and the console's table.

use super::{EnterpriseRow, BOUNDS, COLUMNS};
use crate::auth::Bounds;
use crate::platform::db::Conn;
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
