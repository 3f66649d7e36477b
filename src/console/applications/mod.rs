//! Certificate applications (办件) at the staff's step: the district desk accepts them
//! (`application.district`), the city approves them (`application.city`). The list with the
//! API's filters (`applications::routes::list`), one application with what it asks for, its
//! approval chain, the scan of the original or the proof previewed beside it and its history
//! (`routes::read`), and the approve/refuse form with the desk's check of the original
//! (`routes::review`): the API's own functions, so its refusals are the page's.

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
use crate::applications::routes::{self as applications, ApplicationFilter, ApplicationReviewBody, ConfirmBody};
use crate::applications::store::{Order, Sort};
use crate::applications::view::{ApplicationView, ApplicationWithHistory};
use crate::audit::Act;
use crate::auth::console_sessions::Portal;
use crate::console::page::api_body;
use crate::console::table::{counted, Column, Pager, Table, TableQuery};
use crate::platform::clock::china_time;
use crate::platform::error::ApiResult;
use crate::platform::ids::ApplicationId;
use crate::platform::sorting::SortKey as _;
use crate::state::AppState;
pub use texts::ApplicationTexts;

/// Where the list is in the caller's portal: staff see their desk's applications, an
/// enterprise those for it and those it confirms (the API's bounds decide which).
fn list_path(console: &Console) -> String {
    format!("{}/applications", console.door.path)
}

/// The navigation entry the pages mark: the enterprise portal has one, the staff reach the
/// list from their inbox.
fn current(console: &Console) -> &'static str {
    if console.door.portal == Portal::Enterprise {
        "applications"
    } else {
        ""
    }
}

/// The list's filters with the table's sort and page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListForm {
    waiting_for: String,
    state: String,
    kind: String,
    #[serde(flatten)]
    table: TableQuery,
}

impl ListForm {
    fn filters(&self) -> Vec<(&'static str, String)> {
        vec![
            ("waiting_for", self.waiting_for.clone()),
            ("state", self.state.clone()),
            ("kind", self.kind.clone()),
        ]
    }
}

struct ListRow {
    id: String,
    service: &'static str,
    applicant: String,
    certificate: String,
    enterprise: String,
    district: String,
    state_code: &'static str,
    state: &'static str,
    waiting_for: &'static str,
    updated: String,
}

#[derive(Template)]
#[template(path = "console/applications/list.html")]
struct ListPage {
    frame: Frame,
    /// The list's path in the caller's portal.
    list: String,
    at: &'static ApplicationTexts,
    form: ListForm,
    columns: Vec<Column>,
    rows: Vec<ListRow>,
    pager: Pager,
}

/// `GET /console/applications`: the API's `GET /applications` with its filters, as a table
/// sorted, paged and counted on the server (`applications::{list, count}`), the oldest first.
pub async fn list(State(state): State<AppState>, console: Console, RawQuery(raw): RawQuery) -> Response {
    let list = list_path(&console);
    let form: ListForm = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let table = Table::new(&list, form.filters(), &form.table, &Sort::names());
    let filter =
        json!({"state": given(&form.state), "kind": given(&form.kind), "waiting_for": given(&form.waiting_for)});
    let order = Order::parse(table.sort, table.descending);
    let found = match api_body::<ApplicationFilter>(filter) {
        Ok(filter) => {
            let count = applications::count(&state, &console.caller, filter.clone());
            counted(
                count,
                applications::list(&state, &console.caller, filter, order, table.paging()),
            )
            .await
        }
        Err(error) => Err(error),
    };
    let (total, found) = match found {
        Ok(found) => found,
        Err(error) => return refused(&console, &list, &error),
    };
    let at = ApplicationTexts::of(console.lang);
    let columns = vec![
        table.column(at.service, Some("kind")),
        table.column(at.applicant, None),
        table.column(at.certificate_number, None),
        table.column(at.enterprise, Some("enterprise")),
        table.column(at.district, Some("district")),
        table.column(at.state, Some("state")),
        table.column(at.waiting_for, None),
        table.column(at.updated, Some("updated")),
    ];
    let page = ListPage {
        frame: Frame::of(&console, current(&console), &list),
        at,
        rows: found.into_iter().map(|a| list_row(at, a)).collect(),
        form,
        columns,
        pager: table.pager(total),
        list,
    };
    html(StatusCode::OK, page)
}

fn list_row(at: &'static ApplicationTexts, a: ApplicationView) -> ListRow {
    ListRow {
        id: a.id.to_string(),
        service: at.service(a.kind.label()),
        applicant: a.applicant_name,
        certificate: a.certificate_number.unwrap_or_default(),
        enterprise: a.enterprise_name,
        district: a.district_code,
        state_code: a.state.as_str(),
        state: at.word(a.state.as_str()),
        waiting_for: a.waiting_for.map(|s| at.word(s.as_str())).unwrap_or_default(),
        updated: china_time(a.updated_at),
    }
}

/// An act on the application, as the history shows it.
struct Event {
    action: &'static str,
    step: &'static str,
    actor: &'static str,
    opinion: String,
    original_checked: bool,
    at: String,
}

