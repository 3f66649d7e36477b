//! A category's results, computed from the approved assessments, daily points and adjustments:
//! listed (filtered and paged), one subject's, or exported as CSV or XLSX.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::adjustments::reason_text;
use super::{category_of, READERS};
use crate::assessments::results::export;
use crate::assessments::results::grading::{Category, Grade, Input, Inputs};
use crate::assessments::results::store::{self, AdjustmentRow, Among, SubjectFilter};
use crate::assessments::results::view::{self, ResultRow, ResultSort};
use crate::auth::Caller;
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::paging::Page;
use crate::platform::web::Json;
use crate::platform::xlsx;
use crate::state::AppState;

/// A period is a year.
fn check_period(period: &str) -> ApiResult<()> {
    let ok = period.len() == 4 && period.bytes().all(|b| b.is_ascii_digit()) && ("2000".."2100").contains(&period);
    if ok {
        return Ok(());
    }
    let mut invalid = Invalid::default();
    invalid.field(
        "period",
        "result.period_invalid",
        "考核年度为四位年份，如 2026",
        "The period is a year, e.g. 2026",
    );
    invalid.finish()
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultQuery {
    /// The assessment year, e.g. `2026`.
    pub period: String,
    /// local | non_local (本地企业 / 外地企业)
    pub locality: Option<String>,
    pub district: Option<String>,
    /// Only results whose final grade is this.
    pub grade: Option<Grade>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Which results to compute: a year, and optionally a locality, district, final grade or one
/// subject.
pub struct Selection<'a> {
    period: &'a str,
    grade: Option<Grade>,
    subjects: SubjectFilter<'a>,
}

impl<'a> Selection<'a> {
    pub fn of(period: &'a str, locality: Option<&'a str>, district: Option<&'a str>, grade: Option<Grade>) -> Self {
        Selection {
            period,
            grade,
            subjects: SubjectFilter {
                district,
                // An unknown locality filters nothing rather than everything.
                locality: locality.filter(|l| matches!(*l, "local" | "non_local")),
                subject: None,
            },
        }
    }
}

/// Subjects up to this many have their inputs read by id; more, by the selection's filter.
const BY_ID: usize = 200;

/// Every selected result of a category in the caller's scope, read on `conn`; with `window`
/// (limit, offset), only that page of the subjects, in their order (no grade filter then),
/// and how many results there are in all.
async fn results(
    conn: &mut Conn,
    caller: &Caller,
    category: Category,
    selection: &Selection<'_>,
    window: Option<(i64, i64)>,
) -> ApiResult<(Vec<ResultRow>, usize)> {
    caller.require(READERS)?;
    check_period(selection.period)?;
    let year = selection.period;
    let (subjects, total) =
        store::subjects(&mut *conn, category, &caller.bounds(), &selection.subjects, window).await?;
    let rule = store::rule(&mut *conn, category).await?;
    let is_project = category == Category::Project;
    let (enterprises, among) = if subjects.len() <= BY_ID {
        (
            Among::Ids(subjects.iter().map(|s| s.enterprise_id.to_string()).collect()),
            Among::Ids(subjects.iter().map(|s| s.subject_id.clone()).collect()),
        )
    } else {
        (Among::Filter(&selection.subjects), Among::Filter(&selection.subjects))
    };
    let needs = |input| category.inputs().contains(&input);
    let general = if needs(Input::GeneralConditions) {
        store::approved_self_assessments(&mut *conn, "general_conditions", year, &enterprises).await?
    } else {
        HashMap::new()
    };
    let director = if needs(Input::SafetyDirector) {
        store::approved_self_assessments(&mut *conn, "safety_director", year, &enterprises).await?
    } else {
        HashMap::new()
    };
    let projects = if needs(Input::Project) {
        store::approved_projects(&mut *conn, year, &among).await?
    } else {
        HashMap::new()
    };
    let mut daily_by_enterprise: HashMap<String, f64> = HashMap::new();
    let mut daily_by_project: HashMap<String, f64> = HashMap::new();
    if needs(Input::Daily) {
        let daily_among = if is_project { &among } else { &enterprises };
        for (enterprise, project, points) in
            crate::assessments::daily::store::approved_points(&mut *conn, year, daily_among, is_project).await?
        {
            *daily_by_enterprise.entry(enterprise).or_default() += points;
            if let Some(project) = project {
                *daily_by_project.entry(project).or_default() += points;
            }
        }
    }
    let mut adjustments: HashMap<String, Vec<AdjustmentRow>> = HashMap::new();
    for mut a in store::adjustments(&mut *conn, category, year).await? {
        a.reason = reason_text(&a.reason_code).into();
        adjustments.entry(a.subject_id.clone()).or_default().push(a);
    }
    let rows = subjects
        .into_iter()
        .map(|subject| {
            let daily = if category == Category::Project {
                daily_by_project.get(&subject.subject_id)
            } else {
                daily_by_enterprise.get(subject.enterprise_id.as_str())
            };
            let inputs = Inputs {
                general_conditions: general.get(subject.enterprise_id.as_str()).copied(),
                safety_director: director.get(subject.enterprise_id.as_str()).copied(),
                project: projects.get(&subject.subject_id).copied(),
                daily: daily.copied().unwrap_or_default(),
            };
            let adjustments = adjustments.remove(&subject.subject_id).unwrap_or_default();
            ResultRow::compute(category, subject, inputs, &rule, adjustments)
        })
        .filter(|r| selection.grade.is_none() || r.final_grade == selection.grade)
        .collect::<Vec<_>>();
    let total = if window.is_some() { total } else { rows.len() };
    Ok((rows, total))
}

#[derive(Serialize, ToSchema)]
pub struct ResultPage {
    pub total: usize,
    pub rows: Vec<ResultRow>,
}

/// A category's results for a year within the caller's scope: pass `locality` for the local
/// or non-local list; filter by district and final grade.
#[utoipa::path(get, path = "/results/{category}", tag = "assessments", params(("category" = Category, Path), ResultQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ResultPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn list_results(
    State(state): State<AppState>,
    caller: Caller,
    Path(category): Path<String>,
    Query(q): Query<ResultQuery>,
) -> ApiResult<Json<ResultPage>> {
    let category = category_of(&category)?;
    let selection = Selection::of(&q.period, q.locality.as_deref(), q.district.as_deref(), q.grade);
    let page = Page {
        page: q.page,
        per_page: q.per_page,
    };
    Ok(Json(page_of(&state, &caller, category, &selection, None, &page).await?))
}

