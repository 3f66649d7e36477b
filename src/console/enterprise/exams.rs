//! Exams (journey 7): the exam batches of the enterprise's district, and for one batch its
//! employees checked against the batch's rules with every failing condition named per person,
//! a registration for each, and the registrations already made with their review and outcome.
//! The functions of the API's `/exam-batches` endpoints (`exams::routes::{batches, batch,
//! candidates, register, registrations}`) decide everything; the page only shows it.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::exams_texts::ExamPortalTexts;
use crate::audit::Act;
use crate::console::exams::ExamTexts;
use crate::console::page::{api_body, html, refused, Frame, Notice};
use crate::console::session::Console;
use crate::exams::routes::{self as exams, ExamCandidate, ExamRegistrationBody, RegistrationFilter};
use crate::exams::store::{ExamBatchView, ExamRegistrationView, NEWEST_FIRST};
use crate::platform::clock::china_time;
use crate::platform::error::ApiResult;
use crate::platform::ids::ExamBatchId;
use crate::platform::paging::Page;
use crate::state::AppState;

const PATH: &str = "/enterprise/exams";

/// How many batches, candidates or registrations a page shows.
const PER_PAGE: u32 = 100;

fn first_page() -> Page {
    Page {
        page: Some(1),
        per_page: Some(PER_PAGE),
    }
}

#[derive(Template)]
#[template(path = "console/enterprise/exams.html")]
struct BatchesPage {
    frame: Frame,
    xt: &'static ExamPortalTexts,
    et: &'static ExamTexts,
    batches: Vec<ExamBatchView>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BatchesQuery {
    exam_type: Option<String>,
}

/// `GET /enterprise/exams`: the batches of the enterprise's district, newest first.
pub async fn batches(State(state): State<AppState>, console: Console, Query(query): Query<BatchesQuery>) -> Response {
    let exam_type = query.exam_type.filter(|t| !t.is_empty());
    match exams::batches(&state, &console.caller, exam_type.as_deref(), &first_page()).await {
        Ok(batches) => html(
            StatusCode::OK,
            BatchesPage {
                frame: Frame::of(&console, "exams", PATH),
                xt: ExamPortalTexts::of(console.lang),
                et: ExamTexts::of(console.lang),
                batches,
            },
        ),
        Err(error) => refused(&console, PATH, &error),
    }
}

/// A registration as the batch page lists it.
struct Registered {
    view: ExamRegistrationView,
    state: &'static str,
    outcome: &'static str,
    at: String,
}

#[derive(Template)]
#[template(path = "console/enterprise/exam_batch.html")]
struct BatchPage {
    frame: Frame,
    xt: &'static ExamPortalTexts,
    et: &'static ExamTexts,
    batch: ExamBatchView,
    candidates: Vec<ExamCandidate>,
    registered: Vec<Registered>,
}

/// `GET /enterprise/exams/{id}`: the batch, its candidates and the registrations made.
pub async fn batch(State(state): State<AppState>, console: Console, Path(id): Path<String>) -> Response {
    show(&state, &console, &id, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterForm {
    person_id: String,
}

/// `POST /enterprise/exams/{id}/registrations`: the API's registration of one employee; a
/// refusal names every condition the person fails, as the API does.
pub async fn register(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<String>,
    Form(form): Form<RegisterForm>,
) -> Response {
    let xt = ExamPortalTexts::of(console.lang);
    let done = async {
        let batch: ExamBatchId = api_body(json!(id))?;
        let body: ExamRegistrationBody = api_body(json!({"person_id": form.person_id}))?;
        exams::register(&state, &console.caller, act, &batch, body).await?;
        Ok(xt.registered_done.to_owned())
    };
    let (status, notice) = Notice::outcome(done.await, console.lang);
    show(&state, &console, &id, status, Some(notice)).await
}

/// The batch's page with what an action came to; a batch the enterprise cannot see is refused
/// as the API refuses it.
async fn show(state: &AppState, console: &Console, id: &str, status: StatusCode, notice: Option<Notice>) -> Response {
    let path = format!("{PATH}/{id}");
    let read = async {
        let id: ExamBatchId = api_body(json!(id))?;
        let batch = exams::batch(state, &console.caller, &id).await?;
        let candidates = exams::checked_candidates(state, &console.caller, &id, &first_page(), console.lang).await?;
        let filter = RegistrationFilter { batch_id: Some(id) };
        let registered = exams::registrations(state, &console.caller, filter, NEWEST_FIRST, first_page()).await?;
        ApiResult::Ok((batch, candidates, registered))
    };
    let (batch, candidates, registered) = match read.await {
        Ok(read) => read,
        Err(error) => return refused(console, &path, &error),
    };
    let et = ExamTexts::of(console.lang);
    let mut frame = Frame::of(console, "exams", &path);
    frame.notice = notice;
    let page = BatchPage {
        frame,
        xt: ExamPortalTexts::of(console.lang),
        et,
        batch,
        candidates,
        registered: registered
            .into_iter()
            .map(|view| Registered {
                state: et.word(&view.state),
                outcome: view.outcome.as_deref().map(|o| et.word(o)).unwrap_or_default(),
                at: china_time(view.created_at),
                view,
            })
            .collect(),
    };
    html(status, page)
}
