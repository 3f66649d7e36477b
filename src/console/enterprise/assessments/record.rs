//! One self-assessment: its items grouped by kind with their fill, evidence and people, the
//! reviewer's opinions of the last round when it came back, the draft form, submission and
//! deletion. Reads through `assessments::routes::read`; acts through `filling::{save, detach,
//! remove}` and `submission::submit`, as the API's endpoints do.

use std::collections::HashMap;

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::form::fills;
use super::texts::AssessmentTexts;
use super::LIST;
use crate::assessments::filling::{self, SaveItemsBody};
use crate::assessments::not_allowed;
use crate::assessments::routes::{self as assessments, AssessmentView, ItemView};
use crate::assessments::rules::{self, Event, ItemKind};
use crate::assessments::submission::{self, SubmitBody};
use crate::audit::Act;
use crate::console::page::{api_body, html, refused, Frame, Notice};
use crate::console::review::texts::ReviewTexts;
use crate::console::session::Console;
use crate::platform::clock::china_time;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{AssessmentId, DocumentId};
use crate::state::AppState;

/// A document linked to an item.
struct Doc {
    id: String,
    name: String,
}

/// A person of a people list.
struct Person {
    id: String,
    role: &'static str,
    summary: String,
    scan: String,
}

/// An item as the page shows it (values as typed when the API refused them).
struct Item {
    number: String,
    kind: &'static str,
    title: String,
    standard: String,
    scored: bool,
    max_score: String,
    self_score: String,
    self_note: String,
    rectification_note: String,
    evidence: Vec<Doc>,
    rectification: Vec<Doc>,
    /// Attachment lists: the named attachments, each with what fills it.
    slots: Vec<(String, Vec<Doc>)>,
    /// People lists: the roles listed (code, words).
    roles: Vec<(String, &'static str)>,
    people: Vec<Person>,
    /// The last round's review when the record came back: state code, words, opinion.
    review_code: String,
    review: &'static str,
    opinion: String,
}

/// A group of items as the template has them: scored items, people lists, attachment lists.
struct Group {
    title: &'static str,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "console/enterprise/assessment.html")]
struct RecordPage {
    frame: Frame,
    a: &'static AssessmentTexts,
    rt: &'static ReviewTexts,
    id: String,
    template_name: String,
    kind: &'static str,
    period: String,
    state_code: &'static str,
    state: &'static str,
    round: i64,
    self_total: String,
    max_total: String,
    /// Why the record cannot be edited: the API's refusal of an edit.
    locked: Option<Notice>,
    /// Why a returned record came back, in words.
    returned: Option<&'static str>,
    rectifying: bool,
    groups: Vec<Group>,
    /// Submissions: round, when, the opinion given, the review's outcome and opinion.
    rounds: Vec<[String; 5]>,
    opinion: String,
}

/// The form fields as typed (`score:<n>`, `note:<n>`, `rectification:<n>`, `opinion`).
type Typed = HashMap<String, String>;

fn score(value: Option<f64>) -> String {
    value.map(|v| format!("{v}")).unwrap_or_default()
}

fn docs<'d>(item: &'d ItemView, role: &'d str, slot: &'d str) -> impl Iterator<Item = Doc> + 'd {
    item.documents
        .iter()
        .filter(move |d| d.role == role && d.slot == slot)
        .map(|d| Doc {
            id: d.document_id.to_string(),
            name: d.file_name.clone(),
        })
}

