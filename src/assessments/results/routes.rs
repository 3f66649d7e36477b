//! Final results over HTTP (seed 001 §3.3.2): each category's scores and grades, listed apart for
//! local and non-local enterprises, filtered, exported as CSV or XLSX; dynamic adjustments; the
//! grading rules.

use std::collections::{BTreeMap, HashMap};

use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::grading::{Adjustment, Bands, Category, Grade, Input, Inputs, Rule};
use super::store::{self, AdjustmentRow, NewAdjustment, SubjectFilter};
use super::view::ResultRow;
use crate::audit::Act;
use crate::auth::{Caller, Jurisdiction, Role, Scope};
use crate::db::Conn;
use crate::error::{ApiError, ApiResult, Invalid, Problem};
use crate::state::AppState;
use crate::types::Name;
use crate::web::Json;
use crate::xlsx;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rules))
        .routes(routes!(set_rule))
        .routes(routes!(list_reasons))
        .routes(routes!(list_results))
        .routes(routes!(export_results))
        .routes(routes!(get_result))
        .routes(routes!(adjust_result))
}

const READERS: &[Role] = &[Role::City, Role::District, Role::Enterprise];

/// A listed reason for a dynamic adjustment.
pub struct Reason {
    pub code: &'static str,
    pub action: Adjustment,
    pub text: &'static str,
}

/// The reasons staff choose from. The Qingdao guide's list is not available; these follow the
/// usual grounds of the provincial rules and can be extended here.
pub const REASONS: &[Reason] = &[
    Reason {
        code: "provincial_standard_site",
        action: Adjustment::Promote,
        text: "获评省级及以上安全生产标准化工地",
    },
    Reason {
        code: "no_accident_three_years",
        action: Adjustment::Promote,
        text: "连续三年未发生生产安全事故且考核良好以上",
    },
    Reason {
        code: "safety_innovation",
        action: Adjustment::Promote,
        text: "安全生产技术或管理创新成果获省级以上推广",
    },
    Reason {
        code: "fatal_accident",
        action: Adjustment::Unqualified,
        text: "发生造成人员死亡的生产安全事故",
    },
    Reason {
        code: "accident_concealed",
        action: Adjustment::Unqualified,
        text: "瞒报、谎报、迟报生产安全事故",
    },
    Reason {
        code: "major_hazard_unrectified",
        action: Adjustment::Unqualified,
        text: "存在重大事故隐患拒不整改",
    },
    Reason {
        code: "licence_suspended",
        action: Adjustment::Unqualified,
        text: "安全生产许可证被暂扣或吊销",
    },
    Reason {
        code: "false_material",
        action: Adjustment::Unqualified,
        text: "考核中提供虚假材料",
    },
];

fn reason_text(code: &str) -> &'static str {
    REASONS.iter().find(|r| r.code == code).map_or("", |r| r.text)
}

fn category_of(raw: &str) -> ApiResult<Category> {
    Category::parse(raw).ok_or_else(|| ApiError::not_found("考核结果类别", "Result category"))
}

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

#[derive(Serialize, ToSchema)]
pub struct RuleView {
    pub category: Category,
    /// Input → weight; scores count in % of their maximum, daily points as they are.
    pub weights: BTreeMap<Input, f64>,
    pub bands: Bands,
}

fn rule_view(category: Category, rule: Rule) -> RuleView {
    RuleView {
        category,
        weights: rule.weights,
        bands: rule.bands,
    }
}

/// Every category's grading rule in effect.
#[utoipa::path(get, path = "/results/rules", tag = "assessments", security(("bearer" = [])),
    responses((status = 200, body = Vec<RuleView>), (status = 403, body = Problem)))]
