//! The facts a check-in is decided on, loaded before the rule runs: the task's window, the
//! person's employment and earlier check-in, the challenge and its selfie, the selfie's
//! fingerprint and any earlier photo it repeats, where the position lies in the site's fence,
//! and the review signals. Only the face comparison (with the liveness frames, if the
//! challenge asked for them) is left for later (the rule asks for it).

use std::sync::Arc;

use image::RgbImage;

use super::{window_open, CheckInBody, CHALLENGE_PURPOSE};
use crate::auth::Caller;
use crate::liveness::Frames;
use crate::photos::{self, Flow, Received};
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{DocumentId, PersonId};
use crate::platform::types::{CoordinateSystem, Coordinates};
use crate::state::AppState;
use crate::verification::geofence::{to_wgs84, Fence};
use crate::verification::rules::check_in::{Facts, Placement};
use crate::verification::signals::{self, Signals};
use crate::verification::store::{self, TaskRow};

pub struct Loaded {
    pub facts: Facts,
    /// The selfie and any liveness frames (none with a WeChat face verification).
    pub photo: Option<LoadedPhoto>,
}

/// The photos a challenge asked for, the selfie fingerprinted and decoded once.
pub struct LoadedPhoto {
    pub selfie: Received,
    /// The selfie, decoded, for the face comparison.
    pub image: Arc<RgbImage>,
    /// The photos the challenge asked for (the selfie first; more for a liveness challenge).
    pub frames: Frames,
}

/// Loads every fact but the face. Fails only when the request itself cannot be judged: a
/// challenge or selfie that is not valid, or a selfie that is not a usable photo.
pub async fn load(
    state: &AppState,
    caller: &Caller,
    task: &TaskRow,
    person: &PersonId,
    body: &CheckInBody,
    selfie_id: Option<&DocumentId>,
    position: Coordinates,
) -> ApiResult<Loaded> {
    let employed = crate::employment::employer_of(&state.db, person).await?.as_ref() == Some(&task.enterprise_id);
    let already_checked_in = store::has_valid_check_in(&state.db, task, person).await?;
    let photo = match selfie_id {
        Some(selfie_id) => {
            let frames = crate::challenges::spend_with_frames(
                state,
                caller,
                &body.challenge_id,
                CHALLENGE_PURPOSE,
                &task.id,
                selfie_id,
                &body.liveness_document_ids,
            )
            .await?;
            let (selfie, image) = photos::fingerprint_decoded(state, frames.selfie(), Flow::CheckInSelfie).await?;
            Some(LoadedPhoto { selfie, image, frames })
        }
        None => {
            crate::challenges::spend(state, &body.challenge_id, person, CHALLENGE_PURPOSE, &task.id).await?;
            None
        }
    };
    let reused_photo = match &photo {
        Some(photo) => photos::repeats(state, &photo.selfie, person).await?,
        None => None,
    };
    let facts = Facts {
        window_open: window_open(state, task),
        employed,
        already_checked_in,
        placement: placement(state, task, position).await?,
        accuracy_m: body.accuracy_m,
        reused_photo,
        face: None,
        signals: review_signals(state, person, body, position).await?,
    };
    Ok(Loaded { facts, photo })
}

/// Where the position lies in the enterprise's fence: its polygon, or a circle around the
/// registered address. `None` when the site has no coordinates.
async fn placement(state: &AppState, task: &TaskRow, position: Coordinates) -> ApiResult<Option<Placement>> {
    let site = crate::enterprises::site_of(&state.db, &task.enterprise_id)
        .await?
        .ok_or_else(|| ApiError::internal("task without enterprise"))?;
    let Some(centre) = site.position else {
        return Ok(None);
    };
    let radius_m = site.radius_m.unwrap_or(state.settings.check_in.default_radius_m);
    let fence = match site.polygon.and_then(|p| Fence::polygon(&p)) {
        Some(polygon) => polygon,
        None => Fence::circle(centre, radius_m),
    };
    let judged = fence.judge(position);
    Ok(Some(Placement {
        inside: judged.inside,
        distance_m: judged.distance_m,
    }))
}

/// What flags an attempt for review: the client's mock flag, coordinates identical to an
/// earlier check-in's, and the speed needed since the person's previous check-in.
async fn review_signals(
    state: &AppState,
    person: &PersonId,
    body: &CheckInBody,
    position: Coordinates,
) -> ApiResult<Signals> {
    let previous = store::previous_check_in(&state.db, person).await?;
    let speed_kmh = previous.and_then(|(lat, lon, system, at)| {
        let before = Coordinates::new(lat, lon, CoordinateSystem::parse(&system)?).ok()?;
        let metres = geo::Distance::distance(&geo::Haversine, to_wgs84(before), to_wgs84(position));
        Some(signals::speed_kmh(metres, state.clock.now_ms() - at))
    });
    Ok(Signals {
        mock_location: body.mock_location,
        repeated_position: store::position_seen(&state.db, body.latitude, body.longitude).await?,
        speed_kmh,
    })
}
