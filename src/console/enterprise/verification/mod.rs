//! Verification (journey 4): the enterprise's tasks, the most urgent start deadline first
//! (`verification::routes::{tasks, count_tasks}`); a task with its candidates and what each
//! holds (`selection::candidates`), a live check of a selection against every seed 004 rule
//! (`selection::violations`, the rules the submission checks) before submitting it
//! (`selection::{submit, replace}`); each candidate's certificate uploaded
//! (`employment::routes::add_certificate`); the review opinions, the progress
//! (`outcomes::progress_rows`) and the check-ins (`checkin::attempts_of_task`) with an appeal of
//! a refused one (`review::appeal_attempt`); the rectification report with its PDF
//! (`outcomes::rectify`). Nothing is decided here: every refusal is the API's.

mod actions;
pub mod texts;
mod uploads;

use askama::Template;
use axum::{
    extract::{DefaultBodyLimit, Path, Query, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
    Router,
};
use serde::Deserialize;
use serde_json::json;

use self::texts::VerificationTexts;
use crate::console::page::{api_body, html, refused, Frame, Notice};
use crate::console::session::Console;
use crate::employment::CertificateView;
use crate::platform::clock::china_time;
use crate::platform::error::ApiResult;
use crate::platform::ids::VerificationTaskId;
use crate::platform::sorting::Order;
use crate::state::AppState;
use crate::verification::checkin::attempts_of_task;
use crate::verification::outcomes::{progress_rows, ProgressRow};
use crate::verification::routes::{count_tasks, task, tasks, TaskView, TasksQuery};
use crate::verification::rules::TaskState;
use crate::verification::selection::{candidates, CandidateView};
use crate::verification::store::{AttemptView, TaskSort};

const TASKS: &str = "/enterprise/verification";
/// How many tasks a page lists.
const PER_PAGE: u32 = 50;

/// The verification pages and actions, merged into the portal's routes.
pub fn verification_routes() -> Router<AppState> {
    let uploads = Router::new()
        // Under `uploads/`: the guard leaves these bodies to the handler, which checks the form
        // token (the first part) and streams the file with the purpose's cap.
        .route(
            "/enterprise/uploads/verification/{task}/certificates/{employment}",
            post(uploads::certificate),
        )
        .route(
            "/enterprise/uploads/verification/{task}/rectification",
            post(uploads::rectification),
        )
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .route(TASKS, get(tasks_page))
        .route("/enterprise/verification/{id}", get(task_page))
        .route("/enterprise/verification/{id}/check", post(actions::check))
        .route("/enterprise/verification/{id}/selection", post(actions::select))
        .route("/enterprise/verification/{id}/appeals", post(actions::appeal))
        .merge(uploads)
}

/// The pages' words in the session's language.
fn words(console: &Console) -> &'static VerificationTexts {
    VerificationTexts::of(console.lang)
}

#[derive(Template)]
#[template(path = "console/enterprise/verification_tasks.html")]
struct TasksPage {
    frame: Frame,
    w: &'static VerificationTexts,
    tasks: Vec<TaskView>,
    page: u32,
    total: i64,
}

impl TasksPage {
    fn more(&self) -> bool {
        i64::from(self.page) * i64::from(PER_PAGE) < self.total
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: Option<u32>,
}

/// `GET /enterprise/verification`: the enterprise's tasks (the API's list, its scope the
/// enterprise's own), the nearest start deadline first.
pub async fn tasks_page(State(state): State<AppState>, console: Console, Query(q): Query<PageQuery>) -> Response {
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let query = TasksQuery {
        page: Some(page),
        per_page: Some(PER_PAGE),
        ..TasksQuery::default()
    };
    let nearest = Order {
        key: TaskSort::Deadline,
        descending: false,
    };
    let found = async {
        let total = count_tasks(&state, &console.caller, &query).await?;
        ApiResult::Ok((total, tasks(&state, &console.caller, &query, nearest).await?))
    };
    let (total, tasks) = match found.await {
        Ok(found) => found,
        Err(error) => return refused(&console, TASKS, &error),
    };
    let page = TasksPage {
        frame: Frame::of(&console, "verification", TASKS),
        w: words(&console),
        tasks,
        page,
        total,
    };
    html(StatusCode::OK, page)
}

/// A candidate with their certificates, and whether the form has them selected.
struct Candidate {
    view: CandidateView,
    picked: bool,
    certificates: Vec<CertificateView>,
}

/// A rule the selection breaks, as the API words its refusal.
pub(super) struct Broken {
    code: String,
    message: String,
}

/// A check-in attempt as listed.
struct Attempt {
    view: AttemptView,
    person: String,
    at: String,
    /// The appeal lodged and its decision, as (kind, decision, text).
    decisions: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "console/enterprise/verification_task.html")]