async fn list_rules(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<RuleView>>> {
    caller.require(READERS)?;
    let mut rules = Vec::new();
    for category in Category::ALL {
        rules.push(rule_view(category, store::rule(&state.db, category).await?));
    }
    Ok(Json(rules))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    /// A weight (0–10) for exactly the category's inputs.
    pub weights: BTreeMap<Input, f64>,
    pub bands: Bands,
}

/// City staff set a category's formula weights and grade bands.
#[utoipa::path(put, path = "/results/rules/{category}", tag = "assessments", params(("category" = Category, Path)),
    request_body = RuleBody, security(("bearer" = [])),
    responses((status = 200, body = RuleView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn set_rule(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(category): Path<String>,
    Json(body): Json<RuleBody>,
) -> ApiResult<Json<RuleView>> {
    caller.require(&[Role::City])?;
    let category = category_of(&category)?;
    let target = format!("grading_rule:{}", category.as_str());
    act.set_target(target.clone());
    let mut invalid = Invalid::default();
    let mut expected: Vec<Input> = category.inputs().to_vec();
    let mut given: Vec<Input> = body.weights.keys().copied().collect();
    expected.sort();
    given.sort();
    if expected != given || body.weights.values().any(|w| !(0.0..=10.0).contains(w)) {
        let names: Vec<&str> = category.inputs().iter().map(|i| i.as_str()).collect();
        invalid.field(
            "weights",
            "result.weights_invalid",
            format!("须为以下各项给出 0 至 10 的权重：{}", names.join("、")),
            format!("Give a weight of 0 to 10 for exactly: {}", names.join(", ")),
        );
    }
    let b = &body.bands;
    if !(0.0 <= b.qualified_from
        && b.qualified_from <= b.good_from
        && b.good_from <= b.excellent_from
        && b.excellent_from <= 100.0)
    {
        invalid.field(
            "bands",
            "result.bands_invalid",
            "等次分数线须满足 0 ≤ 合格 ≤ 良好 ≤ 优秀 ≤ 100",
            "Bands need 0 ≤ qualified ≤ good ≤ excellent ≤ 100",
        );
    }
    invalid.finish()?;
    let rule = Rule {
        weights: body.weights,
        bands: body.bands,
    };
    let mut tx = act.begin().await?;
    store::set_rule(&mut *tx, category, &rule, &caller.account_id, state.clock.now_ms()).await?;
    act.commit(tx, target).await?;
    Ok(Json(rule_view(category, rule)))
}

#[derive(Serialize, ToSchema)]
pub struct ReasonView {
    pub code: &'static str,
    pub action: Adjustment,
    pub text: &'static str,
}

/// The reasons a dynamic adjustment can give.
#[utoipa::path(get, path = "/results/adjustment-reasons", tag = "assessments", security(("bearer" = [])),
    responses((status = 200, body = Vec<ReasonView>)))]
async fn list_reasons(caller: Caller) -> ApiResult<Json<Vec<ReasonView>>> {
    caller.require(READERS)?;
    Ok(Json(
        REASONS
            .iter()
            .map(|r| ReasonView {
                code: r.code,
                action: r.action,
                text: r.text,
            })
            .collect(),
    ))
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
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Which results to compute: a year, and optionally a locality, district, final grade or one
/// subject.
struct Selection<'a> {
    period: &'a str,
    grade: Option<Grade>,
    subjects: SubjectFilter<'a>,
}

impl<'a> Selection<'a> {
    fn of(period: &'a str, locality: Option<&'a str>, district: Option<&'a str>, grade: Option<Grade>) -> Self {
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

/// Every selected result of a category in the caller's scope (unpaged), read on `conn`.
async fn results(
    conn: &mut Conn,
    caller: &Caller,
    category: Category,
    selection: &Selection<'_>,
) -> ApiResult<Vec<ResultRow>> {
    caller.require(READERS)?;
    check_period(selection.period)?;
    let year = selection.period;
    let subjects = store::subjects(&mut *conn, category, &Jurisdiction::of(caller), &selection.subjects).await?;
    let rule = store::rule(&mut *conn, category).await?;
    let needs = |input| category.inputs().contains(&input);
    let general = if needs(Input::GeneralConditions) {
        store::approved_self_assessments(&mut *conn, "general_conditions", year).await?
    } else {
        HashMap::new()
    };
    let director = if needs(Input::SafetyDirector) {
        store::approved_self_assessments(&mut *conn, "safety_director", year).await?
    } else {
        HashMap::new()
    };
    let projects = if needs(Input::Project) {
        store::approved_projects(&mut *conn, year).await?
    } else {
        HashMap::new()
    };
    let mut daily_by_enterprise: HashMap<String, f64> = HashMap::new();
    let mut daily_by_project: HashMap<String, f64> = HashMap::new();
    if needs(Input::Daily) {
        for (enterprise, project, points) in crate::assessments::daily::store::approved_points(&mut *conn, year).await?
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
                daily_by_enterprise.get(&subject.enterprise_id)
            };
            let inputs = Inputs {
                general_conditions: general.get(&subject.enterprise_id).copied(),
                safety_director: director.get(&subject.enterprise_id).copied(),
                project: projects.get(&subject.subject_id).copied(),
                daily: daily.copied().unwrap_or_default(),
            };
            let adjustments = adjustments.remove(&subject.subject_id).unwrap_or_default();
            ResultRow::compute(category, subject, inputs, &rule, adjustments)
        })
        .filter(|r| selection.grade.is_none() || r.final_grade == selection.grade)
        .collect();
    Ok(rows)
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
async fn list_results(
    State(state): State<AppState>,
    caller: Caller,
    Path(category): Path<String>,
    Query(q): Query<ResultQuery>,
) -> ApiResult<Json<ResultPage>> {
    let category = category_of(&category)?;
    let selection = Selection::of(&q.period, q.locality.as_deref(), q.district.as_deref(), q.grade);
    let rows = results(&mut *state.db.acquire().await?, &caller, category, &selection).await?;
    let (limit, offset) = crate::paging::Page {
        page: q.page,
        per_page: q.per_page,
    }
    .limit_offset();
    let total = rows.len();
    let rows = rows.into_iter().skip(offset as usize).take(limit as usize).collect();
    Ok(Json(ResultPage { total, rows }))
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
async fn get_result(
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

async fn one_result(
    conn: &mut Conn,
    caller: &Caller,
    category: Category,
    subject: &str,
    period: &str,
) -> ApiResult<ResultRow> {
    let mut selection = Selection::of(period, None, None, None);
    selection.subjects.subject = Some(subject);
    results(conn, caller, category, &selection)
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("考核结果", "Result"))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustBody {
    #[schema(example = "2026")]
    pub period: String,
    pub action: Adjustment,
    /// One of `/results/adjustment-reasons` for this action.
    pub reason_code: String,
    #[schema(value_type = String, example = "2026 年 9 月发生一起死亡事故")]
    pub opinion: Name<500>,
}

/// Staff who review the subject's district move its result up one grade or straight to
/// unqualified, with a listed reason and an opinion; every adjustment is kept.
#[utoipa::path(post, path = "/results/{category}/{subject_id}/adjustments", tag = "assessments",
    params(("category" = Category, Path), ("subject_id" = String, Path)), request_body = AdjustBody, security(("bearer" = [])),
    responses((status = 201, body = ResultRow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn adjust_result(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((category, subject)): Path<(String, String)>,
    Json(body): Json<AdjustBody>,
) -> ApiResult<(StatusCode, Json<ResultRow>)> {
    caller.require(&[Role::City, Role::District])?;
    let category = category_of(&category)?;
    let target = format!("result:{}:{subject}", category.as_str());
    act.set_target(target.clone());
    if !REASONS
        .iter()
        .any(|r| r.code == body.reason_code && r.action == body.action)
    {
        let mut invalid = Invalid::default();
        invalid.field(
            "reason_code",
            "result.reason_unknown",
            "请从所列调整事项中选择",
            "Choose one of the listed reasons for this action",
        );
        invalid.finish()?;
    }
    let current = one_result(
        &mut *state.db.acquire().await?,
        &caller,
        category,
        &subject,
        &body.period,
    )
    .await?;
    if caller.scope == Scope::City && !state.settings.assessments.city_reviews(&current.subject.district_code) {
        return Err(crate::assessments::review::outside_review_scope());
    }
    let Some(from) = current.final_grade else {
        return Err(ApiError::conflict(
            "result.incomplete",
            "考核材料尚不齐全，没有可调整的等次",
            "The result has no grade yet to adjust: approved assessments are missing",
        ));
    };
    let to = body.action.apply(from).ok_or_else(|| {
        ApiError::conflict(
            "result.adjustment_changes_nothing",
            format!("当前等次为“{}”，此项调整不改变等次", from.zh()),
            format!("The grade is {}; this adjustment would not change it", from.as_str()),
        )
    })?;
    let new = NewAdjustment {
        category,
        subject_id: &subject,
        period: &body.period,
        action: body.action.as_str(),
        reason_code: &body.reason_code,
        opinion: body.opinion.as_str(),
        from_grade: from.as_str(),
        to_grade: to.as_str(),
    };
    let mut tx = act.begin().await?;
    store::insert_adjustment(&mut *tx, &new, &caller.account_id, state.clock.now_ms()).await?;
    let adjusted = one_result(&mut *tx, &caller, category, &subject, &body.period).await?;
    act.commit(tx, target).await?;
    Ok((StatusCode::CREATED, Json(adjusted)))
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
async fn export_results(
    State(state): State<AppState>,
    caller: Caller,
    Path(category): Path<String>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let category = category_of(&category)?;
    let selection = Selection::of(&q.period, q.locality.as_deref(), q.district.as_deref(), q.grade);
    let rows = results(&mut *state.db.acquire().await?, &caller, category, &selection).await?;
    let name = format!("{}-{}", category.zh(), q.period);
    let (bytes, content_type, extension) = match q.format {
        ExportFormat::Csv => (super::export::csv(category, &rows), "text/csv; charset=utf-8", "csv"),
        ExportFormat::Xlsx => (
            xlsx::workbook(&super::export::sheets(category, &rows)),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let disposition = crate::documents::rules::content_disposition(&format!("{name}.{extension}"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
