//! Self-assessments (journey 5): the enterprise lists its self-assessments and starts one on a
//! template for a period; fills each item (self-score, note, evidence per slot, people with
//! their certificates), saves the draft, submits it with an opinion; sees the items the
//! reviewer returned with the opinions, rectifies and submits again. Every page and action calls
//! the functions of the API's `/assessments` endpoints (`assessments::{routes, filling,
//! submission, templates, review}`) with the session's `Caller`; a record that is not editable
//! says why with the API's own refusal (`assessment.state_forbids`).

mod form;
mod history;
mod record;
pub mod texts;
mod uploads;

use askama::Template;
use axum::{
    extract::{DefaultBodyLimit, Path, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
    Form, Router,
};
use serde::Deserialize;
use serde_json::json;

use crate::assessments::routes::{self as assessments, ListQuery, NewAssessmentBody};
use crate::assessments::store::NEWEST_FIRST;
use crate::assessments::templates::{self, Template as AssessmentTemplate};
use crate::audit::Act;
use crate::console::page::{api_body, html, refused, Frame, Notice};
use crate::console::review::texts::ReviewTexts;
use crate::console::session::Console;
use crate::platform::clock::china_time;
use crate::platform::error::ApiResult;
use crate::platform::ids::AssessmentId;
use crate::state::AppState;
use texts::AssessmentTexts;

const LIST: &str = "/enterprise/assessments";
/// How many records the list shows (an enterprise has a few a year).
const PER_PAGE: u32 = 200;

/// The pages and actions of self-assessments.
pub fn assessment_routes() -> Router<AppState> {
    let uploads = Router::new()
        // Under `uploads/`: the handler checks the form token (the first part) and streams the
        // PDF with the purpose's cap.
        .route(
            "/enterprise/uploads/assessments/{id}/items/{number}/documents",
            post(uploads::document),
        )
        .route(
            "/enterprise/uploads/assessments/{id}/items/{number}/people",
            post(uploads::person),
        )
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .route(LIST, get(list).post(start))
        .route("/enterprise/assessments/{id}", get(record::page))
        .route("/enterprise/assessments/{id}/items", post(record::save))
        .route("/enterprise/assessments/{id}/submit", post(record::submit))
        .route("/enterprise/assessments/{id}/delete", post(delete))
        .route(
            "/enterprise/assessments/{id}/items/{number}/history",
            get(history::page),
        )
        .route(
            "/enterprise/assessments/{id}/items/{number}/documents/{document}/remove",
            post(record::detach),
        )
        .route(
            "/enterprise/assessments/{id}/items/{number}/people/{person}/remove",
            post(record::remove_person),
        )
        .merge(uploads)
}

/// A record as listed.
struct Listed {
    id: String,
    kind: &'static str,
    period: String,
    state_code: &'static str,
    state: &'static str,
    round: i64,
    version: i64,
    updated: String,
}

/// The start form as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StartForm {
    kind: String,
    period: String,
}

#[derive(Template)]
#[template(path = "console/enterprise/assessments.html")]
struct ListPage {
    frame: Frame,
    a: &'static AssessmentTexts,
    rt: &'static ReviewTexts,
    templates: Vec<AssessmentTemplate>,
    form: StartForm,
    records: Vec<Listed>,
}

async fn listed(state: &AppState, console: &Console) -> ApiResult<(Vec<AssessmentTemplate>, Vec<Listed>)> {
    let caller = &console.caller;
    let rt = ReviewTexts::of(console.lang);
    let mut own = templates::current_all(state, caller).await?;
    own.retain(|t| t.kind.is_self_assessment());
    let query: ListQuery = api_body(json!({"per_page": PER_PAGE}))?;
    let records = assessments::list(state, caller, query, NEWEST_FIRST).await?;
    let records = records
        .into_iter()
        .map(|r| Listed {
            id: r.id.to_string(),
            kind: rt.word(&r.kind),
            period: r.period,
            state_code: r.state.as_str(),
            state: rt.word(r.state.as_str()),
            round: r.round,
            version: r.template_version,
            updated: china_time(r.updated_at),
        })
        .collect();
    Ok((own, records))
}

async fn show(
    state: &AppState,
    console: &Console,
    form: StartForm,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    let (templates, records) = match listed(state, console).await {
        Ok(found) => found,
        Err(error) => return refused(console, LIST, &error),
    };
    let mut frame = Frame::of(console, "assessments", LIST);
    frame.notice = notice;
    let page = ListPage {
        frame,
        a: AssessmentTexts::of(console.lang),
        rt: ReviewTexts::of(console.lang),
        templates,
        form,
        records,
    };
    html(status, page)
}

/// `GET /enterprise/assessments`: the enterprise's self-assessments and the start form.
pub async fn list(State(state): State<AppState>, console: Console) -> Response {
    show(&state, &console, StartForm::default(), StatusCode::OK, None).await
}

/// `POST /enterprise/assessments`: the API's new self-assessment, then its page.
pub async fn start(State(state): State<AppState>, console: Console, act: Act, Form(form): Form<StartForm>) -> Response {
    let a = AssessmentTexts::of(console.lang);
    let started = async {
        let body: NewAssessmentBody = api_body(json!({"kind": form.kind, "period": form.period.trim()}))?;
        assessments::create(&state, &console.caller, &act, &body).await
    };
    match started.await {
        Ok(view) => {
            let notice = Some(Notice::ok(a.started));
            record::show(&state, &console, &view.record.id, StatusCode::CREATED, notice).await
        }
        Err(error) => {
            let notice = Some(Notice::refused(&error, console.lang));
            show(&state, &console, form, error.status, notice).await
        }
    }
}

/// `POST /enterprise/assessments/{id}/delete`: the API's deletion of a draft or returned record;
/// the list follows, or the record with the refusal.
pub async fn delete(State(state): State<AppState>, console: Console, act: Act, Path(id): Path<String>) -> Response {
    let id: AssessmentId = match api_body(json!(id)) {
        Ok(id) => id,
        Err(error) => return refused(&console, LIST, &error),
    };
    match assessments::delete(&state, &console.caller, &act, &id).await {
        Ok(()) => {
            let notice = Some(Notice::ok(AssessmentTexts::of(console.lang).deleted));
            show(&state, &console, StartForm::default(), StatusCode::OK, notice).await
        }
        Err(error) => {
            let notice = Some(Notice::refused(&error, console.lang));
            record::show(&state, &console, &id, error.status, notice).await
        }
    }
}
