//! Liveness at registration (`liveness.registration`): the person asks for a challenge before
//! taking the selfie, and sends one photo per pose; the selfie is the photo of the first pose.

use axum::extract::State;
use axum::http::StatusCode;

use super::one_face;
use super::store;
use crate::audit::Act;
use crate::auth::Caller;
use crate::challenges::{self, Challenge};
use crate::liveness::Frames;
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{ChallengeId, DocumentId, PersonId};
use crate::platform::web::Json;
use crate::state::AppState;

const CHALLENGE_PURPOSE: &str = "people.register";

/// Refuses a person who is registered already, or whose registration is held.
pub(super) async fn not_registered_yet(state: &AppState, person: &PersonId) -> ApiResult<()> {
    match store::identity(&state.db, person).await? {
        Some(identity) if identity.is_held() => Err(one_face::held()),
        Some(_) => Err(ApiError::conflict(
            "person.already_registered",
            "您已完成实名登记",
            "You are already registered",
        )),
        None => Ok(()),
    }
}

/// A single-use challenge for registering: a liveness challenge (poses to follow, one photo
/// each) where `liveness.registration` asks for one; take the selfie after asking for it.
#[utoipa::path(post, path = "/people/me/registration/challenge", tag = "people", security(("bearer" = [])),
    responses((status = 201, body = Challenge), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn registration_challenge(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
) -> ApiResult<(StatusCode, Json<Challenge>)> {
    let person = super::routes::person_id(&caller)?;
    not_registered_yet(&state, person).await?;
    let settings = &state.settings.liveness;
    let mut tx = act.begin().await?;
    let now = state.clock.now_ms();
    let ttl = settings.registration_challenge_ttl_secs;
    let challenge = challenges::issue(
        &mut *tx,
        now,
        person,
        CHALLENGE_PURPOSE,
        person,
        ttl,
        settings.registration,
    )
    .await?;
    act.commit(tx, format!("person:{person}")).await?;
    Ok((StatusCode::CREATED, Json(challenge)))
}

/// The registration's challenge spent and its photos read, when it names one; refused without
/// one where `liveness.registration` asks for it.
pub(super) async fn frames(
    state: &AppState,
    caller: &Caller,
    person: &PersonId,
    challenge: Option<&ChallengeId>,
    selfie: &DocumentId,
    others: &[DocumentId],
) -> ApiResult<Option<Frames>> {
    let Some(challenge) = challenge else {
        if state.settings.liveness.registration || !others.is_empty() {
            let mut invalid = Invalid::default();
            invalid.field(
                "challenge_id",
                "liveness.challenge_required",
                "请先获取实名登记校验码，再按提示拍照",
                "Ask for a registration challenge first, then take the photos it asks for",
            );
            invalid.finish()?;
        }
        return Ok(None);
    };
    let frames =
        challenges::spend_with_frames(state, caller, challenge, CHALLENGE_PURPOSE, person, selfie, others).await?;
    Ok(Some(frames))
}