/// One page of a category's results in the caller's scope, in the subjects' order or sorted
/// by `sort` (key, descending), and how many there are in all. Scores and grades are computed
/// from every selected subject's inputs, so the whole selection is graded, then sorted, then
/// cut: the API's list and the console's table.
pub async fn page_of(
    state: &AppState,
    caller: &Caller,
    category: Category,
    selection: &Selection<'_>,
    sort: Option<(ResultSort, bool)>,
    page: &Page,
) -> ApiResult<ResultPage> {
    let (limit, offset) = page.limit_offset();
    let mut conn = state.db.acquire().await?;
    // In the subjects' own order without a grade filter, a page needs only its subjects'
    // inputs: the database cuts the page, and the page costs the same in a city as in a town.
    if sort.is_none() && selection.grade.is_none() {
        let (rows, total) = results(&mut conn, caller, category, selection, Some((limit, offset))).await?;
        return Ok(ResultPage { total, rows });
    }
    let (mut rows, total) = results(&mut conn, caller, category, selection, None).await?;
    if let Some((key, descending)) = sort {
        view::sort(&mut rows, key, descending);
    }
    let rows = rows.into_iter().skip(offset as usize).take(limit as usize).collect();
    Ok(ResultPage { total, rows })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubjectQuery {
    pub period: String,
}

/// One subject's result with its adjustments.
#[utoipa::path(get, path = "/results/{category}/{subject_id}", tag = "assessments",
    params(("category" = Category, Path), ("subject_id" = String, Path), SubjectQuery), security(("bearer" = [])),
    responses((status = 200, body = ResultRow), (status = 404, body = Problem)))]
pub(super) async fn get_result(
    State(state): State<AppState>,
    caller: Caller,
    Path((category, subject)): Path<(String, String)>,
    Query(q): Query<SubjectQuery>,
) -> ApiResult<Json<ResultRow>> {
    let category = category_of(&category)?;
    one_result(&mut *state.db.acquire().await?, &caller, category, &subject, &q.period)
        .await
        .map(Json)
}

/// One subject's result with its adjustments, if the caller may read it.
pub async fn one_result(
    conn: &mut Conn,
    caller: &Caller,
    category: Category,
    subject: &str,
    period: &str,
) -> ApiResult<ResultRow> {
    let mut selection = Selection::of(period, None, None, None);
    selection.subjects.subject = Some(subject);
    results(conn, caller, category, &selection, None)
        .await?
        .0
        .pop()
        .ok_or_else(|| ApiError::not_found("考核结果", "Result"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    #[param(inline)]
    pub format: ExportFormat,
    pub period: String,
    /// Without it: CSV carries a locality column, XLSX a sheet for each.
    pub locality: Option<String>,
    pub district: Option<String>,
    pub grade: Option<Grade>,
}

/// The results as a file: CSV (UTF-8 with BOM, for Excel) or XLSX.
#[utoipa::path(get, path = "/results/{category}/export", tag = "assessments", params(("category" = Category, Path), ExportQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "text/csv or an XLSX workbook"), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub(super) async fn export_results(
    State(state): State<AppState>,
    caller: Caller,
    Path(category): Path<String>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let category = category_of(&category)?;
    let selection = Selection::of(&q.period, q.locality.as_deref(), q.district.as_deref(), q.grade);
    export_file(&state, &caller, category, &selection, q.format).await
}

/// The selected results as a file to download (the API's export and the console's links).
pub async fn export_file(
    state: &AppState,
    caller: &Caller,
    category: Category,
    selection: &Selection<'_>,
    format: ExportFormat,
) -> ApiResult<Response> {
    let (rows, _) = results(&mut *state.db.acquire().await?, caller, category, selection, None).await?;
    let name = format!("{}-{}", category.zh(), selection.period);
    let (bytes, content_type, extension) = match format {
        ExportFormat::Csv => (export::csv(category, &rows), "text/csv; charset=utf-8", "csv"),
        ExportFormat::Xlsx => (
            xlsx::workbook(&export::sheets(category, &rows)),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let disposition = crate::platform::objects::content_disposition(&format!("{name}.{extension}"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
