//! Journey 2: enterprises. The list searched, filtered, sorted and paged on the server, and an
//! enterprise's page (profile, qualifications, documents previewed inline, change history),
//! both read through the API's own functions (`enterprises::routes::reading`) with the
//! session's caller, so a district's staff see their district only and another district's
//! enterprise is the API's 404.

mod detail;

pub use detail::enterprise;

use askama::Template;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;

use super::page::{html, refused, Frame};
use super::session::Console;
use super::table::{counted, Column, Pager, Table, TableQuery};
use super::texts::ListTexts;
use crate::enterprises::routes::reading;
use crate::enterprises::{EnterpriseRow, Search, SortKey};
use crate::platform::clock::china_time;
use crate::platform::sorting::{Order, SortKey as _};
use crate::state::AppState;

const PATH: &str = "/console/enterprises";
/// Search text beyond this is cut: nothing longer is a name or a code.
const MAX_TEXT: usize = 100;

/// The list's query: its filters and the table's sort and page.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    district: String,
    locality: String,
    licence: String,
    qualification: String,
    #[serde(flatten)]
    table: TableQuery,
}

impl ListQuery {
    fn filters(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("district", self.district.clone()),
            ("locality", self.locality.clone()),
            ("licence", self.licence.clone()),
            ("qualification", self.qualification.clone()),
        ]
    }

    /// The search the query asks for; values outside a filter's choices filter nothing.
    fn search(&self, table: &Table) -> Search {
        let text = |v: &str| Some(v.trim().chars().take(MAX_TEXT).collect::<String>()).filter(|v| !v.is_empty());
        Search {
            text: text(&self.q),
            district: text(&self.district),
            locality: Some(self.locality.clone()).filter(|l| matches!(l.as_str(), "local" | "non_local")),
            safety_licence: match self.licence.as_str() {
                "held" => Some(true),
                "none" => Some(false),
                _ => None,
            },
            qualification: text(&self.qualification),
            order: Order::parse(table.sort, table.descending),
        }
    }
}

/// An enterprise as listed.
struct Row {
    id: String,
    name: String,
    credit_code: String,
    district: String,
    locality: &'static str,
    licence: &'static str,
    created_at: String,
}

impl Row {
    fn of(row: EnterpriseRow, l: &ListTexts) -> Row {
        Row {
            licence: if row.has_safety_licence() {
                l.licence_held
            } else {
                l.licence_none
            },
            locality: l.locality(&row.locality),
            id: row.id.to_string(),
            name: row.name,
            credit_code: row.credit_code,
            district: row.district_code,
            created_at: china_time(row.created_at),
        }
    }
}

#[derive(Template)]
#[template(path = "console/enterprises/list.html")]
struct ListPage {
    frame: Frame,
    l: &'static ListTexts,
    query: ListQuery,
    columns: Vec<Column>,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /console/enterprises`: the API's list (`reading::list`, `reading::count`) as a table.
pub async fn enterprises(State(state): State<AppState>, console: Console, Query(query): Query<ListQuery>) -> Response {
    let table = Table::new(PATH, query.filters(), &query.table, &SortKey::names());
    let search = query.search(&table);
    let paging = table.paging();
    let found = counted(
        reading::count(&state, &console.caller, &search),
        reading::list(&state, &console.caller, &search, &paging),
    );
    let (total, rows) = match found.await {
        Ok(found) => found,
        Err(error) => return refused(&console, PATH, &error),
    };
    let frame = Frame::of(&console, "enterprises", PATH);
    let l = frame.t.lists;
    let columns = vec![
        table.column(l.name, Some("name")),
        table.column(l.credit_code, Some("credit_code")),
        table.column(l.district, Some("district")),
        table.column(l.locality, Some("locality")),
        table.column(l.safety_licence, None),
        table.column(l.created_at, Some("created_at")),
    ];
    let page = ListPage {
        l,
        rows: rows.into_iter().map(|r| Row::of(r, l)).collect(),
        pager: table.pager(total),
        columns,
        query,
        frame,
    };
    html(StatusCode::OK, page)
}
