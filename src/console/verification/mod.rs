//! Journey 3, verification: the tasks in the caller's jurisdiction (`verification::routes::tasks`,
//! the API's `GET /verification/tasks`) filtered by state, sorted, paged and counted on the server; a task with
//! its selected people and their certificates previewed, reviewed through the API's
//! `verification::selection::review`; and the task's progress (`progress`).

pub mod appeals;
mod plan;
mod progress;
pub mod texts;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::page::{html, refused, Frame, Notice};
use super::session::Console;
use crate::audit::Act;
use crate::console::page::api_body;
use crate::console::table::{counted, Column, Pager, Table, TableQuery, PER_PAGE};
use crate::platform::clock::china_time;
use crate::platform::error::ApiResult;
use crate::platform::ids::{EmploymentId, VerificationTaskId};
use crate::platform::sorting::SortKey as _;
use crate::state::AppState;
use crate::verification::routes::{count_tasks, task, tasks, SelectedView, TaskView, TasksQuery};
use crate::verification::rules::TaskState;
use crate::verification::selection::{review, ReviewBody};
use crate::verification::store::{TaskOrder, TaskSort};

pub use progress::{export_csv, export_xlsx, progress_page, review_check_in, selfie};

const TASKS: &str = "/console/verification/tasks";

/// A task as listed.
struct Row {
    id: String,
    enterprise: String,
    qualification: String,
    kind: &'static str,
    state: String,
    round: i64,
    start_deadline: String,
    window_end: String,
}

#[derive(Template)]
#[template(path = "console/verification/tasks.html")]
struct TasksPage {
    frame: Frame,
    query: ListQuery,
    columns: Vec<Column>,
    rows: Vec<Row>,
    pager: Pager,
}

/// The list's state filter with the table's sort and page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    state: String,
    #[serde(flatten)]
    table: TableQuery,
}

/// The state filter as the API's: a known state, or none (every state).
fn state_filter(state: &str) -> Option<TaskState> {
    serde_json::from_value(json!(state)).ok()
}

/// `GET /console/verification/tasks?state=&sort=&dir=&page=`: the API's list of tasks
/// (`routes::{tasks, count_tasks}`) as a table, the most urgent start deadline first by default.
pub async fn tasks_page(State(state): State<AppState>, console: Console, Query(q): Query<ListQuery>) -> Response {
    let table = Table::new(TASKS, vec![("state", q.state.clone())], &q.table, &TaskSort::names());
    let query = TasksQuery {
        state: state_filter(&q.state),
        page: Some(table.page),
        per_page: Some(PER_PAGE),
        ..TasksQuery::default()
    };
    let order = TaskOrder::parse(table.sort, table.descending);
    let found = counted(
        count_tasks(&state, &console.caller, &query),
        tasks(&state, &console.caller, &query, order),
    );
    let (total, views) = match found.await {
        Ok(found) => found,
        Err(error) => return refused(&console, TASKS, &error),
    };
    let frame = Frame::of(&console, "verification", TASKS);
    let v = frame.t.verification;
    let rows = views
        .into_iter()
        .map(|v| Row {
            kind: frame.t.verification.kind_name(&v.kind),
            id: v.id.to_string(),
            enterprise: v.enterprise_name,
            qualification: v.qualification,
            state: v.state.as_str().to_owned(),
            round: v.round,
            start_deadline: v.start_deadline,
            window_end: v.window_end.unwrap_or_default(),
        })
        .collect::<Vec<_>>();
    let columns = vec![
        table.column(v.enterprise, Some("enterprise")),
        table.column(v.qualification, None),
        table.column(v.kind, None),
        table.column(v.state, Some("state")),
        table.column(v.round, None),
        table.column(v.start_deadline, Some("deadline")),
        table.column(v.window_end, None),
    ];
    let page = TasksPage {
        pager: table.pager(total),
        frame,
        query: q,
        columns,
        rows,
    };
    html(StatusCode::OK, page)
}

/// A certificate of a selected person, its scan previewed inline when the caller may see it.
struct Certificate {
    name: String,
    number: String,
    valid_until: String,
    document: String,
    /// `pdf` (an iframe), `image` (an img), or "" (no preview: not visible to the caller).
    preview: &'static str,
}

struct Person {
    view: SelectedView,
    certificates: Vec<Certificate>,
}

/// The selection, and any replacement awaiting review.
struct Section {
    id: &'static str,
    title: &'static str,
    people: Vec<Person>,
}

struct Review {
    decision: String,
    opinion: String,
    at: String,
}

