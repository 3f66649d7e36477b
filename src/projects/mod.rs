//! Construction projects (工程项目): the permit platform's projects, created by staff or
//! imported from CSV; supervisors assess them and daily assessments refer to them.

//!
//! Other domains reach projects only through this file: `get` reads a project within a
//! caller's bounds, `check_building_area` is the rule on a building area.

pub mod routes;
mod store;

use crate::auth::Bounds;
use crate::platform::db::Executor;
use crate::platform::ids::ProjectId;

pub use routes::check_building_area;
pub use store::ProjectView;

/// The project if it lies within `bounds`.
pub async fn get(db: impl Executor<'_>, id: &ProjectId, bounds: &Bounds) -> Result<Option<ProjectView>, sqlx::Error> {
    store::get(db, id, bounds).await
}
