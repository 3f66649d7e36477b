//! The signed-in person's own record.

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{self, PersonView};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::web::Json;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(my_profile))
}

/// The signed-in person's profile.
#[utoipa::path(get, path = "/people/me", tag = "people", security(("bearer" = [])),
    responses((status = 200, body = PersonView), (status = 403, body = Problem)))]
async fn my_profile(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<PersonView>> {
    caller.require(&[Role::Person])?;
    let id = caller.person_id().unwrap_or_default();
    store::get(&state.db, id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("个人账号", "Person"))
}
