//! Daily assessment events reviewed in the console (seed 001 §3.4): the list with the API's
//! filters, an event with its evidence previewed and its state history, and the pass or return
//! form, through `assessments::daily::routes::{list, read, history, review}`.

use askama::Template;
use axum::{
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::given;
use super::texts::ReviewTexts;
use crate::assessments::daily::routes::{self as daily, EventView, ListQuery};
use crate::assessments::daily::store::{EventOrder, EventSort};
use crate::assessments::ReviewBody;
use crate::audit::Act;
use crate::console::page::api_body;
use crate::console::page::{html, refused, Frame, Notice};
use crate::console::session::Console;
use crate::console::table::{counted, Column, Pager, Table, TableQuery, PER_PAGE};
use crate::platform::clock::china_time;
use crate::platform::ids::DailyEventId;
use crate::platform::sorting::SortKey as _;
use crate::state::AppState;

const LIST: &str = "/console/daily-events";

/// The list's filters with the table's sort and page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListForm {
    state: String,
    category: String,
    year: String,
    #[serde(flatten)]
    table: TableQuery,
}

impl ListForm {
    fn filters(&self) -> Vec<(&'static str, String)> {
        vec![
            ("state", self.state.clone()),
            ("category", self.category.clone()),
            ("year", self.year.clone()),
        ]
    }
}

struct Row {
    id: String,
    enterprise: String,
    type_name: String,
    category: &'static str,
    points: String,
    occurred_on: String,
    state_code: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "console/review/daily_list.html")]
struct ListPage {
    frame: Frame,
    rt: &'static ReviewTexts,
    form: ListForm,
    columns: Vec<Column>,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /console/daily-events`: the API's `GET /daily-events` with its filters, as a table
/// sorted, paged and counted on the server (`daily::{list, count}`), the oldest event first.
pub async fn list(State(state): State<AppState>, console: Console, RawQuery(raw): RawQuery) -> Response {
    let form: ListForm = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let table = Table::new(LIST, form.filters(), &form.table, &EventSort::names());
    let query = json!({
        "state": given(&form.state), "category": given(&form.category), "year": given(&form.year),
        "page": table.page, "per_page": PER_PAGE,
    });
    let order = EventOrder::parse(table.sort, table.descending);
    let found = match api_body::<ListQuery>(query) {
        Ok(query) => {
            let count = daily::count(&state, &console.caller, query.clone());
            counted(count, daily::list(&state, &console.caller, query, order)).await
        }
        Err(error) => Err(error),
    };
    let (total, rows) = match found {
        Ok(found) => found,
        Err(error) => return refused(&console, LIST, &error),
    };
    let rt = ReviewTexts::of(console.lang);
    let rows = rows
        .into_iter()
        .map(|e| Row {
            id: e.id.to_string(),
            enterprise: e.enterprise_name,
            type_name: e.type_name,
            category: rt.word(&e.category),
            points: format!("{}", e.points.unwrap_or(e.current_points)),
            occurred_on: e.occurred_on,
            state_code: e.state.as_str().to_owned(),
            state: rt.word(e.state.as_str()),
        })
        .collect();
    let frame = Frame::of(&console, "daily", LIST);
    let columns = vec![
        table.column(rt.enterprise, Some("enterprise")),
        table.column(rt.event_type, None),
        table.column(rt.category, Some("category")),
        table.column(rt.points, None),
        table.column(rt.occurred_on, Some("occurred")),
        table.column(rt.state, Some("state")),
    ];
    let pager = table.pager(total);
    html(
        StatusCode::OK,
        ListPage {
            frame,
            rt,
            form,
            columns,
            rows,
            pager,
        },
    )
}

struct Change {
    from: &'static str,
    to: &'static str,
    opinion: String,
    at: String,
}

#[derive(Template)]
#[template(path = "console/review/daily_event.html")]
struct EventPage {
    frame: Frame,
    rt: &'static ReviewTexts,
    view: EventView,
    category: &'static str,
    state_code: String,
    state: &'static str,
    points: String,
    reported_at: String,
    changes: Vec<Change>,
}

/// `GET /console/daily-events/{id}`.
pub async fn event(State(state): State<AppState>, console: Console, Path(id): Path<DailyEventId>) -> Response {
    page(&state, &console, &id, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    decision: String,
    opinion: String,
}

/// `POST /console/daily-events/{id}/review`: pass or return.
pub async fn review(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<DailyEventId>,
    Form(form): Form<ReviewForm>,
) -> Response {
    let body = json!({"decision": form.decision, "opinion": form.opinion});
    let done = match api_body::<ReviewBody>(body) {
        Ok(body) => daily::review(&state, &console.caller, &act, &id, body).await,
        Err(error) => Err(error),
    };
    let said = done.map(|_| ReviewTexts::of(console.lang).done_review.to_owned());
    let (status, notice) = Notice::outcome(said, console.lang);
    page(&state, &console, &id, status, Some(notice)).await
}

/// The event page, with what an action came to.
async fn page(
    state: &AppState,
    console: &Console,
    id: &DailyEventId,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    let path = format!("{LIST}/{id}");
    let read = match daily::read(state, &console.caller, id).await {
        Ok(view) => daily::history(state, &console.caller, id).await.map(|h| (view, h)),
        Err(error) => Err(error),
    };
    let (view, history) = match read {
        Ok(read) => read,
        Err(error) => return refused(console, &path, &error),
    };
    let rt = ReviewTexts::of(console.lang);
    let mut frame = Frame::of(console, "daily", &path);
    frame.notice = notice;
    let changes = history
        .into_iter()
        .map(|c| Change {
            from: rt.word(&c.from_state),
            to: rt.word(&c.to_state),
            opinion: c.opinion.unwrap_or_default(),
            at: china_time(c.at),
        })
        .collect();
    let event = &view.event;
    let page = EventPage {
        category: rt.word(&event.category),
        state_code: event.state.as_str().to_owned(),
        state: rt.word(event.state.as_str()),
        points: format!("{}", event.points.unwrap_or(event.current_points)),
        reported_at: china_time(event.created_at),
        changes,
        frame,
        rt,
        view,
    };
    html(status, page)
}
