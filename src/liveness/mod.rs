//! Active liveness for face-checked acts: the act's challenge names a short random sequence of
//! head poses (`rules::SEQUENCES`), the person sends one photo per pose, and the act passes
//! only if every frame shows exactly one usable face, all frames show the same person, no two
//! frames are the same image, and the head pose estimated on each frame follows the sequence.
//! The first frame (always frontal) is the act's selfie: the act compares it with the enrolled
//! face as it would a single selfie, from the descriptor examined here.
//!
//! What it stops: a single photo (or one photo sent several times, re-encoded or not), a
//! gallery of frontal photos, frames in the wrong order. What it does not stop: someone who
//! holds photos of the person turned each way (or one turned photo and its mirror image) and
//! sends them in the order asked; a replayed video of the person following the instructions.

pub mod rules;

use std::sync::Arc;

use axum::http::StatusCode;
use bytes::Bytes;
use image::RgbImage;

pub use rules::Pose;
use rules::{Failure, Limits, Reading};

use crate::face::{self, Descriptor, Evidence, Examined, Photo, Verdict};
use crate::photos::{self, Flow, Received};
use crate::platform::error::{ApiError, ApiResult, Message};
use crate::platform::ids::{DocumentId, PersonId};
use crate::state::AppState;

/// The photos sent for a challenge, in the order of its poses (the selfie first).
pub struct Frames {
    /// Empty when the challenge asked for one selfie.
    pub poses: Vec<Pose>,
    pub documents: Vec<DocumentId>,
    pub photos: Vec<Bytes>,
}

impl Frames {
    pub fn asks_liveness(&self) -> bool {
        !self.poses.is_empty()
    }

    /// The selfie: the first frame.
    pub fn selfie(&self) -> &Bytes {
        &self.photos[0]
    }
}

/// The frames after the selfie, examined and found to follow the challenge.
pub struct Passed {
    /// The selfie's descriptor, to compare with the enrolled face.
    pub selfie: Descriptor,
    /// The other frames' fingerprints, to record in the photo registry with the act.
    pub others: Vec<(Received, DocumentId)>,
}

/// The selfie (decoded as `image`) compared with the enrolled face, after the liveness frames
/// passed when the challenge asked for them. Returns the verdict and the further frames to
/// record in the photo registry with the act.
pub async fn match_enrolled(
    state: &AppState,
    person: &PersonId,
    frames: &Frames,
    selfie: &Received,
    image: Arc<RgbImage>,
) -> ApiResult<(Verdict, Vec<(Received, DocumentId)>)> {
    if !frames.asks_liveness() {
        let verdict = crate::people::match_enrolled(state, person, Evidence::Image(image)).await?;
        return Ok((verdict, Vec::new()));
    }
    let passed = check(state, person, frames, selfie, image).await?;
    let verdict = crate::people::match_described(state, person, &passed.selfie).await?;
    Ok((verdict, passed.others))
}

/// `check` for an act that kept no decoded selfie: decodes and fingerprints it in `flow`.
pub async fn check_frames(state: &AppState, person: &PersonId, frames: &Frames, flow: Flow) -> ApiResult<Passed> {
    let (selfie, image) = photos::fingerprint_decoded(state, frames.selfie(), flow).await?;
    check(state, person, frames, &selfie, image).await
}

/// Refuses a number of photos other than the challenge asks for.
pub fn require_frame_count(poses: &[Pose], got: usize) -> ApiResult<()> {
    let expected = poses.len().max(1);
    if got == expected {
        return Ok(());
    }
    Err(failure(&Failure::FrameCount { expected, got }, poses))
}

