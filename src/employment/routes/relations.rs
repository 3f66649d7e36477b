//! Employment relations: listing them, ending one (by either side, with a reason), and the
//! enterprise's technical lead.

use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::own_active_relation;
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::employment::rules::EmploymentRule;
use crate::employment::store::{self, EmploymentView};
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::{EmploymentId, EnterpriseId};
use crate::platform::paging::Page;
use crate::platform::types::Text;
use crate::platform::web::Json;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelationsQuery {
    /// Staff: one enterprise within their jurisdiction.
    #[param(value_type = Option<String>)]
    pub enterprise_id: Option<EnterpriseId>,
    /// Only current relations (an enterprise's current staff).
    pub active: Option<bool>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Employment relations, current and past: the person's, the enterprise's, or those in a staff
/// member's jurisdiction.
#[utoipa::path(get, path = "/employment/relations", tag = "employment", params(RelationsQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<EmploymentView>)))]
pub(super) async fn list_relations(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RelationsQuery>,
) -> ApiResult<Json<Vec<EmploymentView>>> {
    let page = Page {
        page: q.page,
        per_page: q.per_page,
    };
    let active = q.active.unwrap_or(false);
    list(&state, &caller, q.enterprise_id.as_ref(), active, &page)
        .await
        .map(Json)
}

/// One page of the relations the caller may see (the API's list and the enterprise portal's).
pub async fn list(
    state: &AppState,
    caller: &Caller,
    enterprise_id: Option<&EnterpriseId>,
    active: bool,
    page: &Page,
) -> ApiResult<Vec<EmploymentView>> {
    caller.require_people_access()?;
    let (limit, offset) = page.limit_offset();
    let enterprise_id = enterprise_id.map(|e| e.as_str());
    let rows = store::list_employments(&state.db, &caller.bounds(), enterprise_id, active, limit, offset).await?;
    Ok(rows.into_iter().map(|r| r.view(&state.keys)).collect())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    #[schema(value_type = String)]
    pub reason: Text<200>,
}

/// Ends a relation, by the enterprise or the person, with a reason; it stays in the history.
#[utoipa::path(post, path = "/employment/relations/{id}/end", tag = "employment", params(("id" = String, Path)), request_body = Ending,
    security(("bearer" = [])),
    responses((status = 200, body = EmploymentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn end_relation(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EmploymentId>,
    Json(body): Json<Ending>,
) -> ApiResult<Json<EmploymentView>> {
    end(&state, &caller, &act, &id, &body).await.map(Json)
}

/// Ends a relation with a reason (the API's `POST .../end` and the enterprise portal).
pub async fn end(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &EmploymentId,
    body: &Ending,
) -> ApiResult<EmploymentView> {
    let by = match caller.role {
        Role::Enterprise => "enterprise",
        Role::Person => "person",
        _ => return Err(ApiError::forbidden_role()),
    };
    act.set_target(format!("employment:{id}"));
    let bounds = caller.bounds();
    let row = store::get_employment(&state.db, id, &bounds)
        .await?
        .ok_or_else(|| ApiError::not_found("聘用关系", "Employment"))?;
    let mut tx = act.begin().await?;
    if !store::end(&mut *tx, &row, by, body.reason.as_str(), state.clock.now_ms()).await? {
        return Err(EmploymentRule::AlreadyEnded.into_error());
    }
    let row = store::get_employment(&mut *tx, id, &bounds)
        .await?
        .ok_or_else(|| ApiError::internal("ended employment vanished"))?;
    act.commit(tx, format!("employment:{id}")).await?;
    Ok(row.view(&state.keys))
}

/// Marks the employee as the enterprise's technical lead (技术负责人), replacing any other.
#[utoipa::path(put, path = "/employment/relations/{id}/technical-lead", tag = "employment", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = EmploymentView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn set_technical_lead(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EmploymentId>,
) -> ApiResult<Json<EmploymentView>> {
    let relation = own_active_relation(&state, &caller, &id).await?;
    act.set_target(format!("employment:{id}"));
    let mut tx = act.begin().await?;
    store::set_technical_lead(&mut *tx, &relation).await?;
    let row = store::get_employment(&mut *tx, &id, &caller.bounds())
        .await?
        .ok_or_else(|| ApiError::internal("employment vanished"))?;
    act.commit(tx, format!("employment:{id}")).await?;
    Ok(Json(row.view(&state.keys)))
}