fn item(
    a: &'static AssessmentTexts,
    rt: &'static ReviewTexts,
    view: ItemView,
    last: Option<&ItemView>,
    typed: &Typed,
) -> Item {
    let t = &view.template;
    let n = &t.number;
    let kept = |key: &str, stored: String| typed.get(&format!("{key}:{n}")).cloned().unwrap_or(stored);
    let (slots, roles) = match t.kind {
        ItemKind::Attachments => (
            t.slots
                .iter()
                .map(|s| (s.clone(), docs(&view, "evidence", s).collect()))
                .collect(),
            Vec::new(),
        ),
        ItemKind::People => (Vec::new(), t.slots.iter().map(|r| (r.clone(), a.role(r))).collect()),
        ItemKind::Scored => (Vec::new(), Vec::new()),
    };
    let review_code = last.map(|l| l.review_state.clone()).unwrap_or_default();
    Item {
        number: n.clone(),
        kind: t.kind.as_str(),
        title: t.title.clone(),
        standard: t.standard.clone(),
        scored: t.max_score.is_some(),
        max_score: score(t.max_score),
        self_score: kept("score", score(view.self_score)),
        self_note: kept("note", view.self_note.clone()),
        rectification_note: kept("rectification", view.rectification_note.clone()),
        evidence: if t.kind == ItemKind::Attachments {
            Vec::new()
        } else {
            docs(&view, "evidence", "").collect()
        },
        rectification: docs(&view, "rectification", "").collect(),
        slots,
        roles,
        people: view
            .people
            .iter()
            .map(|p| Person {
                id: p.id.clone(),
                role: a.role(p.role.as_str()),
                summary: format!(
                    "{} {} {} {} {}",
                    p.name, p.id_number, p.position, p.certificate_name, p.certificate_number
                ),
                scan: p.scan_document_id.to_string(),
            })
            .collect(),
        review: rt.word(&review_code),
        review_code,
        opinion: last.and_then(|l| l.review_opinion.clone()).unwrap_or_default(),
    }
}

/// The record with the last round's review when it came back (state `returned`).
async fn read(
    state: &AppState,
    console: &Console,
    id: &AssessmentId,
) -> ApiResult<(AssessmentView, Option<AssessmentView>)> {
    let view = assessments::read(state, &console.caller, id, None).await?;
    let last = if view.record.state == rules::State::Returned && view.record.round > 1 {
        Some(assessments::read(state, &console.caller, id, Some(view.record.round - 1)).await?)
    } else {
        None
    };
    Ok((view, last))
}

/// The items grouped as the template has them, each with its last round's review if given.
fn grouped(
    a: &'static AssessmentTexts,
    rt: &'static ReviewTexts,
    items: Vec<ItemView>,
    last: Option<AssessmentView>,
    typed: &Typed,
) -> Vec<Group> {
    let mut groups = [
        (ItemKind::Scored, a.scored_group),
        (ItemKind::People, a.people_group),
        (ItemKind::Attachments, a.attachments_group),
    ]
    .map(|(kind, title)| {
        (
            kind,
            Group {
                title,
                items: Vec::new(),
            },
        )
    });
    let last_items = last.map(|l| l.items).unwrap_or_default();
    for shown in items {
        let before = last_items.iter().find(|l| l.template.number == shown.template.number);
        let kind = shown.template.kind;
        let shown = item(a, rt, shown, before, typed);
        if let Some((_, group)) = groups.iter_mut().find(|(k, _)| *k == kind) {
            group.items.push(shown);
        }
    }
    groups
        .into_iter()
        .map(|(_, g)| g)
        .filter(|g| !g.items.is_empty())
        .collect()
}

fn record_page(console: &Console, view: AssessmentView, last: Option<AssessmentView>, typed: &Typed) -> RecordPage {
    let (a, rt) = (AssessmentTexts::of(console.lang), ReviewTexts::of(console.lang));
    let record = &view.record;
    let path = format!("{LIST}/{}", record.id);
    // What was typed is shown again only where it can still be saved.
    let none = Typed::new();
    let locked = rules::transition(record.state(), Event::Edit)
        .err()
        .map(|e| Notice::refused(&not_allowed(e), console.lang));
    let reason = match record.return_reason.as_deref() {
        Some("rectification") => a.return_rectification,
        _ => a.return_rejected,
    };
    let returned = (record.state == rules::State::Returned).then_some(reason);
    let typed = if locked.is_some() { &none } else { typed };
    let groups = grouped(a, rt, view.items, last, typed);
    let rounds = view
        .rounds
        .iter()
        .map(|r| {
            [
                r.round.to_string(),
                china_time(r.submitted_at),
                r.submit_opinion.clone(),
                r.outcome.as_deref().map(|o| rt.word(o)).unwrap_or_default().to_owned(),
                r.finish_opinion.clone().unwrap_or_default(),
            ]
        })
        .collect();
    RecordPage {
        frame: Frame::of(console, "assessments", &path),
        a,
        rt,
        id: record.id.to_string(),
        template_name: view.template_name.clone(),
        kind: rt.word(&record.kind),
        period: record.period.clone(),
        state_code: record.state.as_str(),
        state: rt.word(record.state.as_str()),
        round: record.round,
        self_total: score(Some(view.self_total)),
        max_total: score(Some(view.max_total)),
        rectifying: record.return_reason.as_deref() == Some("rectification") && locked.is_none(),
        locked,
        returned,
        groups,
        rounds,
        opinion: typed.get("opinion").cloned().unwrap_or_default(),
    }
}

