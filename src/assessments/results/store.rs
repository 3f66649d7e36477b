//! Results SQL: the rules, the subjects in scope, their approved scores and daily points, and
//! the adjustments.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use super::grading::{default_rule, Bands, Category, Input, Rule};
use crate::auth::{Bounds, Columns, Key};
use crate::platform::db::Executor;
use crate::platform::ids::{AdjustmentId, EnterpriseId, StaffId};

#[derive(sqlx::FromRow)]
struct RuleRow {
    weights: String,
    excellent_from: f64,
    good_from: f64,
    qualified_from: f64,
}

/// The category's rule: the city's, or the default.
pub async fn rule(db: impl Executor<'_>, category: Category) -> Result<Rule, sqlx::Error> {
    let row: Option<RuleRow> = sqlx::query_as(
        "SELECT weights, excellent_from, good_from, qualified_from FROM grading_rules WHERE category = $1",
    )
    .bind(category.as_str())
    .fetch_optional(db)
    .await?;
    Ok(match row {
        Some(r) => Rule {
            weights: serde_json::from_str::<BTreeMap<Input, f64>>(&r.weights).unwrap_or_default(),
            bands: Bands {
                excellent_from: r.excellent_from,
                good_from: r.good_from,
                qualified_from: r.qualified_from,
            },
        },
        None => default_rule(category),
    })
}

pub async fn set_rule(
    db: impl Executor<'_>,
    category: Category,
    rule: &Rule,
    by: &StaffId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO grading_rules (category, weights, excellent_from, good_from, qualified_from, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (category) DO UPDATE SET weights = excluded.weights, \
         excellent_from = excluded.excellent_from, good_from = excluded.good_from, qualified_from = excluded.qualified_from, \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(category.as_str())
    .bind(serde_json::to_string(&rule.weights).unwrap_or_else(|_| "{}".into()))
    .bind(rule.bands.excellent_from)
    .bind(rule.bands.good_from)
    .bind(rule.bands.qualified_from)
    .bind(by)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Who or what a result is about: an enterprise, or a project for the project category.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Subject {
    pub subject_id: String,
    pub subject_name: String,
    /// The enterprise's credit code, or the project's permit number.
    pub subject_code: String,
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    pub district_code: String,
    /// local | non_local (the enterprise's)
    pub locality: String,
}

/// Narrows the subjects: one district, one locality, one subject.
#[derive(Default)]
pub struct SubjectFilter<'a> {
    pub district: Option<&'a str>,
    pub locality: Option<&'a str>,
    pub subject: Option<&'a str>,
}

/// Whose inputs (scores, points, adjustments) to read: those of a few subjects (a page, one
/// result), or of every enterprise or project a filter selects (a superset of the subjects in
/// the caller's bounds is harmless: inputs are looked up by subject). Either way a district's
/// results read the district's inputs, not the whole city's.
pub enum Among<'a> {
    /// These enterprises (or projects).
    Ids(Vec<String>),
    /// The enterprises (or projects) in a district and locality, each optional.
    Filter(&'a SubjectFilter<'a>),
}

impl Among<'_> {
    /// The condition on `column` (an enterprise's or, with `projects`, a project's id) with
    /// its parameters, numbered from `$next`.
    pub fn condition(&self, column: &str, projects: bool, next: usize) -> (String, Vec<Option<String>>) {
        match self {
            Among::Ids(ids) if ids.is_empty() => ("1 = 0".to_owned(), Vec::new()),
            Among::Ids(ids) => {
                let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", next + i)).collect();
                (
                    format!("{column} IN ({})", list.join(", ")),
                    ids.iter().cloned().map(Some).collect(),
                )
            }
            Among::Filter(f) => {
                let (district, locality) = (next, next + 1);
                let within = if projects {
                    format!(
                        "SELECT p.id FROM projects p JOIN enterprises e ON e.id = p.enterprise_id \
                         WHERE (${district} IS NULL OR p.district_code = ${district}) AND (${locality} IS NULL OR e.locality = ${locality})"
                    )
                } else {
                    format!(
                        "SELECT e.id FROM enterprises e \
                         WHERE (${district} IS NULL OR e.district_code = ${district}) AND (${locality} IS NULL OR e.locality = ${locality})"
                    )
                };
                (
                    format!("{column} IN ({within})"),
                    vec![f.district.map(str::to_owned), f.locality.map(str::to_owned)],
                )
            }
        }
    }
}

