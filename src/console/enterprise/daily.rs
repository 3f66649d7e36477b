//! Daily assessment (journey 6): the enterprise's events (the bonuses it reported and the
//! deductions staff recorded) with their state, points and review opinion; a form to report a
//! bonus with its evidence; correcting or deleting a returned report. Through the functions of
//! the API's `/daily-events` endpoints (`assessments::daily::routes::{event_types, list, count,
//! history, report, correct, delete}`); evidence streams in through the API's upload
//! (`documents::routes::receive_field`, purpose `material_scan`) before the report is made, so
//! a refused report keeps its evidence for the next try.

use askama::Template;
use axum::{
    extract::{multipart::MultipartRejection, Multipart, Path, Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use serde_json::json;

use super::daily_texts::DailyTexts;
use super::uploads::{form_token_first, not_multipart, text_part, too_large};
use crate::assessments::daily::routes::{self as daily, EventBody, ListQuery};
use crate::assessments::daily::store::{EventRow, EventType, LATEST_FIRST};
use crate::audit::Act;
use crate::console::page::{api_body, html, refused, Frame, Notice};
use crate::console::session::{form_expired, Console};
use crate::documents::routes::receive_field;
use crate::documents::rules::Purpose;
use crate::platform::error::ApiResult;
use crate::platform::ids::DailyEventId;
use crate::state::AppState;

const PATH: &str = "/enterprise/daily-events";
/// How many events a page shows.
const PER_PAGE: u32 = 50;
/// The most text parts a report form sends, and the most bytes of each.
const MAX_PARTS: usize = 16;
const MAX_PART_BYTES: usize = 8 * 1024;

/// A report's fields as typed, with the evidence already uploaded for it.
#[derive(Default)]
pub struct Draft {
    type_code: String,
    occurred_on: String,
    description: String,
    document_ids: Vec<String>,
}

impl Draft {
    /// The API's `POST /daily-events` body (a bonus: no enterprise; the API checks the rest).
    fn body(&self) -> ApiResult<EventBody> {
        api_body(json!({"type_code": self.type_code, "occurred_on": self.occurred_on,
            "description": self.description, "document_ids": self.document_ids}))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: Option<u32>,
}

/// An event as the page lists it, with its latest review opinion.
struct Shown {
    event: EventRow,
    opinion: String,
    documents: Vec<String>,
}

#[derive(Template)]
#[template(path = "console/enterprise/daily_events.html")]
struct DailyPage {
    frame: Frame,
    d: &'static DailyTexts,
    bonus_types: Vec<EventType>,
    draft: Draft,
    events: Vec<Shown>,
    page: u32,
    total: i64,
}

impl DailyPage {
    fn points(&self, e: &EventRow) -> String {
        format!("{}", e.points.unwrap_or(e.current_points))
    }

    fn more(&self) -> bool {
        i64::from(self.page) * i64::from(PER_PAGE) < self.total
    }
}

/// The page's event types, events (with evidence and opinions) and their number.
async fn read(state: &AppState, console: &Console, page: u32) -> ApiResult<(Vec<EventType>, Vec<Shown>, i64)> {
    let caller = &console.caller;
    let types = daily::event_types(state, caller).await?;
    let query: ListQuery = api_body(json!({"page": page, "per_page": PER_PAGE}))?;
    let total = daily::count(state, caller, query.clone()).await?;
    let mut events = Vec::new();
    for event in daily::list(state, caller, query, LATEST_FIRST).await? {
        let history = daily::history(state, caller, &event.id).await?;
        let opinion = history.into_iter().rev().find_map(|c| c.opinion).unwrap_or_default();
        let documents = daily::read(state, caller, &event.id).await?.document_ids;
        let documents = documents.iter().map(ToString::to_string).collect();
        events.push(Shown {
            event,
            opinion,
            documents,
        });
    }
    let bonus_types = types.into_iter().filter(|t| t.category == "bonus").collect();
    Ok((bonus_types, events, total))
}

async fn show(
    state: &AppState,
    console: &Console,
    page: u32,
    draft: Draft,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    let (bonus_types, events, total) = match read(state, console, page).await {
        Ok(read) => read,
        Err(error) => return refused(console, PATH, &error),
    };
    let mut frame = Frame::of(console, "daily-events", PATH);
    frame.notice = notice;
    let page = DailyPage {
        frame,
        d: DailyTexts::of(console.lang),
        bonus_types,
        draft,
        events,
        page,
        total,
    };
    html(status, page)
}

/// The page after an action: its outcome, and the typed report again if it was refused.
async fn after(state: &AppState, console: &Console, done: ApiResult<String>, draft: Draft) -> Response {
    let draft = if done.is_ok() { Draft::default() } else { draft };
    let (status, notice) = Notice::outcome(done, console.lang);
    show(state, console, 1, draft, status, Some(notice)).await
}

/// `GET /enterprise/daily-events`: the report form and the enterprise's events.
pub async fn page(State(state): State<AppState>, console: Console, Query(query): Query<PageQuery>) -> Response {
    let page = query.page.unwrap_or(1).clamp(1, 1_000_000);
    show(&state, &console, page, Draft::default(), StatusCode::OK, None).await
}

/// `POST /enterprise/uploads/daily-events`: the evidence uploaded, then the API's report.
pub async fn report(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let d = DailyTexts::of(console.lang);
    let (draft, done) = match received(&state, &console, &act, multipart).await {
        None => return form_expired(console.lang, console.door, None),
        Some((draft, Err(error))) => (draft, Err(error)),
        Some((draft, Ok(()))) => {
            let done = match draft.body() {
                Ok(body) => daily::report(&state, &console.caller, &act, &body).await,
                Err(error) => Err(error),
            };
            (draft, done.map(|_| d.reported.to_owned()))
        }
    };
    after(&state, &console, done, draft).await
}

/// `POST /enterprise/uploads/daily-events/{id}`: new evidence uploaded, then the API's
/// correction of a returned report.
pub async fn correct(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let d = DailyTexts::of(console.lang);
    let (_typed, done) = match received(&state, &console, &act, multipart).await {
        None => return form_expired(console.lang, console.door, None),
        Some((draft, Err(error))) => (draft, Err(error)),
        Some((draft, Ok(()))) => {
            let done = async {
                let id: DailyEventId = api_body(json!(id))?;
                daily::correct(&state, &console.caller, &act, &id, &draft.body()?).await?;
                Ok(d.corrected.to_owned())
            };
            let done = done.await;
            (draft, done)
        }
    };
    // The row's form shows the event as stored; the new report's form stays empty.
    after(&state, &console, done, Draft::default()).await
}

/// `POST /enterprise/daily-events/{id}/delete`: the API's deletion of a returned report.
pub async fn delete(State(state): State<AppState>, console: Console, act: Act, Path(id): Path<String>) -> Response {
    let d = DailyTexts::of(console.lang);
    let done = async {
        let id: DailyEventId = api_body(json!(id))?;
        daily::delete(&state, &console.caller, &act, &id).await?;
        Ok(d.deleted.to_owned())
    };
    let done = done.await;
    after(&state, &console, done, Draft::default()).await
}

/// Reads a report form (`multipart/form-data`): the form token first, then the fields, then
/// the evidence file if one was chosen, which goes through the API's upload. None when the
/// form token is wrong.
async fn received(
    state: &AppState,
    console: &Console,
    act: &Act,
    multipart: Result<Multipart, MultipartRejection>,
) -> Option<(Draft, ApiResult<()>)> {
    let Ok(mut multipart) = multipart else {
        return Some((Draft::default(), Err(not_multipart())));
    };
    if !form_token_first(&mut multipart, &console.csrf).await {
        return None;
    }
    let mut draft = Draft::default();
    let done = fields(state, console, act, &mut multipart, &mut draft).await;
    Some((draft, done))
}

async fn fields(
    state: &AppState,
    console: &Console,
    act: &Act,
    multipart: &mut Multipart,
    draft: &mut Draft,
) -> ApiResult<()> {
    for _ in 0..MAX_PARTS {
        let Ok(Some(field)) = multipart.next_field().await else {
            return Ok(());
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if field.file_name().is_none_or(str::is_empty) {
                return Ok(()); // no file chosen: the evidence already uploaded stands
            }
            let document = receive_field(state, &console.caller, act, Purpose::MaterialScan, field).await?;
            draft.document_ids.push(document.id.to_string());
            return Ok(());
        }
        let value = text_part(field, MAX_PART_BYTES).await?;
        match name.as_str() {
            "type_code" => draft.type_code = value,
            "occurred_on" => draft.occurred_on = value,
            "description" => draft.description = value,
            "document_ids" if !value.is_empty() => draft.document_ids.push(value),
            _ => {}
        }
    }
    Err(too_large())
}
