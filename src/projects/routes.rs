//! Projects over HTTP: staff create them one by one or import the permit platform's CSV;
//! everyone reads those within their scope.

use crate::openapi::register::routes;
use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Connection;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use super::store::{self, NewProject, ProjectView};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::platform::crypto::Keys;
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{EnterpriseId, ProjectId};
use crate::platform::imports::{errors_of, ImportError, Table};
use crate::platform::paging::Page;
use crate::platform::types::{CreditCode, Date, DistrictCode, IdNumber, Text};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_project, list_projects))
        .routes(routes!(import_projects))
        .routes(routes!(get_project))
        .routes(routes!(complete_project))
}

/// Staff who register projects: the city station anywhere, district authorities in their district.
const MANAGERS: &[Role] = &[Role::City, Role::District];
const READERS: &[Role] = &[Role::City, Role::District, Role::Supervisor, Role::Enterprise];

/// The largest building area accepted, in m² (a sanity bound, far above any real project).
const MAX_AREA_M2: f64 = 10_000_000.0;

/// A building area is a positive number of m², at most `MAX_AREA_M2`.
pub fn check_building_area(invalid: &mut Invalid, field: &str, area: Option<f64>) {
    if area.is_some_and(|a| !(a.is_finite() && a > 0.0 && a <= MAX_AREA_M2)) {
        invalid.field(
            field,
            "project.area_invalid",
            "建筑面积须为大于 0 的平方米数",
            "The building area is a positive number of m²",
        );
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProjectBody {
    /// 施工许可证编号, unique.
    #[schema(value_type = String, example = "370202202611210101")]
    pub permit_number: Text<50>,
    #[schema(value_type = String, example = "青岛某某小区二期")]
    pub name: Text<200>,
    #[schema(value_type = String, example = "市南区香港中路 1 号")]
    pub location: Text<200>,
    #[schema(value_type = String, example = "370202")]
    pub district_code: DistrictCode,
    /// The constructing enterprise, by its credit code.
    #[schema(value_type = String, example = "91350100M000100Y43")]
    pub enterprise_credit_code: CreditCode,
    #[schema(value_type = String, example = "李四")]
    pub project_manager: Text<50>,
    /// The project manager's ID number: with it, the manager cannot cancel their certificate
    /// while the project is under construction (本人无在建项目).
    #[schema(value_type = Option<String>, example = "110105194912310021")]
    pub project_manager_id_number: Option<IdNumber>,
    /// m²
    pub building_area: Option<f64>,
    /// When construction ended (竣工); none while under construction.
    #[schema(value_type = Option<String>, example = "2027-06-30")]
    pub completed_on: Option<Date>,
}

fn not_found() -> ApiError {
    ApiError::not_found("工程项目", "Project")
}

/// Registers one project inside the caller's transaction; the rules shared by the form and the
/// CSV import.
async fn register(
    conn: &mut Conn,
    keys: &Keys,
    caller: &Caller,
    body: &NewProjectBody,
    now: i64,
) -> ApiResult<ProjectId> {
    if !caller.covers_district(body.district_code.as_str()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "project.outside_district",
            "区（市）主管部门只能登记本辖区的项目",
            "A district authority registers projects in its own district only",
        ));
    }
    let mut invalid = Invalid::default();
    check_building_area(&mut invalid, "building_area", body.building_area);
    let enterprise = store::enterprise_by_credit_code(&mut *conn, body.enterprise_credit_code.as_str()).await?;
    if enterprise.is_none() {
        invalid.field(
            "enterprise_credit_code",
            "project.enterprise_unknown",
            "没有此统一社会信用代码的企业账号",
            "No enterprise account has this credit code",
        );
    }
    invalid.finish()?;
    let new = NewProject {
        permit_number: body.permit_number.as_str(),
        name: body.name.as_str(),
        location: body.location.as_str(),
        district_code: body.district_code.as_str(),
        enterprise_id: enterprise
            .as_ref()
            .ok_or_else(|| ApiError::internal("enterprise checked above"))?,
        project_manager: body.project_manager.as_str(),
        manager_holder_hash: body
            .project_manager_id_number
            .as_ref()
            .map(|id| crate::people::id_number_key(keys, id.as_str())),
        building_area: body.building_area,
        completed_on: body.completed_on.map(|d| d.to_string()),
    };
    store::insert(conn, &new, &caller.staff_id(), now)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                "project.permit_taken",
                "该施工许可证编号的项目已登记",
                "A project with this permit number is already registered",
            )
        })
}