/// Where projects, as subjects, keep the bounds: their enterprise and their own district.
const PROJECT_BOUNDS: Columns = Columns {
    enterprise: Some(Key::Column("e.id")),
    district: Some(Key::Column("p.district_code")),
    ..Columns::NONE
};

/// Where enterprises, as subjects, keep the bounds: themselves and their district.
const ENTERPRISE_BOUNDS: Columns = Columns {
    enterprise: Some(Key::Column("e.id")),
    district: Some(Key::Column("e.district_code")),
    ..Columns::NONE
};

/// The subjects of a category within the bounds and the filter, in their order; with `window`
/// (limit, offset) one page of them and how many there are in all.
pub async fn subjects(
    db: &mut crate::platform::db::Conn,
    category: Category,
    bounds: &Bounds,
    filter: &SubjectFilter<'_>,
    window: Option<(i64, i64)>,
) -> Result<(Vec<Subject>, usize), sqlx::Error> {
    let (columns, select, order) = if category == Category::Project {
        (
            &PROJECT_BOUNDS,
            "SELECT p.id AS subject_id, p.name AS subject_name, p.permit_number AS subject_code, e.id AS enterprise_id, \
             e.name AS enterprise_name, p.district_code, e.locality FROM projects p JOIN enterprises e ON e.id = p.enterprise_id \
             WHERE ($1 IS NULL OR p.district_code = $1) AND ($2 IS NULL OR e.locality = $2) AND ($3 IS NULL OR p.id = $3)",
            "p.name, p.id",
        )
    } else {
        (
            &ENTERPRISE_BOUNDS,
            "SELECT e.id AS subject_id, e.name AS subject_name, e.credit_code AS subject_code, e.id AS enterprise_id, \
             e.name AS enterprise_name, e.district_code, e.locality FROM enterprises e \
             WHERE ($1 IS NULL OR e.district_code = $1) AND ($2 IS NULL OR e.locality = $2) AND ($3 IS NULL OR e.id = $3)",
            "e.name, e.id",
        )
    };
    let within = bounds.condition(columns, 4);
    let page = match window {
        Some((limit, offset)) => format!(" LIMIT {limit} OFFSET {offset}"),
        None => String::new(),
    };
    let rows: Vec<Subject> = within
        .bind(
            sqlx::query_as(&format!("{select} AND {within} ORDER BY {order}{page}"))
                .bind(filter.district)
                .bind(filter.locality)
                .bind(filter.subject),
        )
        .fetch_all(&mut *db)
        .await?;
    if window.is_none() {
        let total = rows.len();
        return Ok((rows, total));
    }
    let (total,): (i64,) = within
        .bind(
            sqlx::query_as(&format!("SELECT COUNT(*) FROM ({select} AND {within}) counted"))
                .bind(filter.district)
                .bind(filter.locality)
                .bind(filter.subject),
        )
        .fetch_one(&mut *db)
        .await?;
    Ok((rows, total as usize))
}