#[derive(Template)]
#[template(path = "console/applications/application.html")]
struct ApplicationPage {
    frame: Frame,
    /// The list's path in the caller's portal, and its documents' preview.
    list: String,
    documents: String,
    at: &'static ApplicationTexts,
    view: ApplicationView,
    service: &'static str,
    state_code: &'static str,
    state: &'static str,
    waiting_code: &'static str,
    waiting_for: &'static str,
    steps: Vec<&'static str>,
    /// What the application asks for, as label and value.
    asks: Vec<(&'static str, String)>,
    document: Option<String>,
    created: String,
    events: Vec<Event>,
}

/// `GET /console/applications/{id}`.
pub async fn application(State(state): State<AppState>, console: Console, Path(id): Path<ApplicationId>) -> Response {
    match applications::read(&state, &console.caller, &id).await {
        Ok(read) => page(&console, read, StatusCode::OK, None),
        Err(error) => refused(&console, &format!("{}/{id}", list_path(&console)), &error),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    decision: String,
    opinion: String,
    original_checked: Option<String>,
}

/// `POST /console/applications/{id}/review`: accept or approve at the caller's step, or refuse.
/// A refusal is shown on the application's page when the caller may read it.
pub async fn review(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<ApplicationId>,
    Form(form): Form<ReviewForm>,
) -> Response {
    let body = json!({"decision": form.decision, "opinion": given(&form.opinion),
                      "original_checked": form.original_checked.is_some()});
    let done = match api_body::<ApplicationReviewBody>(body) {
        Ok(body) => applications::review(&state, &console.caller, act, &id, body).await,
        Err(error) => Err(error),
    };
    answered(&state, &console, &id, done).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    decision: String,
    opinion: String,
}

/// `POST /enterprise/applications/{id}/confirm`: the enterprise confirms the application or
/// declines it with an opinion, at its step.
pub async fn confirm(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<ApplicationId>,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let body = json!({"decision": form.decision, "opinion": given(&form.opinion)});
    let done = match api_body::<ConfirmBody>(body) {
        Ok(body) => applications::confirm(&state, &console.caller, act, &id, body).await,
        Err(error) => Err(error),
    };
    answered(&state, &console, &id, done).await
}

/// The application's page after an act: what it came to, or the refusal beside the
/// application when the caller may read it.
async fn answered(
    state: &AppState,
    console: &Console,
    id: &ApplicationId,
    done: ApiResult<ApplicationWithHistory>,
) -> Response {
    let at = ApplicationTexts::of(console.lang);
    match done {
        Ok(read) => page(console, read, StatusCode::OK, Some(Notice::ok(at.done))),
        Err(error) => match applications::read(state, &console.caller, id).await {
            Ok(read) => page(console, read, error.status, Some(Notice::refused(&error, console.lang))),
            Err(_) => refused(console, &format!("{}/{id}", list_path(console)), &error),
        },
    }
}

/// The application's page, with what an action came to.
fn page(console: &Console, read: ApplicationWithHistory, status: StatusCode, notice: Option<Notice>) -> Response {
    let ApplicationWithHistory {
        application: view,
        history,
    } = read;
    let list = list_path(console);
    let path = format!("{list}/{}", view.id);
    let at = ApplicationTexts::of(console.lang);
    let mut frame = Frame::of(console, current(console), &path);
    frame.notice = notice;
    let events = history
        .into_iter()
        .map(|e| Event {
            action: at.word(e.action.as_str()),
            step: e.step.map(|s| at.word(s.as_str())).unwrap_or_default(),
            actor: at.word(&e.actor_kind),
            opinion: e.opinion.unwrap_or_default(),
            original_checked: e.original_checked,
            at: china_time(e.at),
        })
        .collect();
    let page = ApplicationPage {
        service: at.service(view.kind.label()),
        state_code: view.state.as_str(),
        state: at.word(view.state.as_str()),
        waiting_code: view.waiting_for.map(|s| s.as_str()).unwrap_or_default(),
        waiting_for: view.waiting_for.map(|s| at.word(s.as_str())).unwrap_or_default(),
        steps: view.steps.iter().map(|s| at.word(s.as_str())).collect(),
        asks: asks(at, &view),
        document: view.document_id.as_ref().map(|d| d.to_string()),
        created: china_time(view.created_at),
        events,
        documents: format!("{}/documents", console.door.path),
        list,
        frame,
        at,
        view,
    };
    html(status, page)
}

/// What the application asks for, the parts its kind has.
fn asks(at: &ApplicationTexts, view: &ApplicationView) -> Vec<(&'static str, String)> {
    let d = &view.detail;
    let mut asks = Vec::new();
    if let Some(from) = &d.from_enterprise_name {
        asks.push((at.from_enterprise, from.clone()));
    }
    if d.at_the_desk {
        asks.push((at.at_the_desk, at.yes.to_owned()));
    }
    if let Some(reason) = d.reason {
        asks.push((at.reason, reason.label().to_owned()));
    }
    if let Some(c) = &d.certificate {
        let category = crate::certificates::kinds::category_label(&c.category);
        let what = [category, c.number.as_deref().unwrap_or_default()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        let valid = format!(
            "{} – {}",
            c.issued_on.as_deref().unwrap_or_default(),
            c.expires_on.as_deref().unwrap_or_default()
        );
        asks.push((at.certificate, what));
        asks.push((at.validity, valid));
    }
    if let Some(name) = &d.new_enterprise_name {
        asks.push((at.new_enterprise, name.clone()));
    }
    if let Some(n) = d.certificates {
        asks.push((at.certificates, n.to_string()));
    }
    asks
}
