//! The review pages as they are drawn: what the templates show of the API's views.

use askama::Template;
use axum::{http::StatusCode, response::Response};

use super::texts::ReviewTexts;
use super::ListForm;
use crate::assessments::routes::{self as assessments, AssessmentView, ItemView};
use crate::assessments::store::{AssessmentRow, ReviewRecord};
use crate::console::page::{html, refused, Frame, Notice};
use crate::console::session::Console;
use crate::console::table::{Column, Pager, Table};
use crate::platform::clock::china_time;
use crate::platform::error::ApiResult;
use crate::platform::ids::AssessmentId;
use crate::state::AppState;

pub(super) const LIST: &str = "/console/assessments";

/// A record as listed.
struct ListRow {
    id: String,
    enterprise: String,
    district: String,
    kind: &'static str,
    period: String,
    state_code: String,
    state: &'static str,
    round: i64,
    updated: String,
}

#[derive(Template)]
#[template(path = "console/review/list.html")]
struct ListPage<'a> {
    frame: Frame,
    rt: &'static ReviewTexts,
    form: &'a ListForm,
    columns: Vec<Column>,
    rows: Vec<ListRow>,
    pager: Pager,
}

/// The list page (`found`: the total and the page's rows), or the API's refusal of its filters.
pub(super) fn list(
    console: &Console,
    form: &ListForm,
    table: &Table,
    found: ApiResult<(usize, Vec<AssessmentRow>)>,
) -> Response {
    let (total, rows) = match found {
        Ok(found) => found,
        Err(error) => return refused(console, LIST, &error),
    };
    let rt = ReviewTexts::of(console.lang);
    let frame = Frame::of(console, "assessments", LIST);
    let columns = vec![
        table.column(rt.enterprise, Some("enterprise")),
        table.column(frame.t.district_code, Some("district")),
        table.column(rt.kind, None),
        table.column(rt.period, Some("period")),
        table.column(rt.state, Some("state")),
        table.column(rt.round, None),
        table.column(rt.updated, Some("updated")),
    ];
    let rows = rows
        .into_iter()
        .map(|r| ListRow {
            id: r.id.to_string(),
            enterprise: r.enterprise_name,
            district: r.district_code,
            kind: rt.word(&r.kind),
            period: r.period,
            state_code: r.state.as_str().to_owned(),
            state: rt.word(r.state.as_str()),
            round: r.round,
            updated: china_time(r.updated_at),
        })
        .collect();
    let page = ListPage {
        frame,
        rt,
        form,
        columns,
        rows,
        pager: table.pager(total),
    };
    html(StatusCode::OK, page)
}

/// A piece of evidence or a person's certificate scan, previewed in the page's frame.
struct Evidence {
    document_id: String,
    name: String,
}

/// An item as the review page shows it.
struct ItemRow {
    number: String,
    title: String,
    standard: String,
    scored: bool,
    max_score: String,
    self_score: String,
    self_note: String,
    evidence: Vec<Evidence>,
    people: Vec<String>,
    assessed_score: String,
    review_code: String,
    review: &'static str,
    opinion: String,
}

struct RoundRow {
    round: i64,
    submitted_at: String,
    finished_at: String,
    outcome: &'static str,
    result: &'static str,
    opinion: String,
}

#[derive(Template)]
#[template(path = "console/review/record.html")]
struct RecordPage {
    frame: Frame,
    rt: &'static ReviewTexts,
    id: String,
    enterprise: String,
    template_name: String,
    period: String,
    state: &'static str,
    shown_round: i64,
    current_round: bool,
    self_total: String,
    assessed_total: String,
    max_total: String,
    items: Vec<ItemRow>,
    rounds: Vec<RoundRow>,
}

/// The record page with the items of `round`, and what an action came to.
pub async fn record(
    state: &AppState,
    console: &Console,
    id: &AssessmentId,
    round: Option<i64>,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    let path = format!("{LIST}/{id}");
    let view = match assessments::read(state, &console.caller, id, round).await {
        Ok(view) => view,
        Err(error) => return refused(console, &path, &error),
    };
    let mut frame = Frame::of(console, "assessments", &path);
    frame.notice = notice;
    html(status, record_page(frame, ReviewTexts::of(console.lang), view))
}

