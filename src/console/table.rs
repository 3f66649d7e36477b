//! A table that pages and sorts on the server: its query (`?sort=&dir=&page=` beside the
//! page's filters), the links of its column headers and of its pager. Every link keeps the
//! filters, so a sorted, filtered, paged table is an address that can be bookmarked, and
//! works without JavaScript (htmx only swaps the table in place).

use std::future::Future;

use serde::Deserialize;

use crate::platform::error::ApiResult;
use crate::platform::paging::{Page, MAX_PAGE};

/// Rows a console table shows on a page.
pub const PER_PAGE: u32 = 20;

/// The table's part of a page's query. Values the console does not know fall back to the
/// defaults instead of failing: they come from links, and a hand-edited address should still
/// show a table.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct TableQuery {
    pub sort: String,
    pub dir: String,
    pub page: String,
}

/// One table's state: where it is, its filters, its sort and page.
pub struct Table {
    path: String,
    filters: Vec<(&'static str, String)>,
    /// The sort key, as the query spells it.
    pub sort: &'static str,
    pub descending: bool,
    pub page: u32,
}

/// A column header: its label, and the link that sorts by it (none for unsortable columns).
pub struct Column {
    pub label: &'static str,
    pub href: Option<String>,
    /// `ascending`, `descending`, or empty when the table is not sorted by this column.
    pub aria_sort: &'static str,
    /// The sort's arrow after the label.
    pub mark: &'static str,
    /// The sort key, for tests and styling.
    pub key: &'static str,
}

/// The pager under a table.
pub struct Pager {
    pub total: usize,
    pub page: u32,
    pub pages: u32,
    /// The first and last row shown, counted from 1 (0 and 0 when there are none).
    pub from: usize,
    pub to: usize,
    pub first: Option<String>,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub last: Option<String>,
}

impl Table {
    /// The table at `path` with its non-empty `filters`, sorted by the query's key if it is one
    /// of `keys` (else `keys[0]`).
    pub fn new(path: &str, filters: Vec<(&'static str, String)>, query: &TableQuery, keys: &[&'static str]) -> Table {
        let sort = keys.iter().copied().find(|k| *k == query.sort).unwrap_or(keys[0]);
        let page = query.page.trim().parse::<u32>().unwrap_or(1).clamp(1, MAX_PAGE);
        Table {
            path: path.to_owned(),
            filters: filters.into_iter().filter(|(_, v)| !v.trim().is_empty()).collect(),
            sort,
            descending: query.dir == "desc",
            page,
        }
    }

    /// The page to read.
    pub fn paging(&self) -> Page {
        Page {
            page: Some(self.page),
            per_page: Some(PER_PAGE),
        }
    }

    /// This table's address with another sort or page.
    pub fn href(&self, sort: &str, descending: bool, page: u32) -> String {
        let mut pairs: Vec<(&str, String)> = self.filters.iter().map(|(k, v)| (*k, v.clone())).collect();
        pairs.push(("sort", sort.to_owned()));
        pairs.push(("dir", if descending { "desc" } else { "asc" }.to_owned()));
        pairs.push(("page", page.to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}?{query}", self.path)
    }

    /// The filters as a query string without sort or page (an export keeps only them).
    pub fn filter_query(&self) -> String {
        serde_urlencoded::to_string(&self.filters).unwrap_or_default()
    }

    /// A header sorting by `key`: the sorted column's link turns its direction around; another
    /// column's sorts ascending. Either goes back to the first page.
    pub fn column(&self, label: &'static str, key: Option<&'static str>) -> Column {
        let Some(key) = key else {
            return Column {
                label,
                href: None,
                aria_sort: "",
                mark: "",
                key: "",
            };
        };
        let sorted = key == self.sort;
        let (aria_sort, mark) = match (sorted, self.descending) {
            (true, false) => ("ascending", " ▲"),
            (true, true) => ("descending", " ▼"),
            (false, _) => ("", ""),
        };
        Column {
            label,
            href: Some(self.href(key, sorted && !self.descending, 1)),
            aria_sort,
            mark,
            key,
        }
    }

    /// The pager for `total` rows.
    pub fn pager(&self, total: usize) -> Pager {
        let per_page = PER_PAGE as usize;
        let pages = total.div_ceil(per_page).max(1) as u32;
        let page = self.page;
        let link = |n: u32| Some(self.href(self.sort, self.descending, n));
        let first_row = (page as usize - 1) * per_page + 1;
        let shown = first_row <= total;
        Pager {
            total,
            page,
            pages,
            from: if shown { first_row } else { 0 },
            to: if shown {
                (page as usize * per_page).min(total)
            } else {
                0
            },
            first: (page > 1).then(|| link(1)).flatten(),
            previous: (page > 1).then(|| link((page - 1).min(pages))).flatten(),
            next: (page < pages).then(|| link(page + 1)).flatten(),
            last: (page < pages).then(|| link(pages)).flatten(),
        }
    }
}

/// A list's total and one page of it, read through the API's functions: the count first, then
/// the page (a refusal of either is the page's answer).
pub async fn counted<T>(
    count: impl Future<Output = ApiResult<i64>>,
    page: impl Future<Output = ApiResult<Vec<T>>>,
) -> ApiResult<(usize, Vec<T>)> {
    let total = count.await?;
    Ok((total.max(0) as usize, page.await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(sort: &str, dir: &str, page: &str) -> Table {
        let query = TableQuery {
            sort: sort.into(),
            dir: dir.into(),
            page: page.into(),
        };
        let filters = vec![("q", "建设 集团".to_owned()), ("district", String::new())];
        Table::new("/console/enterprises", filters, &query, &["name", "created_at"])
    }

    #[test]
    fn links_keep_the_filters_and_turn_the_sorted_column_around() {
        let t = table("name", "asc", "3");
        let name = t.column("名称", Some("name"));
        assert_eq!(name.aria_sort, "ascending");
        assert_eq!(
            name.href.as_deref(),
            Some("/console/enterprises?q=%E5%BB%BA%E8%AE%BE+%E9%9B%86%E5%9B%A2&sort=name&dir=desc&page=1")
        );
        let created = t.column("时间", Some("created_at"));
        assert_eq!(created.aria_sort, "");
        assert!(created.href.unwrap().ends_with("sort=created_at&dir=asc&page=1"));
        assert!(t.column("操作", None).href.is_none());
        assert_eq!(t.filter_query(), "q=%E5%BB%BA%E8%AE%BE+%E9%9B%86%E5%9B%A2");
    }

    #[test]
    fn unknown_sorts_and_pages_fall_back_and_the_pager_counts() {
        let t = table("password_hash", "sideways", "-4");
        assert_eq!((t.sort, t.descending, t.page), ("name", false, 1));
        let t = table("created_at", "desc", "2");
        let pager = t.pager(45);
        assert_eq!((pager.pages, pager.from, pager.to), (3, 21, 40));
        assert!(pager.previous.unwrap().ends_with("sort=created_at&dir=desc&page=1"));
        assert!(pager.last.unwrap().ends_with("page=3"));
        let beyond = table("name", "", "9").pager(45);
        assert_eq!((beyond.from, beyond.to, beyond.next.is_none()), (0, 0, true));
        assert_eq!(table("name", "", "1").pager(0).pages, 1);
    }
}