/// Registers a project (city staff anywhere, district staff in their district).
#[utoipa::path(post, path = "/projects", tag = "projects", request_body = NewProjectBody, security(("bearer" = [])),
    responses((status = 201, body = ProjectView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn create_project(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<NewProjectBody>,
) -> ApiResult<(StatusCode, Json<ProjectView>)> {
    caller.require(MANAGERS)?;
    let mut tx = act.begin().await?;
    let id = register(&mut tx, &state.keys, &caller, &body, state.clock.now_ms()).await?;
    let project = store::get(&mut *tx, &id, &caller.bounds())
        .await?
        .ok_or_else(not_found)?;
    act.commit(tx, format!("project:{id}")).await?;
    Ok((StatusCode::CREATED, Json(project)))
}

#[derive(Serialize, ToSchema)]
#[schema(as = ProjectImportRow)]
pub struct ImportRow {
    /// The CSV line the row starts on.
    pub line: usize,
    pub permit_number: String,
    /// created | refused
    pub outcome: &'static str,
    #[schema(value_type = Option<String>)]
    pub project_id: Option<ProjectId>,
    pub errors: Vec<ImportError>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ProjectImportReport)]
pub struct ImportReport {
    pub created: usize,
    pub refused: usize,
    pub rows: Vec<ImportRow>,
}

pub(super) const IMPORT_COLUMNS: [&str; 6] = [
    "permit_number",
    "name",
    "location",
    "district_code",
    "enterprise_credit_code",
    "project_manager",
];

/// Registers one imported project in a savepoint of the import's transaction: a refused row
/// leaves nothing behind, and a taken permit number (which aborts a PostgreSQL transaction)
/// does not stop the rows after it.
async fn import_project(
    conn: &mut Conn,
    keys: &Keys,
    caller: &Caller,
    body: &NewProjectBody,
    now: i64,
) -> ApiResult<ProjectId> {
    let mut row = conn.begin().await?;
    match register(&mut row, keys, caller, body, now).await {
        Ok(id) => {
            row.commit().await?;
            Ok(id)
        }
        Err(error) => {
            row.rollback().await?;
            Err(error)
        }
    }
}

/// One imported row read as the form's body, refused as the form would be.
fn import_row(table: &Table, fields: &[String]) -> ApiResult<NewProjectBody> {
    let cell = |name: &str| table.cell(fields, name);
    let optional = |value: String| if value.is_empty() { json!(null) } else { json!(value) };
    let area = cell("building_area");
    let row = json!({
        "permit_number": cell("permit_number"), "name": cell("name"), "location": cell("location"),
        "district_code": cell("district_code"), "enterprise_credit_code": cell("enterprise_credit_code"),
        "project_manager": cell("project_manager"),
        "project_manager_id_number": optional(cell("project_manager_id_number")),
        "completed_on": optional(cell("completed_on")),
        // A non-numeric area stays text so that the row is refused, not silently blanked.
        "building_area": match area.parse::<f64>() {
            _ if area.is_empty() => json!(null),
            Ok(a) if a.is_finite() => json!(a),
            _ => json!(area),
        },
    });
    crate::platform::web::parse_json::<NewProjectBody>(row.to_string().as_bytes())
}

/// Registers projects in bulk from CSV (UTF-8 or GB18030) or an XLSX workbook (a header row naming at least permit_number,
/// name, location, district_code, enterprise_credit_code, project_manager; optionally
/// building_area, project_manager_id_number, completed_on). Every row is reported: created, or refused with the reasons.
#[utoipa::path(post, path = "/projects/import", tag = "projects", security(("bearer" = [])),
    request_body(content((String = "text/csv"), (crate::platform::imports::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "CSV with a header row, in UTF-8 or GB18030 (as Excel and WPS save it on Chinese Windows), or an XLSX workbook whose first sheet has the header row"),
    responses((status = 200, body = ImportReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn import_projects(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    caller.require(MANAGERS)?;
    act.set_target("project-import");
    let table = Table::parse(&body, &IMPORT_COLUMNS)?;
    let mut report = ImportReport {
        created: 0,
        refused: 0,
        rows: Vec::new(),
    };
    let mut tx = act.begin().await?;
    for (line, fields) in &table.rows {
        let cell = |name: &str| table.cell(fields, name);
        let outcome = match import_row(&table, fields) {
            Ok(body) => import_project(&mut tx, &state.keys, &caller, &body, state.clock.now_ms()).await,
            Err(error) => Err(error),
        };
        let (project_id, errors) = match outcome {
            Ok(id) => (Some(id), Vec::new()),
            Err(error) => (None, errors_of(&error)),
        };
        if project_id.is_some() {
            report.created += 1;
        } else {
            report.refused += 1;
        }
        report.rows.push(ImportRow {
            line: *line,
            permit_number: cell("permit_number"),
            outcome: if project_id.is_some() { "created" } else { "refused" },
            project_id,
            errors,
        });
    }
    act.commit(tx, "project-import").await?;
    Ok(Json(report))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub district: Option<String>,
    #[param(value_type = Option<String>)]
    pub enterprise_id: Option<EnterpriseId>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Projects within the caller's scope, newest first.
#[utoipa::path(get, path = "/projects", tag = "projects", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ProjectView>), (status = 403, body = Problem)))]
async fn list_projects(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<ProjectView>>> {
    caller.require(READERS)?;
    let page = Page {
        page: q.page,
        per_page: q.per_page,
    };
    let projects = store::list(
        &state.db,
        &caller.bounds(),
        q.district.as_deref(),
        q.enterprise_id.as_deref(),
        &page,
    )
    .await?;
    Ok(Json(projects))
}

/// One project.
#[utoipa::path(get, path = "/projects/{id}", tag = "projects", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem)))]
async fn get_project(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ProjectId>,
) -> ApiResult<Json<ProjectView>> {
    caller.require(READERS)?;
    store::get(&state.db, &id, &caller.bounds())
        .await?
        .map(Json)
        .ok_or_else(not_found)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectCompletionBody {
    #[schema(value_type = String, example = "2027-06-30")]
    pub completed_on: Date,
}

/// Records that construction ended (竣工): the project is no longer under construction.
#[utoipa::path(post, path = "/projects/{id}/completion", tag = "projects", params(("id" = String, Path)),
    request_body = ProjectCompletionBody, security(("bearer" = [])),
    responses((status = 200, body = ProjectView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn complete_project(
    caller: Caller,
    act: Act,
    Path(id): Path<ProjectId>,
    Json(body): Json<ProjectCompletionBody>,
) -> ApiResult<Json<ProjectView>> {
    caller.require(MANAGERS)?;
    let mut tx = act.begin().await?;
    if !store::complete(&mut *tx, &id, &body.completed_on.to_string(), &caller.bounds()).await? {
        return Err(not_found());
    }
    let project = store::get(&mut *tx, &id, &caller.bounds())
        .await?
        .ok_or_else(not_found)?;
    act.commit(tx, format!("project:{id}")).await?;
    Ok(Json(project))
}

#[cfg(test)]
mod fuzz;
