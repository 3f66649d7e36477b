//! Journey 5: results. A category's results, local and non-local apart (tabs), filtered by
//! year, district and final grade, graded, sorted and paged on the server; exports served by
//! the console as the API serves them; a subject's page with its score's breakdown and the
//! dynamic adjustment form (`detail`). Every read and the adjustment go through the API's own
//! functions (`assessments::results::routes`) as the session's caller.

mod detail;

pub use detail::{adjust, subject};

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::page::{html, refused, Frame};
use super::session::Console;
use super::table::{Column, Pager, Table, TableQuery};
use super::texts::ListTexts;
use crate::assessments::results::grading::{Category, Grade};
use crate::assessments::results::routes::category_of;
use crate::assessments::results::routes::listing::{export_file, page_of, ExportFormat, Selection};
use crate::assessments::results::view::{ResultRow, ResultSort};
use crate::platform::types::Date;
use crate::state::AppState;

/// The list's query: the year, the locality tab, the filters, the table's sort and page.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct ListQuery {
    period: String,
    locality: String,
    district: String,
    grade: String,
    #[serde(flatten)]
    table: TableQuery,
}

impl ListQuery {
    fn period(&self, state: &AppState) -> String {
        period_or_this_year(state, &self.period)
    }

    /// The tab: local unless non-local is asked for.
    fn locality(&self) -> &'static str {
        if self.locality == "non_local" {
            "non_local"
        } else {
            "local"
        }
    }

    fn filters(&self, period: &str) -> Vec<(&'static str, String)> {
        vec![
            ("period", period.to_owned()),
            ("locality", self.locality().to_owned()),
            ("district", self.district.trim().to_owned()),
            ("grade", self.grade.clone()),
        ]
    }
}

/// The year asked for, or this year in China (the API checks it).
fn period_or_this_year(state: &AppState, asked: &str) -> String {
    match asked.trim() {
        "" => Date::today_in_china(state.clock.now_ms()).to_string()[..4].to_owned(),
        asked => asked.to_owned(),
    }
}

/// A result as listed.
struct Row {
    id: String,
    name: String,
    code: String,
    district: String,
    score: String,
    computed: &'static str,
    final_grade: &'static str,
    adjusted: bool,
}

impl Row {
    fn of(r: ResultRow, l: &ListTexts) -> Row {
        Row {
            score: r.score.map(|s| format!("{s:.1}")).unwrap_or_else(|| "—".into()),
            computed: l.grade(r.computed_grade),
            final_grade: l.grade(r.final_grade),
            adjusted: !r.adjustments.is_empty(),
            id: r.subject.subject_id,
            name: r.subject.subject_name,
            code: r.subject.subject_code,
            district: r.subject.district_code,
        }
    }
}

/// A category's tab, or a locality's.
struct Tab {
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "console/results/list.html")]
struct ListPage {
    frame: Frame,
    l: &'static ListTexts,
    category: &'static str,
    categories: Vec<Tab>,
    localities: Vec<Tab>,
    query: ListQuery,
    period: String,
    grades: Vec<(&'static str, &'static str)>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    pager: Pager,
    /// The filters as a query, for the export links and the subjects' pages.
    filter_query: String,
}

/// `GET /console/results`: the first category.
pub async fn results_home() -> Response {
    Redirect::to("/console/results/safety_director").into_response()
}

/// `GET /console/results/{category}`: the API's results list (`listing::page_of`) as a table.
pub async fn results(
    State(state): State<AppState>,
    console: Console,
    Path(raw): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    let path = format!("/console/results/{raw}");
    let category = match category_of(&raw) {
        Ok(category) => category,
        Err(error) => return refused(&console, &path, &error),
    };
    let period = query.period(&state);
    let keys: Vec<&'static str> = ResultSort::ALL.iter().map(|k| k.as_str()).collect();
    let table = Table::new(&path, query.filters(&period), &query.table, &keys);
    let grade = Grade::parse(&query.grade);
    let district = Some(query.district.trim()).filter(|d| !d.is_empty());
    let selection = Selection::of(&period, Some(query.locality()), district, grade);
    let sort = ResultSort::parse(table.sort).map(|key| (key, table.descending));
    let found = page_of(&state, &console.caller, category, &selection, sort, &table.paging()).await;
    let found = match found {
        Ok(found) => found,
        Err(error) => return refused(&console, &path, &error),
    };
    let frame = Frame::of(&console, "results", &path);
    let l = frame.t.lists;
    let columns = vec![
        table.column(l.subject, Some("subject")),
        table.column(l.code, Some("code")),
        table.column(l.district, Some("district")),
        table.column(l.score, Some("score")),
        table.column(l.computed_grade, None),
        table.column(l.final_grade, Some("grade")),
    ];
    let page = ListPage {
        l,
        category: category.as_str(),
        categories: category_tabs(l, category, &period),
        localities: locality_tabs(l, &table, &query, &path, &period),
        grades: grade_options(l),
        columns,
        rows: found.rows.into_iter().map(|r| Row::of(r, l)).collect(),
        pager: table.pager(found.total),
        filter_query: table.filter_query(),
        period,
        query,
        frame,
    };
    html(StatusCode::OK, page)
}

fn category_tabs(l: &ListTexts, current: Category, period: &str) -> Vec<Tab> {
    Category::ALL
        .into_iter()
        .map(|c| Tab {
            label: l.category(c),
            href: format!("/console/results/{}?period={period}", c.as_str()),
            current: c == current,
        })
        .collect()
}

/// The local and non-local tabs, each keeping the other filters and the sort.
fn locality_tabs(l: &ListTexts, table: &Table, query: &ListQuery, path: &str, period: &str) -> Vec<Tab> {
    [("local", l.local), ("non_local", l.non_local)]
        .into_iter()
        .map(|(code, label)| {
            let filters = vec![
                ("period", period.to_owned()),
                ("locality", code.to_owned()),
                ("district", query.district.trim().to_owned()),
                ("grade", query.grade.clone()),
            ];
            let tab = Table::new(path, filters, &TableQuery::default(), &[table.sort]);
            Tab {
                label,
                href: tab.href(table.sort, table.descending, 1),
                current: query.locality() == code,
            }
        })
        .collect()
}

fn grade_options(l: &ListTexts) -> Vec<(&'static str, &'static str)> {
    [Grade::Excellent, Grade::Good, Grade::Qualified, Grade::Unqualified]
        .into_iter()
        .map(|g| (g.as_str(), l.grade(Some(g))))
        .collect()
}

/// The export's query: a format and the list's filters.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    format: String,
    period: String,
    locality: String,
    district: String,
    grade: String,
}

/// `GET /console/results/{category}/export`: the API's export (`listing::export_file`) for the
/// session's caller, as a download.
pub async fn export(
    State(state): State<AppState>,
    console: Console,
    Path(raw): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let path = format!("/console/results/{raw}");
    let format = if q.format == "xlsx" {
        ExportFormat::Xlsx
    } else {
        ExportFormat::Csv
    };
    let locality = Some(q.locality.as_str()).filter(|l| !l.is_empty());
    let district = Some(q.district.trim()).filter(|d| !d.is_empty());
    let selection = Selection::of(&q.period, locality, district, Grade::parse(&q.grade));
    let file = match category_of(&raw) {
        Ok(category) => export_file(&state, &console.caller, category, &selection, format).await,
        Err(error) => Err(error),
    };
    file.unwrap_or_else(|error| refused(&console, &path, &error))
}
