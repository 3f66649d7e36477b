//! Supervisors' project safety assessments reviewed by the city station (seed 001 §3.2): the
//! list with the API's filters, one assessment with its ten scored items, inspection details,
//! signed form and evidence (previewed in a frame beside them), its state history and
//! submissions, and the pass or return form. All through the API's own functions
//! (`assessments::project_safety::routes::{list, read, history, submissions, review}`), forms
//! turned into the API's request types by `page::api_body`.

pub(super) mod texts;

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
use crate::assessments::project_safety::routes::{self as projects, ListQuery, ProjectAssessmentView};
use crate::assessments::project_safety::store::{Order, ProjectAssessmentRow, Sort};
use crate::assessments::ReviewBody;
use crate::audit::Act;
use crate::console::page::api_body;
use crate::console::table::{counted, Column, Pager, Table, TableQuery, PER_PAGE};
use crate::platform::clock::china_time;
use crate::platform::ids::ProjectAssessmentId;
use crate::platform::sorting::SortKey as _;
use crate::state::AppState;
pub use texts::ProjectTexts;

const LIST: &str = "/console/project-assessments";

/// The list's filters with the table's sort and page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListForm {
    state: String,
    district: String,
    period: String,
    #[serde(flatten)]
    table: TableQuery,
}

impl ListForm {
    fn filters(&self) -> Vec<(&'static str, String)> {
        vec![
            ("state", self.state.clone()),
            ("district", self.district.clone()),
            ("period", self.period.clone()),
        ]
    }
}

struct ListRow {
    id: String,
    project: String,
    enterprise: String,
    district: String,
    period: String,
    supervisor: String,
    state_code: &'static str,
    state: &'static str,
    total: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "console/projects/list.html")]
struct ListPage {
    frame: Frame,
    pt: &'static ProjectTexts,
    form: ListForm,
    columns: Vec<Column>,
    rows: Vec<ListRow>,
    pager: Pager,
}

/// `GET /console/project-assessments`: the API's `GET /project-assessments` with its filters, as
/// a table sorted, paged and counted on the server (`projects::{list, count}`), oldest change first.
pub async fn list(State(state): State<AppState>, console: Console, RawQuery(raw): RawQuery) -> Response {
    let form: ListForm = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let table = Table::new(LIST, form.filters(), &form.table, &Sort::names());
    let query = json!({
        "state": given(&form.state), "district": given(&form.district), "period": given(&form.period),
        "page": table.page, "per_page": PER_PAGE,
    });
    let order = Order::parse(table.sort, table.descending);
    let found = match api_body::<ListQuery>(query) {
        Ok(query) => {
            let count = projects::count(&state, &console.caller, query.clone());
            counted(count, projects::list(&state, &console.caller, query, order)).await
        }
        Err(error) => Err(error),
    };
    let (total, rows) = match found {
        Ok(found) => found,
        Err(error) => return refused(&console, LIST, &error),
    };
    let pt = ProjectTexts::of(console.lang);
    let frame = Frame::of(&console, "projects", LIST);
    let columns = vec![
        table.column(pt.project, Some("project")),
        table.column(pt.enterprise, Some("enterprise")),
        table.column(pt.district, Some("district")),
        table.column(pt.period, Some("period")),
        table.column(pt.supervisor, None),
        table.column(pt.state, Some("state")),
        table.column(pt.total, None),
        table.column(pt.updated, Some("updated")),
    ];
    let page = ListPage {
        frame,
        pt,
        rows: rows.into_iter().map(|r| list_row(pt, r)).collect(),
        form,
        columns,
        pager: table.pager(total),
    };
    html(StatusCode::OK, page)
}

fn list_row(pt: &'static ProjectTexts, r: ProjectAssessmentRow) -> ListRow {
    ListRow {
        id: r.id.to_string(),
        project: r.project_name,
        enterprise: r.enterprise_name,
        district: r.district_code,
        period: r.period,
        supervisor: r.supervisor_name,
        state_code: r.state.as_str(),
        state: pt.word(r.state.as_str()),
        total: score(r.total_score),
        updated: china_time(r.updated_at),
    }
}

