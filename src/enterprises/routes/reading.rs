//! Reading enterprises as a caller may: the list (searched, sorted, paged), one profile, its
//! change history. The API's handlers and the staff console call these same functions, so a
//! page shows exactly what the API answers, within the same bounds.

use super::visible;
use crate::auth::{Caller, Role};
use crate::enterprises::store::{self, ChangeView, EnterpriseRow, EnterpriseView, Search};
use crate::platform::error::ApiResult;
use crate::platform::ids::EnterpriseId;
use crate::platform::paging::Page;
use crate::state::AppState;

/// Staff who may list enterprises.
const LISTERS: &[Role] = &[Role::City, Role::District, Role::Supervisor, Role::Sysadmin];

/// One page of the enterprises `search` selects within the caller's jurisdiction.
pub async fn list(state: &AppState, caller: &Caller, search: &Search, page: &Page) -> ApiResult<Vec<EnterpriseRow>> {
    caller.require(LISTERS)?;
    let (limit, offset) = page.limit_offset();
    let mut conn = state.db.acquire().await?;
    Ok(store::search(&mut conn, &caller.bounds(), search, limit, offset).await?)
}

/// How many enterprises `search` selects within the caller's jurisdiction.
pub async fn count(state: &AppState, caller: &Caller, search: &Search) -> ApiResult<i64> {
    caller.require(LISTERS)?;
    let mut conn = state.db.acquire().await?;
    Ok(store::count(&mut conn, &caller.bounds(), search).await?)
}

/// The enterprise's profile with its former names and qualifications, if the caller may see it
/// (404 `resource.not_found` otherwise, so ids cannot be probed).
pub async fn profile(state: &AppState, caller: &Caller, id: &EnterpriseId) -> ApiResult<EnterpriseView> {
    let row = visible(state, caller, id).await?;
    Ok(store::full_view(&mut *state.db.acquire().await?, row).await?)
}

/// The profile's recorded changes, newest first, if the caller may see the enterprise.
pub async fn history(state: &AppState, caller: &Caller, id: &EnterpriseId, page: &Page) -> ApiResult<Vec<ChangeView>> {
    visible(state, caller, id).await?;
    let (limit, offset) = page.limit_offset();
    Ok(store::history(&state.db, &state.keys, id, limit, offset).await?)
}