/// Judges a liveness challenge's frames. `selfie` is the first frame, already fingerprinted
/// and decoded (`image`) by the act, which refused a reused selfie; each further frame is
/// fingerprinted here, in the selfie's flow, and must repeat no earlier photo either. Every
/// frame is examined (one face, its descriptor and yaw), then `rules::judge` decides.
async fn check(
    state: &AppState,
    person: &PersonId,
    frames: &Frames,
    selfie: &Received,
    image: Arc<RgbImage>,
) -> ApiResult<Passed> {
    let mut fingerprints = vec![*selfie];
    let mut images = vec![image];
    let mut others = Vec::new();
    for (photo, document) in frames.photos.iter().zip(&frames.documents).skip(1) {
        let (received, image) = photos::fingerprint_decoded(state, photo, selfie.flow).await?;
        photos::refuse_reuse(state, &received, person).await?;
        fingerprints.push(received);
        images.push(image);
        others.push((received, document.clone()));
    }
    let mut examined: Vec<Examined> = Vec::with_capacity(images.len());
    for (step, image) in images.into_iter().enumerate() {
        let one = state.face.examine(Evidence::Image(image)).await;
        examined.push(one.map_err(|e| frame_problem(e, step))?);
    }
    let readings: Vec<Reading> = examined
        .iter()
        .zip(&fingerprints)
        .enumerate()
        .map(|(step, (frame, fingerprint))| Reading {
            yaw: frame.yaw,
            distance_to_first: state.face.compare(&examined[0].descriptor, &frame.descriptor).distance,
            repeats: (0..step).find(|&earlier| {
                photos::alike(state, &fingerprints[earlier], fingerprint)
                    && rules::same_shot(&examined[earlier].landmarks, &frame.landmarks)
            }),
        })
        .collect();
    rules::judge(&frames.poses, &readings, &limits(state)).map_err(|f| failure(&f, &frames.poses))?;
    Ok(Passed {
        selfie: examined.swap_remove(0).descriptor,
        others,
    })
}

fn limits(state: &AppState) -> Limits {
    let settings = &state.settings.liveness;
    Limits {
        front_max_yaw: settings.front_max_yaw,
        turn_min_yaw: settings.turn_min_yaw,
        same_person: state.settings.face.threshold,
    }
}

/// The field of a frame: the selfie, or its place in `liveness_document_ids`.
fn field(step: usize) -> String {
    match step {
        0 => "selfie_document_id".into(),
        n => format!("liveness_document_ids[{}]", n - 1),
    }
}

/// A frame the face engine could not use: the face check's own refusal, on that frame's field.
fn frame_problem(error: face::FaceError, step: usize) -> ApiError {
    let mut problem = face::problem(error, Photo::Selfie);
    for f in &mut problem.fields {
        f.field = field(step);
    }
    problem
}

/// What the person is asked to do, in words.
fn pose_words(pose: Pose) -> (&'static str, &'static str) {
    match pose {
        Pose::Front => ("正对镜头", "facing the camera"),
        Pose::Left => ("向左转头", "with your head turned to your left"),
        Pose::Right => ("向右转头", "with your head turned to your right"),
    }
}

fn sequence_words(poses: &[Pose]) -> (String, String) {
    let words: Vec<_> = poses.iter().map(|p| pose_words(*p)).collect();
    (
        words.iter().map(|w| w.0).collect::<Vec<_>>().join("、"),
        words.iter().map(|w| w.1).collect::<Vec<_>>().join(", then "),
    )
}

/// The refusal of a failed liveness check: a stable code per kind, naming the step.
fn failure(f: &Failure, poses: &[Pose]) -> ApiError {
    let (zh_all, en_all) = sequence_words(poses);
    let (code, step, zh, en) = match *f {
        Failure::FrameCount { expected, got } => (
            "liveness.frame_count",
            None,
            format!("本次须按顺序拍 {expected} 张照片（{zh_all}），收到 {got} 张"),
            format!("This challenge asks for {expected} photos ({en_all}); {got} came"),
        ),
        Failure::Repeated { step, of } => (
            "liveness.repeated_frame",
            Some(step),
            format!(
                "第 {} 张照片与第 {} 张是同一张，请按提示重新拍摄每一张",
                step + 1,
                of + 1
            ),
            format!(
                "Photo {} is the same image as photo {}; take each photo anew as asked",
                step + 1,
                of + 1
            ),
        ),
        Failure::NotSamePerson { step, .. } => (
            "liveness.not_same_person",
            Some(step),
            format!("第 {} 张照片与第 1 张不是同一人，须本人完成全部拍摄", step + 1),
            format!(
                "Photo {} does not show the person in photo 1; take every photo yourself",
                step + 1
            ),
        ),
        Failure::WrongPose { step, wanted, yaw } => {
            let (zh_pose, en_pose) = pose_words(wanted);
            (
                "liveness.wrong_pose",
                Some(step),
                format!(
                    "第 {} 张照片须{zh_pose}（测得转头 {yaw:.0}°），请按顺序重拍：{zh_all}",
                    step + 1
                ),
                format!(
                    "Photo {} must be taken {en_pose} (measured turn {yaw:.0}°); take them again in order: {en_all}",
                    step + 1
                ),
            )
        }
    };
    let message = Message::new(zh.clone(), en.clone());
    let error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en);
    match step {
        Some(step) => error.with_field(&field(step), code, message),
        None => error.with_field("liveness_document_ids", code, message),
    }
}
