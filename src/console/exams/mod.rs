//! Exam registrations submitted by enterprises, reviewed by city and district staff: the list
//! (the API's `GET /exam-registrations`, `exams::routes::registrations`), one registration as
//! staff read it within their bounds (`routes::registration`), and the approve/reject form
//! (`routes::review_registration`, the API's `POST /exam-registrations/{id}/review`).

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
use crate::audit::Act;
use crate::console::page::api_body;
use crate::console::table::{counted, Column, Pager, Table, TableQuery};
use crate::exams::routes::{self as exams, ExamReviewBody, RegistrationFilter};
use crate::exams::store::ExamRegistrationView;
use crate::exams::store::{RegistrationOrder, RegistrationSort};
use crate::platform::clock::china_time;
use crate::platform::ids::ExamRegistrationId;
use crate::platform::sorting::SortKey as _;
use crate::state::AppState;
pub use texts::ExamTexts;

const LIST: &str = "/console/exam-registrations";

/// The list's batch filter with the table's sort and page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListForm {
    batch_id: String,
    #[serde(flatten)]
    table: TableQuery,
}

#[derive(Template)]
#[template(path = "console/exams/list.html")]
struct ListPage {
    frame: Frame,
    et: &'static ExamTexts,
    form: ListForm,
    columns: Vec<Column>,
    rows: Vec<Row>,
    pager: Pager,
}

/// A registration as the pages show it.
struct Row {
    view: ExamRegistrationView,
    state: &'static str,
    outcome: &'static str,
    created: String,
}

fn row(et: &'static ExamTexts, view: ExamRegistrationView) -> Row {
    Row {
        state: et.word(&view.state),
        outcome: view.outcome.as_deref().map(|o| et.word(o)).unwrap_or_default(),
        created: china_time(view.created_at),
        view,
    }
}

/// `GET /console/exam-registrations`: the API's list, by batch if asked, as a table sorted, paged
/// and counted on the server (`exams::{registrations, count_registrations}`), the oldest first.
pub async fn list(State(state): State<AppState>, console: Console, RawQuery(raw): RawQuery) -> Response {
    let form: ListForm = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let table = Table::new(
        LIST,
        vec![("batch_id", form.batch_id.clone())],
        &form.table,
        &RegistrationSort::names(),
    );
    let order = RegistrationOrder::parse(table.sort, table.descending);
    let found = match api_body::<RegistrationFilter>(json!({"batch_id": given(&form.batch_id)})) {
        Ok(filter) => {
            let count = exams::count_registrations(&state, &console.caller, filter.clone());
            counted(
                count,
                exams::registrations(&state, &console.caller, filter, order, table.paging()),
            )
            .await
        }
        Err(error) => Err(error),
    };
    let (total, found) = match found {
        Ok(found) => found,
        Err(error) => return refused(&console, LIST, &error),
    };
    let et = ExamTexts::of(console.lang);
    let columns = vec![
        table.column(et.person, None),
        table.column(et.id_number, None),
        table.column(et.enterprise, Some("enterprise")),
        table.column(et.batch, None),
        table.column(et.exam_on, Some("exam_on")),
        table.column(et.state, Some("state")),
        table.column(et.outcome, None),
        table.column(et.registered_at, Some("registered")),
    ];
    let page = ListPage {
        frame: Frame::of(&console, "", LIST),
        et,
        rows: found.into_iter().map(|v| row(et, v)).collect(),
        form,
        columns,
        pager: table.pager(total),
    };
    html(StatusCode::OK, page)
}

#[derive(Template)]
#[template(path = "console/exams/registration.html")]
struct RegistrationPage {
    frame: Frame,
    et: &'static ExamTexts,
    r: Row,
}

/// `GET /console/exam-registrations/{id}`.
pub async fn registration(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<ExamRegistrationId>,
) -> Response {
    match exams::registration(&state, &console.caller, &id).await {
        Ok(view) => page(&console, view, StatusCode::OK, None),
        Err(error) => refused(&console, &format!("{LIST}/{id}"), &error),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    decision: String,
    opinion: String,
}

/// `POST /console/exam-registrations/{id}/review`: approve, or reject with an opinion. A
/// refusal is shown on the registration's page when the caller may read it.
pub async fn review(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<ExamRegistrationId>,
    Form(form): Form<ReviewForm>,
) -> Response {
    let body = json!({"decision": form.decision, "opinion": given(&form.opinion)});
    let done = match api_body::<ExamReviewBody>(body) {
        Ok(body) => exams::review_registration(&state, &console.caller, &act, &id, body).await,
        Err(error) => Err(error),
    };
    let et = ExamTexts::of(console.lang);
    match done {
        Ok(view) => page(&console, view, StatusCode::OK, Some(Notice::ok(et.done))),
        Err(error) => match exams::registration(&state, &console.caller, &id).await {
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

fn page(console: &Console, view: ExamRegistrationView, status: StatusCode, notice: Option<Notice>) -> Response {
    let path = format!("{LIST}/{}", view.id);
    let et = ExamTexts::of(console.lang);
    let mut frame = Frame::of(console, "", &path);
    frame.notice = notice;
    html(
        status,
        RegistrationPage {
            frame,
            et,
            r: row(et, view),
        },
    )
}
