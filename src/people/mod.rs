//! People (individuals). A WeChat login creates an unregistered person bound to the openid;
//! real-name registration comes with the face engine.

//!
//! Other domains reach people only through this file: `find_by_id_number`, `identity_of`,
//! `id_number_key`, `id_number_key_of`, `id_number_of`, `face_of`, `unseal_name` for records that join a person's sealed name, `require_active`
//! before a face-checked act, and the one face comparison with the enrolled face,
//! `match_enrolled` and its refusal `mismatch`; identity assurance: `require_level` before a
//! face-checked act, `choose_face` between a selfie and a WeChat face verification, and
//! `check_wechat_face` for the latter.

pub mod accounts;
pub mod assurance;
mod faces;
pub mod one_face;
mod registration_liveness;
pub mod routes;
// Public for the check-in benchmark, which seeds registered people directly.
pub mod store;

use zhujian_face::Descriptor;

use crate::platform::crypto::Keys;
use crate::platform::db::Executor;
use crate::platform::ids::PersonId;

pub use assurance::{check_wechat_face, choose as choose_face, require_level, FaceChoice, WechatPurpose};
pub use faces::{match_described, match_enrolled, mismatch, require_match};
pub use one_face::SharedIndex;
pub use store::{unseal_name, IdentityView};

/// The keyed hash of an ID number as registered identities are found by: other domains key
/// records about a person by it (certificates), never by the number itself.
pub fn id_number_key(keys: &Keys, id_number: &str) -> String {
    store::id_number_hash(keys, id_number)
}

/// The keyed hash of the person's registered ID number (`id_number_key`), what records about
/// the person are keyed by; `None` when the person is not registered.
pub async fn id_number_key_of(db: impl Executor<'_>, person_id: &PersonId) -> Result<Option<String>, sqlx::Error> {
    Ok(store::id_number_of(db, person_id).await?.map(|(hash, _)| hash))
}

/// The person's registered ID number, opened: for a record issued in their name (a
/// certificate). `None` when the person is not registered.
pub async fn id_number_of(
    db: impl Executor<'_>,
    keys: &Keys,
    person_id: &PersonId,
) -> Result<Option<crate::platform::types::IdNumber>, sqlx::Error> {
    let Some((_, sealed)) = store::id_number_of(db, person_id).await? else {
        return Ok(None);
    };
    let opened = keys
        .open(&store::context(person_id, "id_number"), &sealed)
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|raw| crate::platform::types::IdNumber::parse(&raw).ok());
    Ok(opened)
}

/// The person registered with this full ID number, found by its keyed hash (no row is
/// decrypted).
pub async fn find_by_id_number(
    db: impl Executor<'_>,
    keys: &Keys,
    id_number: &str,
) -> Result<Option<PersonId>, sqlx::Error> {
    let found = store::identity_by_hash(db, &store::id_number_hash(keys, id_number)).await?;
    Ok(found.map(|identity| identity.person_id))
}

/// The person's registered identity as shown (name opened, numbers masked); `None` when the
/// person is not registered.
pub async fn identity_of(
    db: impl Executor<'_>,
    keys: &Keys,
    person_id: &PersonId,
) -> Result<Option<IdentityView>, sqlx::Error> {
    Ok(store::identity(db, person_id)
        .await?
        .map(|identity| identity.view(keys)))
}

/// The person's enrolled face; `None` when the person is not registered or the sealed face
/// does not open.
pub async fn face_of(
    db: impl Executor<'_>,
    keys: &Keys,
    person_id: &PersonId,
) -> Result<Option<Descriptor>, sqlx::Error> {
    Ok(store::identity(db, person_id)
        .await?
        .and_then(|identity| identity.face(keys)))
}

/// Refuses a face-checked act (employment acceptance, check-in, portrait replacement) while
/// the person's registration is held for review (`person.registration_held`).
pub async fn require_active(db: impl Executor<'_>, person_id: &PersonId) -> crate::platform::error::ApiResult<()> {
    match store::identity(db, person_id).await? {
        Some(identity) if identity.is_held() => Err(one_face::held()),
        _ => Ok(()),
    }
}