/// Each enterprise's latest approved self-assessment of `kind` in the year, as % of its
/// template's maximum.
pub async fn approved_self_assessments(
    db: impl Executor<'_>,
    kind: &str,
    year: &str,
    among: &Among<'_>,
) -> Result<HashMap<String, f64>, sqlx::Error> {
    let (among, params) = among.condition("a.enterprise_id", false, 3);
    let sql = format!(
        "SELECT a.enterprise_id, r.assessed_total, \
         (SELECT SUM(i.max_score) FROM assessment_template_items i WHERE i.template_id = a.template_id) \
         FROM assessments a JOIN assessment_rounds r ON r.assessment_id = a.id AND r.outcome = 'approved' \
         WHERE a.kind = $1 AND a.state = 'approved' AND substr(a.period, 1, 4) = $2 AND {among} ORDER BY r.finished_at, a.id"
    );
    let mut query = sqlx::query_as(&sql).bind(kind).bind(year);
    for p in params {
        query = query.bind(p);
    }
    Ok(percentages(query.fetch_all(db).await?))
}

/// Each project's latest passed assessment in the year, as % of its template's maximum.
pub async fn approved_projects(
    db: impl Executor<'_>,
    year: &str,
    among: &Among<'_>,
) -> Result<HashMap<String, f64>, sqlx::Error> {
    let (among, params) = among.condition("x.project_id", true, 2);
    let sql = format!(
        "SELECT x.project_id, x.total_score, \
         (SELECT SUM(i.max_score) FROM assessment_template_items i WHERE i.template_id = x.template_id) \
         FROM project_assessments x WHERE x.state = 'approved' AND x.total_score IS NOT NULL \
         AND substr(x.period, 1, 4) = $1 AND {among} ORDER BY x.updated_at, x.id"
    );
    let mut query = sqlx::query_as(&sql).bind(year);
    for p in params {
        query = query.bind(p);
    }
    Ok(percentages(query.fetch_all(db).await?))
}

/// (subject, score, maximum) rows, later ones replacing earlier ones, as percentages.
fn percentages(rows: Vec<(String, f64, Option<f64>)>) -> HashMap<String, f64> {
    rows.into_iter()
        .filter_map(|(id, score, max)| max.filter(|m| *m > 0.0).map(|m| (id, score * 100.0 / m)))
        .collect()
}

/// One dynamic adjustment.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AdjustmentRow {
    #[schema(value_type = String)]
    pub id: AdjustmentId,
    #[serde(skip)]
    pub subject_id: String,
    /// promote | unqualified
    pub action: String,
    pub reason_code: String,
    /// The reason in words, from the list of reasons.
    #[sqlx(skip)]
    pub reason: String,
    pub opinion: String,
    /// The final grade before and after it, when it was made.
    pub from_grade: String,
    pub to_grade: String,
    #[schema(value_type = String)]
    pub adjusted_by: StaffId,
    pub adjusted_at: i64,
}

pub async fn adjustments(
    db: impl Executor<'_>,
    category: Category,
    period: &str,
) -> Result<Vec<AdjustmentRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, subject_id, action, reason_code, opinion, from_grade, to_grade, adjusted_by, adjusted_at \
         FROM result_adjustments WHERE category = $1 AND period = $2 ORDER BY adjusted_at, id",
    )
    .bind(category.as_str())
    .bind(period)
    .fetch_all(db)
    .await
}

pub struct NewAdjustment<'a> {
    pub category: Category,
    pub subject_id: &'a str,
    pub period: &'a str,
    pub action: &'a str,
    pub reason_code: &'a str,
    pub opinion: &'a str,
    pub from_grade: &'a str,
    pub to_grade: &'a str,
}

pub async fn insert_adjustment(
    db: impl Executor<'_>,
    a: &NewAdjustment<'_>,
    by: &StaffId,
    now: i64,
) -> Result<AdjustmentId, sqlx::Error> {
    let id = AdjustmentId::new();
    sqlx::query(
        "INSERT INTO result_adjustments (id, category, subject_id, period, action, reason_code, opinion, from_grade, to_grade, \
         adjusted_by, adjusted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(a.category.as_str())
    .bind(a.subject_id)
    .bind(a.period)
    .bind(a.action)
    .bind(a.reason_code)
    .bind(a.opinion)
    .bind(a.from_grade)
    .bind(a.to_grade)
    .bind(by)
    .bind(now)
    .execute(db)
    .await?;
    Ok(id)
}
