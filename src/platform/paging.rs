//! Paging of list endpoints: `?page=1&per_page=50`, at most 200 a page.

use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    pub per_page: Option<u32>,
}

impl Page {
    pub fn limit_offset(&self) -> (i64, i64) {
        let per_page = i64::from(self.per_page.unwrap_or(50).clamp(1, 200));
        let page = i64::from(self.page.unwrap_or(1).max(1));
        (per_page, (page - 1) * per_page)
    }
}