#[derive(Template)]
#[template(path = "console/verification/task.html")]
struct TaskPage {
    frame: Frame,
    task: TaskView,
    state: String,
    kind: &'static str,
    sections: Vec<Section>,
    reviews: Vec<Review>,
    awaits_review: bool,
}

/// How a document is previewed: PDFs in a frame, images as such.
fn preview_of(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "pdf",
        t if t.starts_with("image/") => "image",
        _ => "",
    }
}

/// The certificates of a selected person (the API's `GET /employment/relations/{id}/certificates`),
/// each scan's preview decided by the document as the caller may see it.
async fn certificates(state: &AppState, console: &Console, employment: &EmploymentId) -> ApiResult<Vec<Certificate>> {
    let mut out = Vec::new();
    for c in crate::employment::routes::certificates_of(state, &console.caller, employment).await? {
        let document = crate::documents::readable_by(&state.db, &c.document_id, &console.caller).await?;
        out.push(Certificate {
            preview: document.map_or("", |d| preview_of(&d.content_type)),
            name: c.name,
            number: c.number.unwrap_or_default(),
            valid_until: c.valid_until.unwrap_or_default(),
            document: c.document_id.to_string(),
        });
    }
    Ok(out)
}

async fn people(state: &AppState, console: &Console, views: Vec<SelectedView>) -> ApiResult<Vec<Person>> {
    let mut out = Vec::with_capacity(views.len());
    for view in views {
        let certificates = certificates(state, console, &view.employment_id).await?;
        out.push(Person { view, certificates });
    }
    Ok(out)
}

/// The task page with `notice`, or the API's refusal of the task itself.
async fn task_answer(
    state: &AppState,
    console: &Console,
    id: &VerificationTaskId,
    notice: Option<(StatusCode, Notice)>,
) -> Response {
    let path = format!("{TASKS}/{id}");
    let page = match task_page(state, console, id, &path).await {
        Ok(page) => page,
        Err(error) => return refused(console, &path, &error),
    };
    match notice {
        Some((status, notice)) => html(
            status,
            TaskPage {
                frame: page.frame.with(notice),
                ..page
            },
        ),
        None => html(StatusCode::OK, page),
    }
}

async fn task_page(state: &AppState, console: &Console, id: &VerificationTaskId, path: &str) -> ApiResult<TaskPage> {
    let mut view = task(state, &console.caller, id).await?;
    let frame = Frame::of(console, "verification", path);
    let v = frame.t.verification;
    let mut sections = vec![Section {
        id: "selection",
        title: v.selection,
        people: people(state, console, std::mem::take(&mut view.selection)).await?,
    }];
    let replacement = people(state, console, std::mem::take(&mut view.proposed_replacement)).await?;
    if !replacement.is_empty() {
        sections.push(Section {
            id: "replacement",
            title: v.proposed_replacement,
            people: replacement,
        });
    }
    let reviews = std::mem::take(&mut view.reviews)
        .into_iter()
        .map(|r| Review {
            decision: r.decision,
            opinion: r.opinion,
            at: china_time(r.at),
        })
        .collect();
    Ok(TaskPage {
        awaits_review: matches!(
            view.state,
            TaskState::SelectionSubmitted | TaskState::ReplacementSubmitted
        ),
        state: view.state.as_str().to_owned(),
        kind: frame.t.verification.kind_name(&view.kind),
        frame,
        task: view,
        sections,
        reviews,
    })
}

/// `GET /console/verification/tasks/{id}`.
pub async fn task_detail(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<VerificationTaskId>,
) -> Response {
    task_answer(&state, &console, &id, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    decision: String,
    opinion: String,
}

/// `POST /console/verification/tasks/{id}/review`: the API's review of the selection (or of
/// a replacement), with its refusals.
pub async fn review_selection(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<VerificationTaskId>,
    Form(form): Form<ReviewForm>,
) -> Response {
    let body = json!({"decision": form.decision, "opinion": form.opinion});
    let reviewed = match api_body::<ReviewBody>(body) {
        Ok(body) => review(&state, &console.caller, act, &id, &body).await,
        Err(error) => Err(error),
    };
    let t = console_texts(&console);
    let notice = match reviewed {
        Ok(_) => (StatusCode::OK, Notice::ok(t.reviewed)),
        Err(error) => (error.status, Notice::refused(&error, console.lang)),
    };
    task_answer(&state, &console, &id, Some(notice)).await
}

fn console_texts(console: &Console) -> &'static texts::VerificationTexts {
    super::texts::Texts::of(console.lang).verification
}
