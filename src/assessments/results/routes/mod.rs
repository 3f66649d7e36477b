//! Final results over HTTP (seed 001 §3.3.2): each category's scores and grades, listed apart for
//! local and non-local enterprises, filtered, exported as CSV or XLSX; dynamic adjustments; the
//! grading rules.
//!
//! - `rules`: each category's grading rule (formula weights and grade bands);
//! - `listing`: computing a category's results, listing them, one subject's, exports;
//! - `adjustments`: the listed reasons and the dynamic adjustments staff make;
//! - this file: the router, and what the handlers share (who may read, the category).

pub mod adjustments;
pub mod listing;
pub mod rules;

use crate::openapi::register::routes;
use utoipa_axum::router::OpenApiRouter;

use super::grading::Category;
use crate::auth::Role;
use crate::platform::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rules::list_rules))
        .routes(routes!(rules::set_rule))
        .routes(routes!(adjustments::list_reasons))
        .routes(routes!(listing::list_results))
        .routes(routes!(listing::export_results))
        .routes(routes!(listing::get_result))
        .routes(routes!(adjustments::adjust_result))
}

pub const READERS: &[Role] = &[Role::City, Role::District, Role::Enterprise];

pub fn category_of(raw: &str) -> ApiResult<Category> {
    Category::parse(raw).ok_or_else(|| ApiError::not_found("考核结果类别", "Result category"))
}
