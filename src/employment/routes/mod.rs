//! Employment over HTTP: requests, the person's face-checked answer, relations and ending them.
//!
//! - `requests`: the enterprise sends, lists and withdraws requests; the person refuses one;
//! - `acceptance`: the person accepts in the mini-program, with a challenge and a face check;
//! - `relations`: relations, ending them, the technical lead;
//! - `certificates`: employees' registration certificates and professional titles;
//! - this file: the router, and who may act (the enterprise, the person in the mini-program,
//!   the enterprise on its own active relation).

mod acceptance;
mod certificates;
pub mod relations;
pub mod requests;

pub use certificates::{add as add_certificate, certificates_of, CertificateKind, NewCertificateBody};

use crate::openapi::register::routes;
use utoipa_axum::router::OpenApiRouter;

use super::rules::EmploymentRule;
use super::store;
use crate::auth::{Caller, Channel, Role};
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{EmploymentId, EnterpriseId, PersonId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(requests::create_request, requests::list_requests))
        .routes(routes!(requests::get_request))
        .routes(routes!(acceptance::request_challenge))
        .routes(routes!(acceptance::accept_request))
        .routes(routes!(requests::refuse_request))
        .routes(routes!(requests::withdraw_request))
        .routes(routes!(relations::list_relations))
        .routes(routes!(relations::end_relation))
        .routes(routes!(certificates::add_certificate, certificates::list_certificates))
        .routes(routes!(certificates::remove_certificate))
        .routes(routes!(relations::set_technical_lead))
}

fn request_not_found() -> ApiError {
    ApiError::not_found("聘用请求", "Employment request")
}

fn enterprise_id(caller: &Caller) -> ApiResult<&EnterpriseId> {
    caller.require(&[Role::Enterprise])?;
    caller.enterprise_id().ok_or_else(ApiError::forbidden_role)
}

/// A person answering must be in the mini-program.
fn person_in_mini_program(caller: &Caller) -> ApiResult<&PersonId> {
    caller.require(&[Role::Person])?;
    if caller.channel != Channel::MiniProgram {
        return Err(EmploymentRule::MiniProgramOnly.into_error());
    }
    caller.person_id().ok_or_else(ApiError::forbidden_role)
}

/// The relation an enterprise acts on: its own, and still active.
async fn own_active_relation(state: &AppState, caller: &Caller, id: &EmploymentId) -> ApiResult<store::EmploymentRow> {
    enterprise_id(caller)?;
    let row = store::get_employment(&state.db, id, &caller.bounds())
        .await?
        .ok_or_else(|| ApiError::not_found("聘用关系", "Employment"))?;
    if row.state != "active" {
        return Err(EmploymentRule::AlreadyEnded.into_error());
    }
    Ok(row)
}
