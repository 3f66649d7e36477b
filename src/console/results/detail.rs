//! One subject's result: its score's breakdown by the category's rule, its adjustments, and
//! the dynamic adjustment form, which posts to the API's own act (`adjustments::adjust`): a
//! refusal shows the API's code and message above the form, kept as it was filled.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::super::page::{html, refused, Frame, MessagePage, Notice};
use super::super::session::Console;
use super::super::texts::ListTexts;
use crate::assessments::results::grading::{breakdown, Adjustment, Category, Grade};
use crate::assessments::results::routes::adjustments::{adjust as adjust_result, AdjustBody, REASONS};
use crate::assessments::results::routes::category_of;
use crate::assessments::results::routes::listing::one_result;
use crate::assessments::results::routes::rules::rule_of;
use crate::assessments::results::view::ResultRow;
use crate::audit::Act;
use crate::console::page::api_body;
use crate::platform::clock::china_time;
use crate::platform::error::ApiResult;
use crate::state::AppState;

/// One line of the breakdown.
struct Part {
    input: &'static str,
    value: String,
    weight: String,
    adds: String,
}

/// An adjustment as listed.
struct Made {
    action: &'static str,
    reason: String,
    opinion: String,
    from_to: String,
    at: String,
}

/// A listed reason as the form offers it.
struct ReasonOption {
    code: &'static str,
    action: &'static str,
    text: &'static str,
}

/// What the adjustment form holds.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AdjustForm {
    period: String,
    action: String,
    reason_code: String,
    opinion: String,
}

#[derive(Template)]
#[template(path = "console/results/detail.html")]
struct SubjectPage {
    frame: Frame,
    l: &'static ListTexts,
    category: &'static str,
    category_name: &'static str,
    period: String,
    r: ResultRow,
    score: String,
    computed: &'static str,
    final_grade: &'static str,
    missing: Vec<&'static str>,
    parts: Vec<Part>,
    made: Vec<Made>,
    reasons: Vec<ReasonOption>,
    form: AdjustForm,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubjectQuery {
    period: String,
}

/// `GET /console/results/{category}/{subject_id}?period=`.
pub async fn subject(
    State(state): State<AppState>,
    console: Console,
    Path((category, subject)): Path<(String, String)>,
    Query(q): Query<SubjectQuery>,
) -> Response {
    let form = AdjustForm {
        period: super::period_or_this_year(&state, &q.period),
        ..AdjustForm::default()
    };
    page(&state, &console, &category, &subject, form, None, StatusCode::OK).await
}

/// `POST /console/results/{category}/{subject_id}/adjustments`: the API's adjustment.
pub async fn adjust(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path((category, subject)): Path<(String, String)>,
    Form(form): Form<AdjustForm>,
) -> Response {
    let lang = console.lang;
    let (status, notice, form) = match adjust_from(&state, &console, &act, &category, &subject, &form).await {
        Ok(row) => {
            let l = Frame::of(&console, "", "").t.lists;
            let done = format!("{}{}", l.adjusted, l.grade(row.final_grade));
            let kept = AdjustForm {
                period: form.period,
                ..AdjustForm::default()
            };
            (StatusCode::OK, Notice::ok(done), kept)
        }
        Err(error) => (error.status, Notice::refused(&error, lang), form),
    };
    page(&state, &console, &category, &subject, form, Some(notice), status).await
}

/// The form as the API's request body, checked by the same rules.
async fn adjust_from(
    state: &AppState,
    console: &Console,
    act: &Act,
    category: &str,
    subject: &str,
    form: &AdjustForm,
) -> ApiResult<ResultRow> {
    let body = json!({
        "period": form.period.trim(), "action": form.action, "reason_code": form.reason_code, "opinion": form.opinion,
    });
    let body: AdjustBody = api_body(body)?;
    adjust_result(state, &console.caller, act, category, subject, &body).await
}

/// The subject's page, with `notice` above it; the API's refusal of the read on a page of its
/// own.
async fn page(
    state: &AppState,
    console: &Console,
    raw: &str,
    subject: &str,
    form: AdjustForm,
    notice: Option<Notice>,
    status: StatusCode,
) -> Response {
    let path = format!("/console/results/{raw}/{subject}");
    let read = match category_of(raw) {
        Ok(category) => read(state, console, category, subject, &form.period).await,
        Err(error) => Err(error),
    };
    let ((category, r, rule), notice) = match (read, notice) {
        (Ok(read), notice) => (read, notice),
        // A refused adjustment of a result the caller cannot read either: the act's refusal.
        (Err(_), Some(notice)) => {
            let frame = Frame::of(console, "results", &path).with(notice);
            return html(status, MessagePage { frame });
        }
        (Err(error), None) => return refused(console, &path, &error),
    };
    let mut frame = Frame::of(console, "results", &path);
    frame.notice = notice;
    let l = frame.t.lists;
    let one = |v: f64| format!("{v:.1}");
    let parts = breakdown(category, &r.inputs, &rule)
        .into_iter()
        .map(|p| Part {
            input: l.input(p.input),
            value: p.value.map(one).unwrap_or_else(|| "—".into()),
            weight: format!("{:.2}", p.weight),
            adds: p.adds.map(one).unwrap_or_else(|| "—".into()),
        })
        .collect();
    let made = r.adjustments.iter().map(|a| made(l, a)).collect();
    let page = SubjectPage {
        l,
        category: category.as_str(),
        category_name: l.category(category),
        period: form.period.clone(),
        score: r.score.map(one).unwrap_or_else(|| "—".into()),
        computed: l.grade(r.computed_grade),
        final_grade: l.grade(r.final_grade),
        missing: r.missing.iter().map(|i| l.input(*i)).collect(),
        parts,
        made,
        reasons: REASONS
            .iter()
            .map(|r| ReasonOption {
                code: r.code,
                action: r.action.as_str(),
                text: r.text,
            })
            .collect(),
        r,
        form,
        frame,
    };
    html(status, page)
}

/// The result and the rule it is graded by, as the API reads them for the caller.
async fn read(
    state: &AppState,
    console: &Console,
    category: Category,
    subject: &str,
    period: &str,
) -> ApiResult<(Category, ResultRow, crate::assessments::results::grading::Rule)> {
    let caller = &console.caller;
    let r = one_result(
        &mut *state.db.acquire().await?,
        caller,
        category,
        subject,
        period.trim(),
    )
    .await?;
    let rule = rule_of(state, caller, category).await?;
    Ok((category, r, rule))
}

fn made(l: &ListTexts, a: &crate::assessments::results::store::AdjustmentRow) -> Made {
    let grade = |g: &str| l.grade(Grade::parse(g));
    Made {
        action: match Adjustment::parse(&a.action) {
            Some(Adjustment::Promote) => l.promote,
            _ => l.to_unqualified,
        },
        reason: a.reason.clone(),
        opinion: a.opinion.clone(),
        from_to: format!("{} → {}", grade(&a.from_grade), grade(&a.to_grade)),
        at: china_time(a.adjusted_at),
    }
}
