//! Single-use challenges for face-checked acts: the server issues one, bound to a person, a
//! purpose and the object acted on, valid briefly; the act must present it, and spends it
//! whatever the outcome, so a captured request cannot be replayed.

use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

mod store;

use crate::platform::db::Executor;
use crate::platform::error::{ApiError, ApiResult};
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
}

/// Issues a challenge at `now`; `db` is the issuing act's transaction.
pub async fn issue(
    db: impl Executor<'_>,
    now: i64,
    person_id: &PersonId,
    purpose: &str,
    target_id: &str,
    ttl_secs: i64,
) -> Result<Challenge, sqlx::Error> {
    let id = ChallengeId::new();
    let new = store::NewChallenge {
        id: &id,
        person_id,
        purpose,
        target_id,
        created_at: now,
        expires_at: now + ttl_secs * 1000,
    };
    store::insert(db, &new).await?;
    Ok(Challenge {
        challenge_id: id,
        expires_at: now + ttl_secs * 1000,
        issued_at: now,
    })
}

fn refused(code: &'static str, zh: &'static str, en: &'static str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en).with_field(
        "challenge_id",
        code,
        crate::platform::error::Message::new(zh, en),
    )
}

/// Spends the challenge; returns when it was issued. Refused when unknown, for another person,
/// act or object, expired, or already spent.
pub async fn spend(
    state: &AppState,
    id: &ChallengeId,
    person_id: &PersonId,
    purpose: &str,
    target_id: &str,
) -> ApiResult<i64> {
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
    Ok(row.created_at)
}

/// Spends the caller's challenge and reads their selfie, which must have been uploaded after
/// the challenge was issued (a photo taken earlier could be a replay).
pub async fn spend_with_selfie(
    state: &AppState,
    caller: &crate::auth::Caller,
    challenge_id: &ChallengeId,
    purpose: &str,
    target_id: &str,
    selfie_document_id: &DocumentId,
) -> ApiResult<bytes::Bytes> {
    let person = caller.person_id().ok_or_else(ApiError::forbidden_role)?;
    let issued_at = spend(state, challenge_id, person, purpose, target_id).await?;
    let selfie_purpose = crate::documents::rules::Purpose::Selfie;
    let (selfie, photo) =
        crate::documents::read_own_photo(state, caller, selfie_document_id, selfie_purpose, "selfie_document_id")
            .await?;
    if selfie.created_at < issued_at {
        let mut invalid = crate::platform::error::Invalid::default();
        invalid.field(
            "selfie_document_id",
            "face.selfie_not_fresh",
            "请在获取校验码之后现场自拍",
            "Take the selfie after asking for the challenge",
        );
        invalid.finish()?;
    }
    Ok(photo)
}
