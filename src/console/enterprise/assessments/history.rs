//! An item's review across rounds (考核记录): who did what, the score and the opinion, through
//! `assessments::review::history`, the API's `GET /assessments/{id}/items/{n}/history`.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};

use super::record::record_id;
use super::texts::AssessmentTexts;
use super::LIST;
use crate::assessments::review;
use crate::console::page::{html, refused, Frame};
use crate::console::review::texts::ReviewTexts;
use crate::console::session::Console;
use crate::platform::clock::china_time;
use crate::state::AppState;

/// A review record as shown: round, what was done, score, opinion, when.
struct Row {
    round: i64,
    action: &'static str,
    score: String,
    opinion: String,
    at: String,
}

#[derive(Template)]
#[template(path = "console/enterprise/assessment_history.html")]
struct HistoryPage {
    frame: Frame,
    a: &'static AssessmentTexts,
    rt: &'static ReviewTexts,
    id: String,
    number: String,
    rows: Vec<Row>,
}

/// `GET /enterprise/assessments/{id}/items/{number}/history`.
pub async fn page(
    State(state): State<AppState>,
    console: Console,
    Path((id, number)): Path<(String, String)>,
) -> Response {
    let id = match record_id(&console, &id) {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    let path = format!("{LIST}/{id}/items/{number}/history");
    let records = match review::history(&state, &console.caller, &id, &number).await {
        Ok(records) => records,
        Err(error) => return refused(&console, &path, &error),
    };
    let rt = ReviewTexts::of(console.lang);
    let rows = records
        .into_iter()
        .map(|r| Row {
            round: r.round,
            action: rt.word(&r.action),
            score: r.score.map(|s| format!("{s}")).unwrap_or_default(),
            opinion: r.opinion.unwrap_or_default(),
            at: china_time(r.at),
        })
        .collect();
    let page = HistoryPage {
        frame: Frame::of(&console, "assessments", &path),
        a: AssessmentTexts::of(console.lang),
        rt,
        id: id.to_string(),
        number,
        rows,
    };
    html(StatusCode::OK, page)
}
