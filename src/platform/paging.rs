//! Paging of list endpoints: `?page=1&per_page=50`, at most 200 a page. A page number outside
//! 1..=1000000 or a page size outside 1..=200 is refused (400), as the document declares.

use serde::{de::Error, Deserialize, Deserializer};
use utoipa::IntoParams;

pub const MAX_PER_PAGE: u32 = 200;
pub const MAX_PAGE: u32 = 1_000_000;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

impl Page {
    pub fn limit_offset(&self) -> (i64, i64) {
        let per_page = i64::from(self.per_page.unwrap_or(50).clamp(1, MAX_PER_PAGE));
        let page = i64::from(self.page.unwrap_or(1).max(1));
        (per_page, (page - 1) * per_page)
    }
}

/// `deserialize_with` for a page number: 1 to `MAX_PAGE`.
pub fn page<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    let page = Option::<u32>::deserialize(deserializer)?;
    match page {
        Some(n) if !(1..=MAX_PAGE).contains(&n) => Err(D::Error::custom("page is 1 to 1000000")),
        _ => Ok(page),
    }
}

/// `deserialize_with` for a page size: 1 to `MAX_PER_PAGE`.
pub fn per_page<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    let per_page = Option::<u32>::deserialize(deserializer)?;
    match per_page {
        Some(n) if !(1..=MAX_PER_PAGE).contains(&n) => Err(D::Error::custom("per_page is 1 to 200")),
        _ => Ok(per_page),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(json: &str) -> Result<Page, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn page_and_size_outside_their_bounds_are_refused() {
        assert_eq!(page("{}").unwrap().limit_offset(), (50, 0));
        assert_eq!(
            page(r#"{"page": 3, "per_page": 200}"#).unwrap().limit_offset(),
            (200, 400)
        );
        assert_eq!(
            page(r#"{"page": 1000000, "per_page": 1}"#).unwrap().limit_offset(),
            (1, 999_999)
        );
        for refused in [
            r#"{"per_page": 201}"#,
            r#"{"per_page": 0}"#,
            r#"{"page": 0}"#,
            r#"{"page": 1000001}"#,
            r#"{"per_page": 2147483648}"#,
        ] {
            assert!(page(refused).is_err(), "{refused}");
        }
    }
}
