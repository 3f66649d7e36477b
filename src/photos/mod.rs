//! The face photo registry: one photo, one use, everywhere. Every face photo a flow accepts
//! (ID portrait, registration selfie, employment-acceptance selfie, check-in selfie) is kept
//! with its perceptual hash, and a new photo near-identical to an earlier one is refused
//! (`rules::repeated` says which earlier photos count).
//!
//! A flow fingerprints its photo, refuses a reuse early (before any face work), and then, in
//! its own writing transaction, records the photo: `record` checks again and inserts while no
//! other transaction can record, so two concurrent near-duplicates cannot both pass.
//!
//! Other domains reach the registry only through this file: `fingerprint`, `alike`,
//! `repeats`, `refuse_reuse`, `reused`, `record`.

pub mod rules;
// Public for the check-in benchmark, which seeds a large history of photos directly.
pub mod store;

use axum::http::StatusCode;
use std::sync::Arc;

use bytes::Bytes;
use image::RgbImage;

use crate::face;
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Message};
use crate::platform::ids::{DocumentId, PersonId};
use crate::state::AppState;

/// The flow a photo was received in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    IdPortrait,
    RegistrationSelfie,
    AcceptanceSelfie,
    CheckInSelfie,
}

impl Flow {
    pub fn parse(raw: &str) -> Option<Flow> {
        Some(match raw {
            "id_portrait" => Flow::IdPortrait,
            "registration_selfie" => Flow::RegistrationSelfie,
            "acceptance_selfie" => Flow::AcceptanceSelfie,
            "check_in_selfie" => Flow::CheckInSelfie,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Flow::IdPortrait => "id_portrait",
            Flow::RegistrationSelfie => "registration_selfie",
            Flow::AcceptanceSelfie => "acceptance_selfie",
            Flow::CheckInSelfie => "check_in_selfie",
        }
    }

    /// What the photo is called in messages.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Flow::IdPortrait => ("证件照", "ID portrait"),
            Flow::RegistrationSelfie => ("实名登记自拍照", "registration selfie"),
            Flow::AcceptanceSelfie => ("聘用确认自拍照", "employment-acceptance selfie"),
            Flow::CheckInSelfie => ("打卡自拍照", "check-in selfie"),
        }
    }

    /// Which photo it is for the face checks' messages and fields.
    fn photo(self) -> face::Photo {
        match self {
            Flow::IdPortrait => face::Photo::Portrait,
            _ => face::Photo::Selfie,
        }
    }
}

crate::text_column!(Flow);

/// A photo received in a flow, with its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub hash: u64,
    pub flow: Flow,
}

/// The code of a refused reuse.
pub const REUSED: &str = "photo.reused";

/// Decodes the photo (off the async threads, within `face.max_pixels`) and hashes it. An
/// unreadable photo is refused as the face checks refuse it.
pub async fn fingerprint(state: &AppState, photo: &Bytes, flow: Flow) -> ApiResult<Received> {
    Ok(fingerprint_decoded(state, photo, flow).await?.0)
}

/// `fingerprint`, also handing back the decoded photo so that the face check that follows
/// need not decode it again (`face::Evidence::Image`).
pub async fn fingerprint_decoded(state: &AppState, photo: &Bytes, flow: Flow) -> ApiResult<(Received, Arc<RgbImage>)> {
    let (photo, max_pixels) = (photo.clone(), state.settings.face.max_pixels);
    let decoded = tokio::task::spawn_blocking(move || {
        face::decode_within(&photo, max_pixels).map(|image| (rules::difference_hash(&image), Arc::new(image)))
    })
    .await
    .map_err(ApiError::internal)?;
    let (hash, image) = decoded.map_err(|e| face::problem(e, flow.photo()))?;
    Ok((Received { hash, flow }, image))
}

/// The distance within which two photos count as the same (`check_in.photo_hash_distance`).
fn radius(state: &AppState) -> u32 {
    state.settings.check_in.photo_hash_distance.min(rules::MAX_RADIUS)
}

/// Whether two photos are the same or nearly (re-encoded, resized, slightly edited).
pub fn alike(state: &AppState, a: &Received, b: &Received) -> bool {
    rules::hamming(a.hash, b.hash) <= radius(state)
}

/// The kind of earlier photo this one repeats (`rules::repeated`), if it repeats one. An early
/// check, before the face work; `record` checks again in the flow's transaction.
pub async fn repeats(state: &AppState, photo: &Received, person: &PersonId) -> ApiResult<Option<Flow>> {
    let near = store::find_near(&mut *state.db.acquire().await?, state.engine, photo.hash, radius(state)).await?;
    Ok(rules::repeated(photo.hash, photo.flow, person, radius(state), &near).map(|earlier| earlier.flow))
}

/// Refuses a photo that repeats an earlier one, as `repeats` finds.
pub async fn refuse_reuse(state: &AppState, photo: &Received, person: &PersonId) -> ApiResult<()> {
    match repeats(state, photo, person).await? {
        Some(earlier) => Err(reused(photo.flow, earlier)),
        None => Ok(()),
    }
}

fn refuse_repeated(state: &AppState, photo: &Received, person: &PersonId, near: &[rules::Earlier]) -> ApiResult<()> {
    match rules::repeated(photo.hash, photo.flow, person, radius(state), near) {
        Some(earlier) => Err(reused(photo.flow, earlier.flow)),
        None => Ok(()),
    }
}

/// Records the photo in the flow's writing transaction `conn`, after checking once more that
/// it repeats nothing, while no other transaction can record (the check and the insert are
/// one step for concurrent flows). Refused as by `refuse_reuse`.
pub async fn record(
    conn: &mut Conn,
    state: &AppState,
    photo: &Received,
    person: &PersonId,
    document: &DocumentId,
) -> ApiResult<()> {
    store::lock_for_recording(&mut *conn, state.engine).await?;
    let near = store::find_near(&mut *conn, state.engine, photo.hash, radius(state)).await?;
    refuse_repeated(state, photo, person, &near)?;
    let new = store::NewPhoto {
        hash: photo.hash,
        flow: photo.flow,
        person_id: person,
        document_id: Some(document),
        at: state.clock.now_ms(),
    };
    store::insert(&mut *conn, &new).await?;
    Ok(())
}

/// The refusal of a photo that repeats an earlier one: names the kind of earlier photo, never
/// whose it was.
pub fn reused(new: Flow, earlier: Flow) -> ApiError {
    let (zh, en) = earlier.names();
    let (zh_do, en_do, field) = match new {
        Flow::IdPortrait => (
            "请上传本人身份证上的证件照",
            "send the portrait of your own ID card",
            "portrait_document_id",
        ),
        _ => ("请现场重新自拍", "take a new selfie now", "selfie_document_id"),
    };
    let zh_text = format!("该照片与此前收到的{zh}相同或几乎相同，{zh_do}");
    let en_text = format!("This photo is the same as, or nearly the same as, an earlier {en}; {en_do}");
    let message = Message::new(zh_text.clone(), en_text.clone());
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, REUSED, zh_text, en_text).with_field(field, REUSED, message)
}