fn record_page(frame: Frame, rt: &'static ReviewTexts, view: AssessmentView) -> RecordPage {
    RecordPage {
        id: view.record.id.to_string(),
        enterprise: view.record.enterprise_name.clone(),
        template_name: view.template_name,
        period: view.record.period.clone(),
        state: rt.word(view.record.state.as_str()),
        shown_round: view.shown_round,
        current_round: view.shown_round == view.record.round,
        self_total: score(Some(view.self_total)),
        assessed_total: score(Some(view.assessed_total)),
        max_total: score(Some(view.max_total)),
        items: view.items.into_iter().map(|item| item_row(rt, item)).collect(),
        rounds: view
            .rounds
            .into_iter()
            .map(|r| RoundRow {
                round: r.round,
                submitted_at: china_time(r.submitted_at),
                finished_at: r.finished_at.map(china_time).unwrap_or_default(),
                outcome: r.outcome.as_deref().map(|o| rt.word(o)).unwrap_or_default(),
                result: r.result.as_deref().map(|o| rt.word(o)).unwrap_or_default(),
                opinion: r.finish_opinion.unwrap_or_default(),
            })
            .collect(),
        frame,
        rt,
    }
}

fn item_row(rt: &'static ReviewTexts, item: ItemView) -> ItemRow {
    let mut evidence: Vec<Evidence> = item
        .documents
        .into_iter()
        .map(|d| Evidence {
            document_id: d.document_id.to_string(),
            name: if d.slot.is_empty() {
                d.file_name
            } else {
                format!("{} · {}", d.slot, d.file_name)
            },
        })
        .collect();
    let people = item
        .people
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {}",
                p.name, p.position, p.certificate_name, p.certificate_number
            )
        })
        .collect();
    evidence.extend(item.people.into_iter().map(|p| Evidence {
        document_id: p.scan_document_id.to_string(),
        name: format!("{} · {}", p.name, p.certificate_name),
    }));
    ItemRow {
        scored: item.template.max_score.is_some(),
        max_score: score(item.template.max_score),
        number: item.template.number,
        title: item.template.title,
        standard: item.template.standard,
        self_score: score(item.self_score),
        self_note: item.self_note,
        evidence,
        people,
        assessed_score: score(item.assessed_score),
        review: rt.word(&item.review_state),
        review_code: item.review_state,
        opinion: item.review_opinion.unwrap_or_default(),
    }
}

/// A score as people write it: `8`, `7.5`; nothing when there is none.
fn score(value: Option<f64>) -> String {
    value.map(|v| format!("{v}")).unwrap_or_default()
}

struct HistoryRow {
    round: i64,
    action: &'static str,
    score: String,
    opinion: String,
    reviewer: String,
    at: String,
}

#[derive(Template)]
#[template(path = "console/review/history.html")]
struct HistoryPage {
    frame: Frame,
    rt: &'static ReviewTexts,
    id: String,
    number: String,
    rows: Vec<HistoryRow>,
}

/// An item's review records across rounds.
pub fn history(console: &Console, id: &AssessmentId, number: &str, records: ApiResult<Vec<ReviewRecord>>) -> Response {
    let path = format!("{LIST}/{id}/items/{number}/history");
    let records = match records {
        Ok(records) => records,
        Err(error) => return refused(console, &path, &error),
    };
    let rt = ReviewTexts::of(console.lang);
    let rows = records
        .into_iter()
        .map(|r| HistoryRow {
            round: r.round,
            action: rt.word(&r.action),
            score: score(r.score),
            opinion: r.opinion.unwrap_or_default(),
            reviewer: r.reviewer_name.unwrap_or(r.reviewer),
            at: china_time(r.at),
        })
        .collect();
    let page = HistoryPage {
        frame: Frame::of(console, "assessments", &path),
        rt,
        id: id.to_string(),
        number: number.to_owned(),
        rows,
    };
    html(StatusCode::OK, page)
}
