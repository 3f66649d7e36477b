//! Projects SQL. Reads filter by scope: an enterprise sees its own projects, district staff and
//! district supervisors those in their district, city staff all.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Bounds, Columns, Key};
use crate::platform::db::{is_unique_violation, Executor, NullableF64};
use crate::platform::ids::{EnterpriseId, ProjectId, StaffId};
use crate::platform::paging::Page;

/// Where projects keep the bounds: the building enterprise and the project's district.
const BOUNDS: Columns = Columns {
    enterprise: Some(Key::Column("p.enterprise_id")),
    district: Some(Key::Column("p.district_code")),
    ..Columns::NONE
};

const SELECT: &str = "SELECT p.id, p.permit_number, p.name, p.location, p.district_code, p.enterprise_id, \
    e.name AS enterprise_name, e.credit_code AS enterprise_credit_code, p.project_manager, p.building_area, \
    p.completed_on, p.created_at \
    FROM projects p JOIN enterprises e ON e.id = p.enterprise_id";

/// A project as shown.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProjectView {
    #[schema(value_type = String)]
    pub id: ProjectId,
    /// 施工许可证编号
    pub permit_number: String,
    pub name: String,
    pub location: String,
    pub district_code: String,
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    pub enterprise_credit_code: String,
    pub project_manager: String,
    /// m²
    pub building_area: Option<f64>,
    /// When construction ended (竣工), YYYY-MM-DD; null while under construction (在建).
    pub completed_on: Option<String>,
    pub created_at: i64,
}

pub async fn get(db: impl Executor<'_>, id: &ProjectId, bounds: &Bounds) -> Result<Option<ProjectView>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    within
        .bind(sqlx::query_as(&format!("{SELECT} WHERE p.id = $1 AND {within}")).bind(id))
        .fetch_optional(db)
        .await
}

pub async fn list(
    db: impl Executor<'_>,
    bounds: &Bounds,
    district: Option<&str>,
    enterprise: Option<&str>,
    page: &Page,
) -> Result<Vec<ProjectView>, sqlx::Error> {
    let (limit, offset) = page.limit_offset();
    let within = bounds.condition(&BOUNDS, 5);
    within
        .bind(
            sqlx::query_as(&format!(
                "{SELECT} WHERE ($1 IS NULL OR p.district_code = $1) AND ($2 IS NULL OR p.enterprise_id = $2) AND {within} \
                 ORDER BY p.created_at DESC, p.id LIMIT $3 OFFSET $4"
            ))
            .bind(district)
            .bind(enterprise)
            .bind(limit)
            .bind(offset),
        )
        .fetch_all(db)
        .await
}

pub struct NewProject<'a> {
    pub permit_number: &'a str,
    pub name: &'a str,
    pub location: &'a str,
    pub district_code: &'a str,
    pub enterprise_id: &'a EnterpriseId,
    pub project_manager: &'a str,
    /// The keyed hash of the project manager's ID number, when given: a manager with a project
    /// under construction cannot cancel their certificate.
    pub manager_holder_hash: Option<String>,
    pub building_area: Option<f64>,
    pub completed_on: Option<String>,
}

/// Inserts a project; `None` when the permit number is already registered (in PostgreSQL the
/// refused insert leaves the transaction aborted: run it in a savepoint to go on).
pub async fn insert(
    db: impl Executor<'_>,
    p: &NewProject<'_>,
    by: &StaffId,
    now: i64,
) -> Result<Option<ProjectId>, sqlx::Error> {
    let id = ProjectId::new();
    let inserted = sqlx::query(
        "INSERT INTO projects (id, permit_number, name, location, district_code, enterprise_id, project_manager, \
         building_area, created_by, created_at, manager_holder_hash, completed_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(p.permit_number)
    .bind(p.name)
    .bind(p.location)
    .bind(p.district_code)
    .bind(p.enterprise_id)
    .bind(p.project_manager)
    .bind(NullableF64(p.building_area))
    .bind(by)
    .bind(now)
    .bind(&p.manager_holder_hash)
    .bind(&p.completed_on)
    .execute(db)
    .await;
    match inserted {
        Ok(_) => Ok(Some(id)),
        Err(e) if is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The enterprise with this credit code.
pub async fn enterprise_by_credit_code(
    db: impl Executor<'_>,
    credit_code: &str,
) -> Result<Option<EnterpriseId>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM enterprises WHERE credit_code = $1")
        .bind(credit_code)
        .fetch_optional(db)
        .await
}

/// Records the day a project within `bounds` was completed; false when it is not found.
pub async fn complete(
    db: impl Executor<'_>,
    id: &ProjectId,
    completed_on: &str,
    bounds: &Bounds,
) -> Result<bool, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 3);
    let done = within
        .bind(
            sqlx::query(&format!(
                "UPDATE projects SET completed_on = $1 WHERE id = $2 AND id IN (SELECT p.id FROM projects p WHERE {within})"
            ))
            .bind(completed_on)
            .bind(id),
        )
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
