//! Assessments (考核, DOMAIN.md §6): versioned templates, enterprise self-assessments and their
//! item-by-item review with rectification rounds, supervisors' project assessments, daily
//! assessment, and the final results with their adjustments.
//!
//! - `rules`: the lifecycle, score ranges, what a submission needs, how a review ends (pure);
//! - `seed`: the manuals' templates, published at start-up;
//! - `templates`: template versions (read by all, published by city staff);
//! - `routes`: the enterprise's self-assessments and reading them;
//! - `review`: staff review, item by item;
//! - `projects`: supervisors' project assessments and the city station's review;
//! - `daily`: daily assessment events (bonuses, deductions) and their point values;
//! - `results`: final scores and grades, dynamic adjustments, exports;
//! - `lifecycle`: state changes with history for project assessments and daily events;
//! - `store`: the self-assessments' SQL.

pub mod daily;
pub mod lifecycle;
pub mod projects;
pub mod results;
pub mod review;
pub mod routes;
pub mod rules;
pub mod seed;
pub mod store;
pub mod templates;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(templates::router())
        .merge(routes::router())
        .merge(review::router())
        .merge(projects::routes::router())
        .merge(daily::routes::router())
        .merge(results::routes::router())
}
