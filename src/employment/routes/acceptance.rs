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
use crate::liveness::{self, Frames};
use crate::people::FaceChoice;
use crate::photos::{self, Flow, Received};
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::{ChallengeId, DocumentId, EmploymentRequestId, PersonId};
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
    crate::people::require_level(&state, person, state.settings.identity.min_level_acceptance).await?;
    let mut tx = act.begin().await?;
    let challenge = challenges::issue(
        &mut *tx,
        state.clock.now_ms(),
        person,
        CHALLENGE_PURPOSE,
        &id,
        state.settings.employment.challenge_ttl_secs,
        state.settings.liveness.acceptance,
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
    /// A selfie (purpose `selfie`) uploaded after the challenge was issued: for a liveness
    /// challenge, the photo of its first pose (`front`). Or else `verify_id`, as
    /// `identity.face_methods` allows.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    pub selfie_document_id: Option<DocumentId>,
    /// With a selfie, for a liveness challenge (`liveness.acceptance`), the photos of its
    /// further poses, in order; empty otherwise.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub liveness_document_ids: Vec<DocumentId>,
    /// A WeChat face verification completed for this request (`POST /people/me/wechat-face`
    /// with purpose `employment_accept`).
    #[serde(default)]
    pub verify_id: Option<String>,
}

/// The acceptance's photos checked: the selfie repeats no earlier photo and matches the enrolled
/// face, after the liveness frames (if the challenge asked for them) passed. Returns the
/// photos to record, the selfie first.
async fn face_checked(state: &AppState, person: &PersonId, frames: &Frames) -> ApiResult<Vec<(Received, DocumentId)>> {
    let (fresh, decoded) = photos::fingerprint_decoded(state, frames.selfie(), Flow::AcceptanceSelfie).await?;
    photos::refuse_reuse(state, &fresh, person).await?;
    let (verdict, others) = liveness::match_enrolled(state, person, frames, &fresh, decoded).await?;
    crate::people::require_match(&verdict)?;
    Ok(std::iter::once((fresh, frames.documents[0].clone()))
        .chain(others)
        .collect())
}

/// Accepts the request in the mini-program: the person's identity must be established at
/// `identity.min_level_acceptance` at least; the challenge is spent, then the fresh selfie must
/// repeat no earlier photo (`photo.reused`) and match the face enrolled at registration (for a
/// liveness challenge, after its frames passed), or the
/// WeChat face verification completed for this request must pass. The person then works for
/// this enterprise.
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
    crate::people::require_level(&state, person, state.settings.identity.min_level_acceptance).await?;
    let evidence = crate::people::choose_face(
        state.settings.identity.face_methods,
        body.selfie_document_id,
        body.verify_id,
    )?;
    let photos = match evidence {
        FaceChoice::Selfie(selfie_id) => {
            let frames = challenges::spend_with_frames(
                &state,
                &caller,
                &body.challenge_id,
                CHALLENGE_PURPOSE,
                &id,
                &selfie_id,
                &body.liveness_document_ids,
            )
            .await?;
            face_checked(&state, person, &frames).await?
        }
        FaceChoice::Wechat(verify_id) => {
            challenges::spend(&state, &body.challenge_id, person, CHALLENGE_PURPOSE, &id).await?;
            let purpose = crate::people::WechatPurpose::EmploymentAccept;
            crate::people::check_wechat_face(&state, person, &verify_id, purpose, &id).await?;
            Vec::new()
        }
    };
    let mut tx = act.begin().await?;
    for (photo, document) in &photos {
        photos::record(&mut tx, &state, photo, person, document).await?;
    }
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