struct TaskPage {
    frame: Frame,
    w: &'static VerificationTexts,
    task: TaskView,
    state: &'static str,
    kind: &'static str,
    /// The selection can be submitted now (a new one, or a replacement).
    editable: bool,
    replacement: bool,
    candidates: Vec<Candidate>,
    /// The live check's answer: every rule broken (none: all met); None when not checked.
    checked: Option<Vec<Broken>>,
    reviews: Vec<(String, String, String, String)>,
    rows: Vec<ProgressRow>,
    attempts: Vec<Attempt>,
    report: String,
}

impl TaskPage {
    fn time(&self, at: &Option<i64>) -> String {
        at.map(china_time).unwrap_or_default()
    }
}

/// What a task page shows besides the task: the picks in its form (None: the current
/// selection), the live check's answer, an action's outcome, the report as typed.
#[derive(Default)]
pub(super) struct Shown {
    picks: Option<Vec<String>>,
    checked: Option<Vec<Broken>>,
    outcome: Option<(StatusCode, Notice)>,
    report: String,
}

/// `GET /enterprise/verification/{id}`.
pub async fn task_page(State(state): State<AppState>, console: Console, Path(id): Path<String>) -> Response {
    show(&state, &console, &id, Shown::default()).await
}

/// The task page, or the API's refusal of the task itself (another enterprise's: not found).
pub(super) async fn show(state: &AppState, console: &Console, id: &str, shown: Shown) -> Response {
    let path = format!("{TASKS}/{id}");
    let status = shown.outcome.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
    match read(state, console, id, shown, &path).await {
        Ok(page) => html(status, page),
        Err(error) => refused(console, &path, &error),
    }
}

async fn read(state: &AppState, console: &Console, id: &str, shown: Shown, path: &str) -> ApiResult<TaskPage> {
    let id: VerificationTaskId = api_body(json!(id))?;
    let caller = &console.caller;
    let task = task(state, caller, &id).await?;
    let (_, rows) = progress_rows(state, caller, &id).await?;
    let names: Vec<_> = rows.iter().map(|r| (r.person_id.clone(), r.name.clone())).collect();
    let attempts = attempts_of_task(state, caller, &id)
        .await?
        .into_iter()
        .map(|view| attempt(view, &names))
        .collect();
    let picks = shown
        .picks
        .unwrap_or_else(|| task.selection.iter().map(|s| s.employment_id.to_string()).collect());
    let mut listed = Vec::new();
    for view in candidates(state, caller, &id).await? {
        let certificates = crate::employment::routes::certificates_of(state, caller, &view.employment_id).await?;
        listed.push(Candidate {
            picked: picks.contains(&view.employment_id.to_string()),
            view,
            certificates,
        });
    }
    let mut frame = Frame::of(console, "verification", path);
    frame.notice = shown.outcome.map(|(_, notice)| notice);
    let v = frame.t.verification;
    let w = words(console);
    Ok(TaskPage {
        editable: task.state == TaskState::Open || task.needs_replacement,
        replacement: task.needs_replacement,
        state: task.state.as_str(),
        kind: v.kind_name(&task.kind),
        reviews: task
            .reviews
            .iter()
            .map(|r| {
                (
                    china_time(r.at),
                    w.subject(&r.subject).to_owned(),
                    r.decision.clone(),
                    r.opinion.clone(),
                )
            })
            .collect(),
        frame,
        w,
        task,
        candidates: listed,
        checked: shown.checked,
        rows,
        attempts,
        report: shown.report,
    })
}

fn attempt(view: AttemptView, names: &[(crate::platform::ids::PersonId, String)]) -> Attempt {
    let person = names
        .iter()
        .find(|(p, _)| *p == view.person_id)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    Attempt {
        at: china_time(view.at),
        decisions: view
            .decisions
            .iter()
            .map(|d| (d.kind.clone(), d.decision.clone(), d.text.clone()))
            .collect(),
        person,
        view,
    }
}
