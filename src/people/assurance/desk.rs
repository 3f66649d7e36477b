//! Verification at the authority's desk (窗口核验): the person brings the ID card to a city or
//! district housing authority (seeds 002/003: "本人携带二代身份证原件，到就近住房城乡建设主管部门"),
//! opens a desk code in their mini-program and shows it; the staff member compares the card's
//! photo with the person, types the card's full ID number and name, and sends them with the
//! code. The registration must carry that ID number and that name, and the code must be this
//! person's: so the account raised to `staff_verified` is the card holder's own.
//!
//! People keep no district of their own (they may live anywhere and change employers), and the
//! manuals send them to the nearest authority, so any city or district desk may verify anyone.
//! Supervisors work on sites, not at the desk, and system administrators administer accounts:
//! both are refused.

use crate::openapi::register::routes;
use axum::{extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::{assurance_of, store, AssuranceLevel};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::challenges::{self, Challenge};
use crate::people::store as people;
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::{ChallengeId, PersonId, StaffId};
use crate::platform::types::{IdNumber, Text};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(desk_code))
        .routes(routes!(verify_at_desk))
}

const DESK_PURPOSE: &str = "identity.desk";

/// Staff roles that work at the authority's desk.
pub const DESK_ROLES: [Role; 2] = [Role::City, Role::District];

fn not_registered() -> ApiError {
    ApiError::conflict(
        "person.not_registered",
        "请先完成实名登记",
        "Complete the real-name registration first",
    )
}

/// A desk code for the signed-in, registered person: show it to the staff member at the
/// authority's desk with your ID card. Valid for `identity.desk_code_ttl_secs`, once.
#[utoipa::path(post, path = "/people/me/desk-code", tag = "people", security(("bearer" = [])),
    responses((status = 201, body = Challenge), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn desk_code(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
) -> ApiResult<(StatusCode, Json<Challenge>)> {
    caller.require(&[Role::Person])?;
    let person = caller.person_id().ok_or_else(ApiError::forbidden_role)?;
    act.set_target(format!("person:{person}"));
    if people::identity(&state.db, person).await?.is_none() {
        return Err(not_registered());
    }
    let mut tx = act.begin().await?;
    let ttl = state.settings.identity.desk_code_ttl_secs;
    let code = challenges::issue(&mut *tx, state.clock.now_ms(), person, DESK_PURPOSE, person, ttl, false).await?;
    act.commit(tx, format!("person:{person}")).await?;
    Ok((StatusCode::CREATED, Json(code)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeskVerification {
    /// The code the person shows from their mini-program (`POST /people/me/desk-code`).
    #[schema(value_type = String)]
    pub desk_code: ChallengeId,
    /// The full ID number as printed on the card in hand.
    #[schema(value_type = String, example = "11010519491231002X")]
    pub id_number: IdNumber,
    /// The name as printed on the card.
    #[schema(value_type = String, example = "张三")]
    pub name: Text<50>,
}

#[derive(Serialize, ToSchema)]
pub struct DeskVerified {
    #[schema(value_type = String)]
    pub person_id: PersonId,
    /// The person's level now (it never goes down: a person already verified by WeChat stays so).
    pub level: AssuranceLevel,
    /// The staff member who compared the card.
    #[schema(value_type = String)]
    pub verified_by: StaffId,
    pub verified_at: i64,
}

/// The authority's desk confirms a person's identity: the staff member compared the ID card with
/// the person, the card's ID number and name match the registration, and the person's desk
/// code is theirs. The person becomes `staff_verified` (recorded with who and when).
#[utoipa::path(post, path = "/people/desk-verifications", tag = "people", request_body = DeskVerification,
    security(("bearer" = [])),
    responses((status = 201, body = DeskVerified), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn verify_at_desk(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<DeskVerification>,
) -> ApiResult<(StatusCode, Json<DeskVerified>)> {
    caller.require(&DESK_ROLES)?;
    act.set_target("person-desk-verification");
    let hash = people::id_number_hash(&state.keys, body.id_number.as_str());
    let identity = people::identity_by_hash(&state.db, &hash).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "person.not_registered",
            "该身份证号未完成实名登记，请本人先在小程序中登记",
            "No one is registered with this ID number; the person registers in the mini-program first",
        )
    })?;
    let person = identity.person_id.clone();
    act.set_target(format!("person:{person}"));
    challenges::spend(&state, &body.desk_code, &person, DESK_PURPOSE, &person)
        .await
        .map_err(|e| if e.code == "challenge.invalid" { wrong_code() } else { e })?;
    let registered_name = people::unseal_name(&state.keys, &person, &identity.name_sealed);
    if registered_name.as_deref() != Some(body.name.as_str()) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "identity.desk_name_mismatch",
            "身份证上的姓名与实名登记的姓名不一致，不能核验；请本人更正登记信息",
            "The name on the ID card differs from the registered name; the registration must be corrected first",
        ));
    }
    let now = state.clock.now_ms();
    let staff = caller.staff_id();
    let mut tx = act.begin().await?;
    store::record(
        &mut *tx,
        &person,
        AssuranceLevel::StaffVerified,
        Some(&staff),
        None,
        now,
    )
    .await?;
    let level = assurance_of(&mut *tx, &person).await?.level;
    act.commit(tx, format!("person:{person}")).await?;
    Ok((
        StatusCode::CREATED,
        Json(DeskVerified {
            person_id: person,
            level,
            verified_by: staff,
            verified_at: now,
        }),
    ))
}

/// A desk code that is not this card holder's (another person's, or made up).
fn wrong_code() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "identity.desk_code_invalid",
        "核验码不属于该身份证号的登记人，请本人在自己的小程序中重新获取核验码",
        "The desk code is not this ID card holder's; the person opens a new one in their own mini-program",
    )
}
