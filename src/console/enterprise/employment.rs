//! Employment (journey 3): the enterprise starts a request by ID number, follows its requests
//! (pending, accepted, refused, expired, withdrawn) and its relations (current and ended), and
//! ends a relation with a reason, through the functions of the API's `/employment/...`
//! endpoints (`employment::routes::{requests, relations}`). The person answers in the
//! mini-program only; the page says so and only shows the answer.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::json;

use crate::audit::Act;
use crate::console::page::{api_body, html, refused, Frame, Notice};
use crate::console::session::Console;
use crate::employment::routes::{relations, requests};
use crate::employment::{EmploymentView, RequestView};
use crate::platform::clock::china_time;
use crate::platform::error::ApiResult;
use crate::platform::ids::{EmploymentId, EmploymentRequestId};
use crate::platform::paging::Page;
use crate::state::AppState;

const PATH: &str = "/enterprise/employment";

/// The request form's fields as typed, shown again when the API refuses them.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequestForm {
    id_number: String,
    position: String,
    contract_start: String,
    contract_end: String,
}

#[derive(Template)]
#[template(path = "console/enterprise/employment.html")]
struct EmploymentPage {
    frame: Frame,
    draft: RequestForm,
    requests: Vec<RequestView>,
    relations: Vec<EmploymentView>,
    /// Which page of each list is shown (1-based), and whether another follows.
    page: u32,
    more: bool,
}

impl EmploymentPage {
    fn time(&self, at: &i64) -> String {
        china_time(*at)
    }

    fn maybe_time(&self, at: &Option<i64>) -> String {
        at.map(china_time).unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: Option<u32>,
}

/// How many of each list a page shows.
const PER_PAGE: u32 = 50;

async fn show(
    state: &AppState,
    console: &Console,
    page: u32,
    draft: RequestForm,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    let paging = Page {
        page: Some(page),
        per_page: Some(PER_PAGE),
    };
    let lists = async {
        let requests = requests::list(state, &console.caller, None, &paging).await?;
        let relations = relations::list(state, &console.caller, None, false, &paging).await?;
        ApiResult::Ok((requests, relations))
    };
    let (requests, relations) = match lists.await {
        Ok(lists) => lists,
        Err(error) => return refused(console, PATH, &error),
    };
    let more = requests.len() as u32 == PER_PAGE || relations.len() as u32 == PER_PAGE;
    let mut frame = Frame::of(console, "employment", PATH);
    frame.notice = notice;
    let page = EmploymentPage {
        frame,
        draft,
        requests,
        relations,
        page,
        more,
    };
    html(status, page)
}

/// The page after an action: its outcome, and the typed request again if it was refused.
async fn after(state: &AppState, console: &Console, done: ApiResult<String>, draft: RequestForm) -> Response {
    let draft = if done.is_ok() { RequestForm::default() } else { draft };
    let (status, notice) = Notice::outcome(done, console.lang);
    show(state, console, 1, draft, status, Some(notice)).await
}

/// `GET /enterprise/employment`: the request form, the requests and the relations.
pub async fn page(State(state): State<AppState>, console: Console, Query(query): Query<PageQuery>) -> Response {
    let page = query.page.unwrap_or(1).clamp(1, 1_000_000);
    show(&state, &console, page, RequestForm::default(), StatusCode::OK, None).await
}

/// `POST /enterprise/employment/requests`: the API's new request.
pub async fn send_request(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Form(form): Form<RequestForm>,
) -> Response {
    let t = super::words(&console);
    let done = async {
        let body = json!({"id_number": form.id_number, "position": form.position,
            "contract_start": form.contract_start, "contract_end": form.contract_end});
        let body: requests::NewRequestBody = api_body(body)?;
        requests::create(&state, &console.caller, &act, &body).await?;
        Ok(t.request_sent.to_owned())
    };
    let done = done.await;
    after(&state, &console, done, form).await
}

/// `POST /enterprise/employment/requests/{id}/withdraw`: the API's withdrawal.
pub async fn withdraw(State(state): State<AppState>, console: Console, act: Act, Path(id): Path<String>) -> Response {
    let t = super::words(&console);
    let done = async {
        let id: EmploymentRequestId = api_body(json!(id))?;
        requests::withdraw(&state, &console.caller, &act, &id).await?;
        Ok(t.withdrawn_done.to_owned())
    };
    let done = done.await;
    after(&state, &console, done, RequestForm::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndForm {
    reason: String,
}

/// `POST /enterprise/employment/relations/{id}/end`: the API's ending with the reason.
pub async fn end(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<String>,
    Form(form): Form<EndForm>,
) -> Response {
    let t = super::words(&console);
    let done = async {
        let id: EmploymentId = api_body(json!(id))?;
        let body: relations::Ending = api_body(json!({"reason": form.reason}))?;
        relations::end(&state, &console.caller, &act, &id, &body).await?;
        Ok(t.ended_done.to_owned())
    };
    let done = done.await;
    after(&state, &console, done, RequestForm::default()).await
}
