//! Enterprises: staff open accounts (one by one or from CSV); the enterprise confirms and keeps
//! its profile; staff in jurisdiction correct any field; every change is kept.
//!
//! - `accounts`: opening accounts, one by one or from CSV, and the list of accounts;
//! - `profile`: reading, confirming and updating the profile, and its change history;
//! - `reading`: the list, a profile and its history as a caller may read them (the API and
//!   the console call these);
//! - `qualifications`: qualification certificates and the profile's documents (business
//!   licence, video);
//! - this file: the router, and what the handlers share (who may see an enterprise, the
//!   locality, the enterprise as an act leaves it).

mod accounts;
pub mod profile;
pub mod qualifications;
pub mod reading;

use crate::openapi::register::routes;
use axum::extract::DefaultBodyLimit;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::store::{self, EnterpriseView, Value};
use crate::auth::{Caller, Role};
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::EnterpriseId;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(accounts::create_enterprise, accounts::list_enterprises))
        .routes(routes!(profile::get_enterprise, profile::update_enterprise))
        .routes(routes!(profile::confirm_profile))
        .routes(routes!(qualifications::add_qualification))
        .routes(routes!(qualifications::remove_qualification))
        .routes(routes!(qualifications::set_business_licence))
        .routes(routes!(qualifications::set_video))
        .routes(routes!(profile::enterprise_history))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(accounts::import_enterprises))
                .layer(DefaultBodyLimit::max(5 * 1024 * 1024)),
        )
}

/// Staff who manage enterprise accounts.
const MANAGERS: &[Role] = &[Role::City, Role::District, Role::Sysadmin];

fn not_found() -> ApiError {
    ApiError::not_found("企业", "Enterprise")
}

/// The enterprise as the caller may see it: its own account, or one in a staff member's
/// jurisdiction.
async fn visible(state: &AppState, caller: &Caller, id: &EnterpriseId) -> ApiResult<store::EnterpriseRow> {
    store::get(&state.db, id, &caller.bounds()).await?.ok_or_else(not_found)
}

/// The enterprise as it stands inside the act, after its writes.
async fn current_view(conn: &mut Conn, id: &EnterpriseId) -> ApiResult<EnterpriseView> {
    let row = store::get_unbounded(&mut *conn, id).await?.ok_or_else(not_found)?;
    Ok(store::full_view(conn, row).await?)
}

#[derive(Deserialize, Serialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Locality {
    /// 本地
    Local,
    /// 外地
    NonLocal,
}

impl Locality {
    fn as_str(self) -> &'static str {
        match self {
            Locality::Local => "local",
            Locality::NonLocal => "non_local",
        }
    }
}

fn text(v: impl Into<String>) -> Value {
    Value::Text(Some(v.into()))
}
