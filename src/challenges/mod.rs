//! Single-use challenges for face-checked acts: the server issues one, bound to a person, a
//! purpose and the object acted on, valid briefly; the act must present it, and spends it
//! whatever the outcome, so a captured request cannot be replayed.

use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

mod store;

use crate::liveness::{self, Frames, Pose};
use crate::platform::db::Executor;
use crate::platform::error::{ApiError, ApiResult, Invalid};
use crate::platform::ids::{ChallengeId, DocumentId, PersonId};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Challenge {
    #[schema(value_type = String)]
    pub challenge_id: ChallengeId,
    /// Unix milliseconds; use it before then.
    pub expires_at: i64,
    /// Unix milliseconds; the selfie must be taken after this.
    pub issued_at: i64,
    /// Empty: one selfie. Otherwise a liveness challenge: one photo per pose, in this order,
    /// each taken and uploaded after `issued_at`. The first pose is always `front`: that photo
    /// is the selfie (`selfie_document_id`); the others go, in order, in
    /// `liveness_document_ids`.
    pub poses: Vec<Pose>,
}

/// Issues a challenge at `now`, a liveness challenge (a random sequence of poses) when
/// `liveness`; `db` is the issuing act's transaction.
pub async fn issue(
    db: impl Executor<'_>,
    now: i64,
    person_id: &PersonId,
    purpose: &str,
    target_id: &str,
    ttl_secs: i64,
    liveness: bool,
) -> Result<Challenge, sqlx::Error> {
    let id = ChallengeId::new();
    let poses = if liveness {
        liveness::rules::sequence(rand::random())
    } else {
        Vec::new()
    };
    let new = store::NewChallenge {
        id: &id,
        person_id,
        purpose,
        target_id,
        created_at: now,
        expires_at: now + ttl_secs * 1000,
        poses: (!poses.is_empty()).then(|| liveness::rules::to_text(&poses)),
    };
    store::insert(db, &new).await?;
    Ok(Challenge {
        challenge_id: id,
        expires_at: now + ttl_secs * 1000,
        issued_at: now,
        poses,
    })
}

/// A challenge just spent: when it was issued and the poses it asked for.
pub struct Spent {
    pub issued_at: i64,
    pub poses: Vec<Pose>,
}

fn refused(code: &'static str, zh: &'static str, en: &'static str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en).with_field(
        "challenge_id",
        code,
        crate::platform::error::Message::new(zh, en),
    )
}

/// Spends the challenge. Refused when unknown, for another person, act or object, expired, or
/// already spent.
pub async fn spend(
    state: &AppState,
    id: &ChallengeId,
    person_id: &PersonId,
    purpose: &str,
    target_id: &str,
) -> ApiResult<Spent> {
    let now = state.clock.now_ms();
    let row = store::find(&state.db, id).await?;
    let invalid = || {
        refused(
            "challenge.invalid",
            "校验码无效，请重新获取",
            "The challenge is not valid here; ask for a new one",
        )
    };
    let Some(row) = row else {
        return Err(invalid());
    };
    if row.person_id != *person_id || row.purpose != purpose || row.target_id != target_id {
        return Err(invalid());
    }
    if row.used_at.is_some() {
        return Err(refused(
            "challenge.used",
            "校验码已使用过，请重新获取",
            "The challenge was already used; ask for a new one",
        ));
    }
    if row.expires_at <= now {
        return Err(refused(
            "challenge.expired",
            "校验码已过期，请重新获取",
            "The challenge has expired; ask for a new one",
        ));
    }
    // Committed on its own: the challenge stays spent even when the act is then refused.
    let mut tx = crate::platform::db::begin_write(&state.db, state.engine).await?;
    let claimed = store::claim(&mut *tx, id, now).await?;
    tx.commit().await?;
    if !claimed {
        return Err(refused(
            "challenge.used",
            "校验码已使用过，请重新获取",
            "The challenge was already used; ask for a new one",
        ));
    }
    let poses = match row.poses.as_deref() {
        Some(text) => {
            liveness::rules::from_text(text).ok_or_else(|| ApiError::internal("a challenge's poses do not parse"))?
        }
        None => Vec::new(),
    };
    Ok(Spent {
        issued_at: row.created_at,
        poses,
    })
}

/// Spends the caller's challenge and reads the photos it asks for: the selfie, and for a
/// liveness challenge one more photo per further pose. Each must be the caller's own selfie
/// upload, made after the challenge was issued (a photo taken earlier could be a replay).
pub async fn spend_with_frames(
    state: &AppState,
    caller: &crate::auth::Caller,
    challenge_id: &ChallengeId,
    purpose: &str,
    target_id: &str,
    selfie_document_id: &DocumentId,
    liveness_document_ids: &[DocumentId],
) -> ApiResult<Frames> {
    let person = caller.person_id().ok_or_else(ApiError::forbidden_role)?;
    let spent = spend(state, challenge_id, person, purpose, target_id).await?;
    liveness::require_frame_count(&spent.poses, 1 + liveness_document_ids.len())?;
    let mut frames = Frames {
        poses: spent.poses,
        documents: Vec::new(),
        photos: Vec::new(),
    };
    let fields = std::iter::once(("selfie_document_id".to_owned(), selfie_document_id)).chain(
        liveness_document_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (format!("liveness_document_ids[{i}]"), id)),
    );
    for (field, id) in fields {
        let photo = fresh_selfie(state, caller, id, &field, spent.issued_at).await?;
        frames.documents.push(id.clone());
        frames.photos.push(photo);
    }
    Ok(frames)
}

/// The caller's own selfie upload `id`, refused unless uploaded at or after `issued_at`.
async fn fresh_selfie(
    state: &AppState,
    caller: &crate::auth::Caller,
    id: &DocumentId,
    field: &str,
    issued_at: i64,
) -> ApiResult<bytes::Bytes> {
    let purpose = crate::documents::rules::Purpose::Selfie;
    let (document, photo) = crate::documents::read_own_photo(state, caller, id, purpose, field).await?;
    if document.created_at < issued_at {
        let mut invalid = Invalid::default();
        invalid.field(
            field,
            "face.selfie_not_fresh",
            "请在获取校验码之后现场自拍",
            "Take the selfie after asking for the challenge",
        );
        invalid.finish()?;
    }
    Ok(photo)
}