/// The record page with what an action came to, the form as typed when it was refused.
pub async fn show_typed(
    state: &AppState,
    console: &Console,
    id: &AssessmentId,
    status: StatusCode,
    notice: Option<Notice>,
    typed: &Typed,
) -> Response {
    let (view, last) = match read(state, console, id).await {
        Ok(read) => read,
        Err(error) => return refused(console, &format!("{LIST}/{id}"), &error),
    };
    let mut page = record_page(console, view, last, typed);
    page.frame.notice = notice;
    html(status, page)
}

pub async fn show(
    state: &AppState,
    console: &Console,
    id: &AssessmentId,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    show_typed(state, console, id, status, notice, &Typed::new()).await
}

/// The record an action names, or the API's refusal of its id.
pub fn record_id(console: &Console, id: &str) -> Result<AssessmentId, Response> {
    api_body(json!(id)).map_err(|error: ApiError| refused(console, LIST, &error))
}

/// The record after an action: its outcome, the typed form kept when refused.
pub async fn after(
    state: &AppState,
    console: &Console,
    id: &AssessmentId,
    done: ApiResult<String>,
    typed: &Typed,
) -> Response {
    let failed = done.is_err();
    let (status, notice) = Notice::outcome(done, console.lang);
    let none = Typed::new();
    show_typed(
        state,
        console,
        id,
        status,
        Some(notice),
        if failed { typed } else { &none },
    )
    .await
}

/// `GET /enterprise/assessments/{id}`.
pub async fn page(State(state): State<AppState>, console: Console, Path(id): Path<String>) -> Response {
    match record_id(&console, &id) {
        Ok(id) => show(&state, &console, &id, StatusCode::OK, None).await,
        Err(refusal) => refusal,
    }
}

/// `POST /enterprise/assessments/{id}/items`: the API's save of the draft.
pub async fn save(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<String>,
    Form(typed): Form<Vec<(String, String)>>,
) -> Response {
    let id = match record_id(&console, &id) {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    let done = async {
        let body: SaveItemsBody = api_body(fills(&typed))?;
        filling::save(&state, &console.caller, &act, &id, &body).await?;
        Ok(AssessmentTexts::of(console.lang).saved.to_owned())
    };
    let done = done.await;
    after(&state, &console, &id, done, &typed.into_iter().collect()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubmitForm {
    opinion: String,
}

/// `POST /enterprise/assessments/{id}/submit`: the API's submission with the opinion; a
/// refusal names what is missing, item by item.
pub async fn submit(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<String>,
    Form(form): Form<SubmitForm>,
) -> Response {
    let id = match record_id(&console, &id) {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    let done = async {
        let body: SubmitBody = api_body(json!({"opinion": form.opinion}))?;
        submission::submit(&state, &console.caller, &act, &id, &body).await?;
        Ok(AssessmentTexts::of(console.lang).submitted_done.to_owned())
    };
    let done = done.await;
    let typed = Typed::from([("opinion".to_owned(), form.opinion)]);
    after(&state, &console, &id, done, &typed).await
}

/// `POST /enterprise/assessments/{id}/items/{number}/documents/{document}/remove`.
pub async fn detach(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path((id, number, document)): Path<(String, String, String)>,
) -> Response {
    let id = match record_id(&console, &id) {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    let done = async {
        let document: DocumentId = api_body(json!(document))?;
        filling::detach(&state, &console.caller, &act, &id, &number, &document).await?;
        Ok(AssessmentTexts::of(console.lang).removed.to_owned())
    };
    let done = done.await;
    after(&state, &console, &id, done, &Typed::new()).await
}

/// `POST /enterprise/assessments/{id}/items/{number}/people/{person}/remove`.
pub async fn remove_person(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path((id, number, person)): Path<(String, String, String)>,
) -> Response {
    let id = match record_id(&console, &id) {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    let done = filling::remove(&state, &console.caller, &act, &id, &number, &person).await;
    let done = done.map(|()| AssessmentTexts::of(console.lang).removed.to_owned());
    after(&state, &console, &id, done, &Typed::new()).await
}
