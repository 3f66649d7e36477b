//! Journey 4 of the console: reviewing enterprises' self-assessments item by item (seed 001
//! §3.3.1). The list, the record with its items and evidence (previewed in a frame beside the
//! items), ✓ or ✗ with a score and opinion, pass or reject, each item's history, and finishing
//! the review: all through the API's own functions (`assessments::routes::{list, read}`,
//! `assessments::review::{score, decide, history, finish}`), forms turned into the API's
//! request bodies by `page::api_body`, so the same rules refuse the same things.

pub mod daily;
mod pages;
pub(super) mod texts;

use axum::{
    extract::{Path, Query, RawQuery, State},
    http::StatusCode,
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::page::Notice;
use super::session::Console;
use crate::assessments::review::{self, DecisionBody, FinishBody, ScoreBody};
use crate::assessments::routes::{self as assessments, ListQuery};
use crate::assessments::store::{Order, SortKey};
use crate::audit::Act;
use crate::console::page::api_body;
use crate::console::table::{counted, Table, TableQuery, PER_PAGE};
use crate::platform::error::ApiResult;
use crate::platform::ids::AssessmentId;
use crate::platform::sorting::SortKey as _;
use crate::state::AppState;
pub use texts::ReviewTexts;

/// The list's filters with the table's sort and page, as the query string gives them.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListForm {
    state: String,
    kind: String,
    period: String,
    #[serde(flatten)]
    table: TableQuery,
}

impl ListForm {
    fn filters(&self) -> Vec<(&'static str, String)> {
        vec![
            ("state", self.state.clone()),
            ("kind", self.kind.clone()),
            ("period", self.period.clone()),
        ]
    }
}

/// `GET /console/assessments`: the API's `GET /assessments` with its filters, as a table sorted
/// and paged on the server (`assessments::{list, count}`), the oldest change first by default.
pub async fn list(State(state): State<AppState>, console: Console, RawQuery(raw): RawQuery) -> Response {
    let form: ListForm = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let table = Table::new(pages::LIST, form.filters(), &form.table, &SortKey::names());
    let order = Order::parse(table.sort, table.descending);
    let query = json!({
        "state": given(&form.state), "kind": given(&form.kind), "period": given(&form.period),
        "page": table.page, "per_page": PER_PAGE,
    });
    let found = match api_body::<ListQuery>(query) {
        Ok(query) => {
            let count = assessments::count(&state, &console.caller, query.clone());
            counted(count, assessments::list(&state, &console.caller, query, order)).await
        }
        Err(error) => Err(error),
    };
    pages::list(&console, &form, &table, found)
}

#[derive(Deserialize)]
pub struct RoundForm {
    round: Option<i64>,
}

/// `GET /console/assessments/{id}`: the record with the items of a round.
pub async fn record(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<AssessmentId>,
    Query(form): Query<RoundForm>,
) -> Response {
    pages::record(&state, &console, &id, form.round, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ScoreForm {
    action: String,
    score: String,
    opinion: String,
}

/// `POST /console/assessments/{id}/items/{number}/score`: ✓ or ✗.
pub async fn score(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path((id, number)): Path<(AssessmentId, String)>,
    Form(form): Form<ScoreForm>,
) -> Response {
    let body = json!({"action": form.action, "score": number_or_text(&form.score), "opinion": given(&form.opinion)});
    let done = match api_body::<ScoreBody>(body) {
        Ok(body) => review::score(&state, &console.caller, &act, &id, &number, body).await,
        Err(error) => Err(error),
    };
    let said = ReviewTexts::of(console.lang).done_score.replace("{}", &number);
    answer(&state, &console, &id, done.map(|_| said)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    opinion: String,
}

/// `POST /console/assessments/{id}/items/{number}/decision`: pass or reject.
pub async fn decide(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path((id, number)): Path<(AssessmentId, String)>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let body = json!({"decision": form.decision, "opinion": given(&form.opinion)});
    let done = match api_body::<DecisionBody>(body) {
        Ok(body) => review::decide(&state, &console.caller, &act, &id, &number, body).await,
        Err(error) => Err(error),
    };
    let said = ReviewTexts::of(console.lang).done_decision.replace("{}", &number);
    answer(&state, &console, &id, done.map(|_| said)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FinishForm {
    opinion: String,
}

/// `POST /console/assessments/{id}/finish`.
pub async fn finish(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<AssessmentId>,
    Form(form): Form<FinishForm>,
) -> Response {
    let body = json!({"opinion": form.opinion});
    let done = match api_body::<FinishBody>(body) {
        Ok(body) => review::finish(&state, &console.caller, &act, &id, body).await,
        Err(error) => Err(error),
    };
    let said = ReviewTexts::of(console.lang).done_finish.to_owned();
    answer(&state, &console, &id, done.map(|_| said)).await
}

/// `GET /console/assessments/{id}/items/{number}/history`: the item's review records.
pub async fn history(
    State(state): State<AppState>,
    console: Console,
    Path((id, number)): Path<(AssessmentId, String)>,
) -> Response {
    let records = review::history(&state, &console.caller, &id, &number).await;
    pages::history(&console, &id, &number, records)
}

/// The record after an action, with what came of it: the API's refusal with its status, or
/// the success.
async fn answer(state: &AppState, console: &Console, id: &AssessmentId, done: ApiResult<String>) -> Response {
    let (status, notice) = Notice::outcome(done, console.lang);
    pages::record(state, console, id, None, status, Some(notice)).await
}

/// A form field as the API's optional value: absent when left empty.
pub(super) fn given(raw: &str) -> Value {
    match raw.trim() {
        "" => Value::Null,
        text => Value::String(text.to_owned()),
    }
}

/// A score as typed: a number when it is one, otherwise the text, which the API's own
/// parsing then refuses with its field error.
fn number_or_text(raw: &str) -> Value {
    match raw.trim() {
        "" => Value::Null,
        text => text
            .parse::<f64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(text.to_owned())),
    }
}
