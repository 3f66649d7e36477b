//! Registrations held by the one-face check for city staff's manual review (issue 13): the
//! list (`people::one_face::review::reviews`, the API's `GET /people/registration-reviews`),
//! one review with the held person's photos and each identity the face matched, photos shown
//! from `/console/documents/{id}` as the API lets city staff read them, and the approve or
//! refuse form (`review::decide`). ID numbers are shown masked, as the API gives them.

mod texts;

use askama::Template;
use axum::{
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::page::{html, refused, Frame, Notice};
use super::review::given;
use super::session::Console;
use super::table::{counted, Column, Pager, Table, TableQuery, PER_PAGE};
use crate::audit::Act;
use crate::console::page::api_body;
use crate::people::one_face::review::{self as reviews, DecisionBody, ReviewView, ReviewsQuery};
use crate::people::one_face::store::{ReviewOrder, ReviewSort};
use crate::platform::clock::china_time;
use crate::platform::ids::RegistrationReviewId;
use crate::platform::sorting::SortKey as _;
use crate::state::AppState;
pub use texts::RegistrationTexts;

const LIST: &str = "/console/registrations";

/// The list's state filter with the table's sort and page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListForm {
    state: String,
    #[serde(flatten)]
    table: TableQuery,
}

struct ListRow {
    id: String,
    name: String,
    id_number: String,
    state_code: String,
    state: &'static str,
    matches: usize,
    held_at: String,
}

#[derive(Template)]
#[template(path = "console/registrations/list.html")]
struct ListPage {
    frame: Frame,
    rt: &'static RegistrationTexts,
    form: ListForm,
    columns: Vec<Column>,
    rows: Vec<ListRow>,
    pager: Pager,
}

/// `GET /console/registrations`: the API's list, held ones by default, as a table sorted, paged
/// and counted on the server (`reviews::{reviews, count}`), the longest held first.
pub async fn list(State(state): State<AppState>, console: Console, RawQuery(raw): RawQuery) -> Response {
    let form: ListForm = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let table = Table::new(
        LIST,
        vec![("state", form.state.clone())],
        &form.table,
        &ReviewSort::names(),
    );
    let order = ReviewOrder::parse(table.sort, table.descending);
    let query = json!({"state": given(&form.state), "page": table.page, "per_page": PER_PAGE});
    let found = match api_body::<ReviewsQuery>(query) {
        Ok(query) => {
            let count = reviews::count(&state, &console.caller, query.clone());
            counted(count, reviews::reviews(&state, &console.caller, query, order)).await
        }
        Err(error) => Err(error),
    };
    let (total, found) = match found {
        Ok(found) => found,
        Err(error) => return refused(&console, LIST, &error),
    };
    let rt = RegistrationTexts::of(console.lang);
    let rows = found
        .into_iter()
        .map(|r| ListRow {
            id: r.id.to_string(),
            name: r.name.unwrap_or_default(),
            id_number: r.id_number,
            state: rt.word(&r.state),
            state_code: r.state,
            matches: r.matches.len(),
            held_at: china_time(r.held_at),
        })
        .collect();
    let columns = vec![
        table.column(rt.name, None),
        table.column(rt.id_number, None),
        table.column(rt.state, Some("state")),
        table.column(rt.matches, None),
        table.column(rt.held_at, Some("held")),
    ];
    let page = ListPage {
        frame: Frame::of(&console, "", LIST),
        rt,
        form,
        columns,
        rows,
        pager: table.pager(total),
    };
    html(StatusCode::OK, page)
}

/// An identity the held face matched, as the page shows it.
struct Matched {
    name: String,
    id_number: String,
    distance: String,
    found_at: String,
    portrait: Option<String>,
    selfie: Option<String>,
}

#[derive(Template)]
#[template(path = "console/registrations/review.html")]
struct ReviewPage {
    frame: Frame,
    rt: &'static RegistrationTexts,
    id: String,
    name: String,
    id_number: String,
    state_code: String,
    state: &'static str,
    held_at: String,
    decided_at: String,
    reason: String,
    portrait: String,
    selfie: String,
    matches: Vec<Matched>,
}

/// `GET /console/registrations/{id}`.
pub async fn review(State(state): State<AppState>, console: Console, Path(id): Path<RegistrationReviewId>) -> Response {
    match reviews::read(&state, &console.caller, &id).await {
        Ok(view) => page(&console, view, StatusCode::OK, None),
        Err(error) => refused(&console, &format!("{LIST}/{id}"), &error),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

/// `POST /console/registrations/{id}/decision`: approve or refuse, with a reason. A refusal
/// is shown on the review's page when the caller may read it, on a page of its own otherwise.
pub async fn decide(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<RegistrationReviewId>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let body = json!({"decision": form.decision, "reason": form.reason});
    let done = match api_body::<DecisionBody>(body) {
        Ok(body) => reviews::decide(&state, &console.caller, &act, &id, body).await,
        Err(error) => Err(error),
    };
    let rt = RegistrationTexts::of(console.lang);
    match done {
        Ok(view) => {
            let said = if view.state == "approved" {
                rt.done_approve
            } else {
                rt.done_refuse
            };
            page(&console, view, StatusCode::OK, Some(Notice::ok(said)))
        }
        Err(error) => match reviews::read(&state, &console.caller, &id).await {
            Ok(view) => page(
                &console,
                view,
                error.status,
                Some(Notice::refused(&error, console.lang)),
            ),
            Err(_) => refused(&console, &format!("{LIST}/{id}"), &error),
        },
    }
}

/// The review's page, with what an action came to.
fn page(console: &Console, view: ReviewView, status: StatusCode, notice: Option<Notice>) -> Response {
    let path = format!("{LIST}/{}", view.id);
    let rt = RegistrationTexts::of(console.lang);
    let mut frame = Frame::of(console, "", &path);
    frame.notice = notice;
    let matches = view
        .matches
        .into_iter()
        .map(|m| Matched {
            name: m.identity.as_ref().map(|i| i.name.clone()).unwrap_or_default(),
            id_number: m.identity.as_ref().map(|i| i.id_number.clone()).unwrap_or_default(),
            portrait: m.identity.map(|i| i.portrait_document_id.to_string()),
            selfie: m.selfie_document_id.map(|d| d.to_string()),
            distance: format!("{:.3}", m.evidence.distance),
            found_at: china_time(m.evidence.found_at),
        })
        .collect();
    let page = ReviewPage {
        frame,
        rt,
        id: view.id.to_string(),
        name: view.name.unwrap_or_default(),
        id_number: view.id_number,
        state: rt.word(&view.state),
        state_code: view.state,
        held_at: china_time(view.held_at),
        decided_at: view.decided_at.map(china_time).unwrap_or_default(),
        reason: view.reason.unwrap_or_default(),
        portrait: view.portrait_document_id.to_string(),
        selfie: view.selfie_document_id.to_string(),
        matches,
    };
    html(status, page)
}
