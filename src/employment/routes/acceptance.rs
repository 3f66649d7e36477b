//! Accepting a request: in the mini-program only, spending a single-use challenge, with a fresh
//! selfie that must match the face enrolled at registration.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{person_in_mini_program, request_not_found};
use crate::audit::Act;
use crate::auth::Caller;
use crate::challenges::{self, Challenge};
use crate::employment::rules::{self, Decision, EmploymentRule};
use crate::employment::store::{self, AcceptFailure, EmploymentView};
use crate::photos::{self, Flow};
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::{ChallengeId, DocumentId, EmploymentRequestId};
use crate::platform::web::Json;
use crate::state::AppState;

const CHALLENGE_PURPOSE: &str = "employment.accept";

/// The calling person's request, still pending now (an overdue one counts as expired).
async fn own_pending_request(
    state: &AppState,
    caller: &Caller,
    id: &EmploymentRequestId,
) -> ApiResult<store::RequestRow> {
    let row = store::get_request(&state.db, id, &caller.bounds())
        .await?
        .ok_or_else(request_not_found)?;
    rules::decide(row.state_at(state.clock.now_ms()), Decision::Accept).map_err(EmploymentRule::into_error)?;
    Ok(row)
}

/// A single-use challenge for accepting this request; take the selfie after asking for it.
#[utoipa::path(post, path = "/employment/requests/{id}/challenge", tag = "employment", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 201, body = Challenge), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn request_challenge(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EmploymentRequestId>,
) -> ApiResult<(StatusCode, Json<Challenge>)> {
    let person = person_in_mini_program(&caller)?;
    own_pending_request(&state, &caller, &id).await?;
    crate::people::require_active(&state.db, person).await?;
    let mut tx = act.begin().await?;
    let challenge = challenges::issue(
        &mut *tx,
        state.clock.now_ms(),
        person,
        CHALLENGE_PURPOSE,
        &id,
        state.settings.employment.challenge_ttl_secs,
    )
    .await?;
    act.commit(tx, format!("employment_request:{id}")).await?;
    Ok((StatusCode::CREATED, Json(challenge)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    #[schema(value_type = String)]
    pub challenge_id: ChallengeId,
    /// A selfie (purpose `selfie`) uploaded after the challenge was issued.
    #[schema(value_type = String)]
    pub selfie_document_id: DocumentId,
}

/// Accepts the request in the mini-program: spends the challenge, then the fresh selfie must
/// repeat no earlier photo (`photo.reused`) and match the face enrolled at registration. The
/// person then works for this enterprise.
#[utoipa::path(post, path = "/employment/requests/{id}/accept", tag = "employment", params(("id" = String, Path)), request_body = Acceptance,
    security(("bearer" = [])),
    responses((status = 201, body = EmploymentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub(super) async fn accept_request(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EmploymentRequestId>,
    Json(body): Json<Acceptance>,
) -> ApiResult<(StatusCode, Json<EmploymentView>)> {
    let person = person_in_mini_program(&caller)?;
    act.set_target(format!("employment_request:{id}"));
    let request = own_pending_request(&state, &caller, &id).await?;
    let photo = challenges::spend_with_selfie(
        &state,
        &caller,
        &body.challenge_id,
        CHALLENGE_PURPOSE,
        &id,
        &body.selfie_document_id,
    )
    .await?;
    let (fresh, decoded) = photos::fingerprint_decoded(&state, &photo, Flow::AcceptanceSelfie).await?;
    photos::refuse_reuse(&state, &fresh, person).await?;
    let selfie = crate::face::Evidence::Image(decoded);
    crate::people::require_match(&crate::people::match_enrolled(&state, person, selfie).await?)?;
    let mut tx = act.begin().await?;
    photos::record(&mut tx, &state, &fresh, person, &body.selfie_document_id).await?;
    let employment_id = match store::accept(&mut *tx, &request, state.clock.now_ms()).await {
        Ok(id) => id,
        Err(AcceptFailure::NoLongerPending) => {
            return Err(ApiError::conflict(
                "employment.request_not_pending",
                "该聘用请求已被处理",
                "The request was answered meanwhile",
            ))
        }
        Err(AcceptFailure::AlreadyEmployed) => {
            return Err(ApiError::conflict(
                "employment.already_employed",
                "您已与其他企业存在聘用关系，须先解除",
                "You are employed by another enterprise; that relation must end first",
            ));
        }
        Err(AcceptFailure::Database(e)) => return Err(e.into()),
    };
    let row = store::get_employment(&mut *tx, &employment_id, &caller.bounds())
        .await?
        .ok_or_else(|| ApiError::internal("accepted employment vanished"))?;
    act.commit(tx, format!("employment_request:{id}")).await?;
    Ok((StatusCode::CREATED, Json(row.view(&state.keys))))
}
