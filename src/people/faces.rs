//! The one comparison of a photo with a person's enrolled face, used by registration,
//! portrait replacement, employment acceptance and check-in, and its one refusal.

use axum::http::StatusCode;

use crate::face::{self, Descriptor, Evidence, Photo, Verdict};
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::PersonId;
use crate::state::AppState;

/// Compares a fresh selfie with the face the person enrolled at registration. The verdict is
/// returned whether or not it matched (check-in records the distance either way); a photo the
/// engine cannot use is refused as `face::problem` says, a person whose registration is held
/// as `one_face::held`.
pub async fn match_enrolled(state: &AppState, person: &PersonId, selfie: Evidence) -> ApiResult<Verdict> {
    let enrolled = enrolled(state, person).await?;
    state
        .face
        .verify(&enrolled, selfie)
        .await
        .map_err(|e| face::problem(e, Photo::Selfie))
}

/// Compares a face already described (a liveness challenge's selfie) with the enrolled one,
/// refused as `match_enrolled` for a held registration.
pub async fn match_described(state: &AppState, person: &PersonId, selfie: &Descriptor) -> ApiResult<Verdict> {
    Ok(state.face.compare(&enrolled(state, person).await?, selfie))
}

/// The face the person enrolled at registration; refused while the registration is held
/// (`one_face::held`).
async fn enrolled(state: &AppState, person: &PersonId) -> ApiResult<Descriptor> {
    let identity = super::store::identity(&state.db, person).await?;
    if identity.as_ref().is_some_and(|i| i.is_held()) {
        return Err(super::one_face::held());
    }
    identity
        .and_then(|identity| identity.face(&state.keys))
        .ok_or_else(|| ApiError::internal("no enrolled face opens for the person"))
}

/// Compares two described faces (registration's portrait and selfie, a replacement's pair).
pub fn compare(state: &AppState, a: &Descriptor, b: &Descriptor) -> Verdict {
    state.face.compare(a, b)
}

/// Ok when the verdict matched, else the refusal `face.mismatch`.
pub fn require_match(verdict: &Verdict) -> ApiResult<()> {
    if verdict.matched {
        Ok(())
    } else {
        Err(mismatch(verdict.distance))
    }
}

/// The refusal of a face that is not the person's, with the distance measured.
pub fn mismatch(distance: f32) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "face.mismatch",
        format!("人脸比对不一致（距离 {distance:.3}），须本人的照片、本人操作"),
        format!("The faces do not match (distance {distance:.3}); only the person themself, with their own photos, can do this"),
    )
}