/// A document of the form, previewed in the page's frame.
struct Document {
    id: String,
    name: String,
}

struct ItemRow {
    number: String,
    title: String,
    standard: String,
    max_score: String,
    score: String,
}

struct Change {
    from: &'static str,
    to: &'static str,
    opinion: String,
    at: String,
}

struct SubmissionRow {
    number: i64,
    at: String,
    total: String,
}

#[derive(Template)]
#[template(path = "console/projects/record.html")]
struct RecordPage {
    frame: Frame,
    pt: &'static ProjectTexts,
    view: ProjectAssessmentView,
    state_code: &'static str,
    state: &'static str,
    building_area: String,
    total: String,
    max_total: String,
    items: Vec<ItemRow>,
    documents: Vec<Document>,
    changes: Vec<Change>,
    submissions: Vec<SubmissionRow>,
}

/// `GET /console/project-assessments/{id}`.
pub async fn record(State(state): State<AppState>, console: Console, Path(id): Path<ProjectAssessmentId>) -> Response {
    page(&state, &console, &id, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    decision: String,
    opinion: String,
}

/// `POST /console/project-assessments/{id}/review`: pass, or return to the supervisor.
pub async fn review(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<ProjectAssessmentId>,
    Form(form): Form<ReviewForm>,
) -> Response {
    let body = json!({"decision": form.decision, "opinion": form.opinion});
    let done = match api_body::<ReviewBody>(body) {
        Ok(body) => projects::review(&state, &console.caller, &act, &id, body).await,
        Err(error) => Err(error),
    };
    let pt = ProjectTexts::of(console.lang);
    let said = done.map(|view| match view.record.state.as_str() {
        "approved" => pt.done_pass.to_owned(),
        _ => pt.done_return.to_owned(),
    });
    let (status, notice) = Notice::outcome(said, console.lang);
    page(&state, &console, &id, status, Some(notice)).await
}

/// The assessment's page, with what an action came to.
async fn page(
    state: &AppState,
    console: &Console,
    id: &ProjectAssessmentId,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    let path = format!("{LIST}/{id}");
    let caller = &console.caller;
    let read = match projects::read(state, caller, id).await {
        Ok(view) => match projects::history(state, caller, id).await {
            Ok(history) => projects::submissions(state, caller, id)
                .await
                .map(|submissions| (view, history, submissions)),
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    let (view, history, submissions) = match read {
        Ok(read) => read,
        Err(error) => return refused(console, &path, &error),
    };
    let pt = ProjectTexts::of(console.lang);
    let mut frame = Frame::of(console, "projects", &path);
    frame.notice = notice;
    let page = RecordPage {
        state_code: view.record.state.as_str(),
        state: pt.word(view.record.state.as_str()),
        building_area: score(view.record.building_area),
        total: score(Some(view.current_total)),
        max_total: score(Some(view.max_total)),
        items: view
            .items
            .iter()
            .map(|i| ItemRow {
                number: i.template.number.clone(),
                title: i.template.title.clone(),
                standard: i.template.standard.clone(),
                max_score: score(i.template.max_score),
                score: score(i.score),
            })
            .collect(),
        documents: view
            .documents
            .iter()
            .map(|d| Document {
                id: d.document_id.to_string(),
                name: format!("{} · {}", pt.word(&d.role), d.file_name),
            })
            .collect(),
        changes: history
            .into_iter()
            .map(|c| Change {
                from: pt.word(&c.from_state),
                to: pt.word(&c.to_state),
                opinion: c.opinion.unwrap_or_default(),
                at: china_time(c.at),
            })
            .collect(),
        submissions: submissions
            .into_iter()
            .map(|s| SubmissionRow {
                number: s.submission,
                at: china_time(s.submitted_at),
                total: score(Some(s.total_score)),
            })
            .collect(),
        frame,
        pt,
        view,
    };
    html(status, page)
}

/// A score or an area as people write it: `8`, `7.5`; nothing when there is none.
fn score(value: Option<f64>) -> String {
    value.map(|v| format!("{v}")).unwrap_or_default()
}
