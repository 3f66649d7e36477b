//! Daily events listed within the caller's scope: the API's `GET /daily-events` (latest first)
//! and the staff console's table (sorted as the reviewer asks), filtered, paged and counted.

use serde::Deserialize;
use utoipa::IntoParams;

use super::routes::READERS;
use super::store::{self, EventOrder, EventRow};
use crate::assessments::rules;
use crate::auth::Caller;
use crate::platform::error::ApiResult;
use crate::platform::ids::EnterpriseId;
use crate::platform::paging::Page;
use crate::state::AppState;

#[derive(Deserialize, IntoParams, Clone)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(value_type = Option<String>)]
    pub enterprise_id: Option<EnterpriseId>,
    pub state: Option<rules::State>,
    /// bonus | deduction
    pub category: Option<String>,
    /// Events that occurred in this year.
    pub year: Option<String>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}
/// A page of the daily events within the caller's scope, in `order`.
pub async fn list(state: &AppState, caller: &Caller, q: ListQuery, order: EventOrder) -> ApiResult<Vec<EventRow>> {
    caller.require(READERS)?;
    let page = Page {
        page: q.page,
        per_page: q.per_page,
    };
    Ok(store::list(&state.db, &caller.bounds(), &filter_of(q), order, &page).await?)
}

/// How many daily events within the caller's scope the query selects (its page aside).
pub async fn count(state: &AppState, caller: &Caller, q: ListQuery) -> ApiResult<i64> {
    caller.require(READERS)?;
    Ok(store::count(&state.db, &caller.bounds(), &filter_of(q)).await?)
}

fn filter_of(q: ListQuery) -> store::Filter {
    store::Filter {
        enterprise: q.enterprise_id,
        state: q.state.map(|s| s.as_str().to_owned()),
        category: q.category,
        year: q.year,
    }
}
