//! Assessments (考核, DOMAIN.md §6): versioned templates, enterprise self-assessments and their
//! item-by-item review with rectification rounds, supervisors' project assessments, daily
//! assessment, and the final results with their adjustments.
//!
//! - `rules`: the lifecycle, score ranges, what a submission needs, how a review ends (pure);
//! - `seed`: the manuals' templates, published at start-up;
//! - `templates`: template versions (read by all, published by city staff);
//! - `routes`: creating, deleting and reading self-assessments, and the views they share;
//! - `filling`: the enterprise fills the items (scores, documents, people);
//! - `submission`: submitting a self-assessment once nothing is missing;
//! - `review`: staff review, item by item;
//! - `projects`: supervisors' project assessments and the city station's review;
//! - `daily`: daily assessment events (bonuses, deductions) and their point values;
//! - `results`: final scores and grades, dynamic adjustments, exports;
//! - `lifecycle`: state changes with history for project assessments and daily events;
//! - `store`: the self-assessments' and the templates' SQL;
//! - this file: the router, and the HTTP pieces the records share (refusals that name the
//!   rule, pass-or-return reviews, periods).

pub mod daily;
pub mod filling;
pub mod project_safety;
pub mod results;
pub mod review;
pub mod routes;
pub mod rules;
pub mod seed;
pub mod store;
pub mod submission;
pub mod templates;

use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use crate::documents::rules::Purpose;
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Invalid};
use crate::platform::ids::TemplateId;
use crate::platform::types::{Text, MULTILINE};
use crate::state::AppState;
use rules::{Event, NotAllowed, ScoreRule};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(templates::router())
        .merge(routes::router())
        .merge(filling::router())
        .merge(submission::router())
        .merge(review::router())
        .merge(project_safety::routes::router())
        .merge(daily::routes::router())
        .merge(results::routes::router())
}

// HTTP pieces the assessment records share.

/// The refusal of a transition, naming the rule.
pub fn not_allowed(e: NotAllowed) -> ApiError {
    let (zh, en) = e.message();
    ApiError::conflict("assessment.state_forbids", zh, en)
}

/// The record changed between reading and writing it (another request moved it).
pub fn changed_meanwhile() -> ApiError {
    ApiError::conflict(
        "assessment.changed",
        "该记录刚被他人修改或处理，请刷新后重试",
        "The record was changed meanwhile; reload and try again",
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Pass,
    /// 驳回: back to whoever submitted it.
    Return,
}

/// A one-step review: pass or return, with an opinion (project assessments, daily events).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    pub decision: ReviewDecision,
    #[schema(value_type = String, example = "材料属实")]
    pub opinion: Text<500, MULTILINE>,
}

impl ReviewBody {
    pub fn event(&self) -> Event {
        Event::Finish(match self.decision {
            ReviewDecision::Pass => rules::Outcome::Approved,
            ReviewDecision::Return => rules::Outcome::Returned,
        })
    }
}

/// A period is a year, a half-year or a quarter: `2026`, `2026-H1`, `2026-Q3`.
pub fn valid_period(period: &str) -> bool {
    let (year, part) = period.split_once('-').map_or((period, None), |(y, p)| (y, Some(p)));
    let year_ok = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) && year >= "2000";
    year_ok && matches!(part, None | Some("H1" | "H2" | "Q1" | "Q2" | "Q3" | "Q4"))
}

/// Checks a score given to item `number` against its maximum; a refusal is recorded under
/// `field`.
pub fn check_item_score(invalid: &mut Invalid, field: &str, number: &str, score: f64, max: f64) {
    match rules::check_score(score, max) {
        Ok(()) => {}
        Err(ScoreRule::OutOfRange { max }) => invalid.field(
            field,
            "assessment.score_out_of_range",
            format!("第 {number} 项得分须在 0 至 {max} 分之间"),
            format!("Item {number} takes a score from 0 to {max}"),
        ),
        Err(_) => invalid.field(
            field,
            "assessment.score_precision",
            "得分最多保留一位小数",
            "Scores have at most one decimal place",
        ),
    }
}

/// Records that the document under `field` cannot be attached: not the caller's completed
/// upload of `purpose`, or already another record's.
pub fn document_unusable(invalid: &mut Invalid, field: &str, purpose: Purpose) {
    invalid.field(
        field,
        "assessment.document_unusable",
        format!(
            "请先上传 PDF 扫描件（用途 {}）；已用于其他记录的文件不能再用",
            purpose.as_str()
        ),
        format!(
            "Upload the PDF scan first (purpose {}); a file used by another record cannot be reused",
            purpose.as_str()
        ),
    );
}

/// The template version a record was created on (records always reference an existing one).
pub async fn template_of_record(conn: &mut Conn, template_id: &TemplateId) -> ApiResult<templates::Template> {
    templates::by_id(conn, template_id)
        .await?
        .ok_or_else(|| ApiError::internal("a record without its template"))
}
