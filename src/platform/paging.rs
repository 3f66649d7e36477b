//! Paging of list endpoints: `?page=1&per_page=50`, at most 200 a page. A page number below 1
//! or a page size outside 1..=200 is refused (400), as the document declares.

use serde::{de::Error, Deserialize, Deserializer};
use utoipa::IntoParams;

pub const MAX_PER_PAGE: u32 = 200;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// 1-based page number (default 1).
    #[serde(default, deserialize_with = "page")]
    #[param(minimum = 1)]
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

/// `deserialize_with` for a page number: at least 1.
pub fn page<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    let page = Option::<u32>::deserialize(deserializer)?;
    match page {
        Some(0) => Err(D::Error::custom("page starts at 1")),
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
