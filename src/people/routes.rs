//! People: the signed-in person's profile, real-name registration (DOMAIN.md §1) with a face
//! match between the ID portrait and a live selfie, portrait replacement, and the city
//! station's look-up by ID number.

use crate::openapi::register::routes;
use axum::{extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::one_face;
use super::registration_liveness;
use super::store::{self, IdentityView, NewIdentity};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::documents::read_own_photo;
use crate::documents::rules::Purpose;
use crate::face::{self, Photo};
use crate::photos::{self, Flow, Received};
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{ChallengeId, DocumentId, PersonId};
use crate::platform::types::{IdNumber, Phone, Text};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_profile))
        .routes(routes!(register))
        .routes(routes!(super::registration_liveness::registration_challenge))
        .routes(routes!(replace_portrait))
        .routes(routes!(look_up))
        .merge(super::one_face::review::router())
}

/// The record a registration's photos are attached to.
const ATTACHED_TO: &str = "person_registration";

#[derive(Serialize, ToSchema)]
pub struct PersonProfile {
    #[schema(value_type = String)]
    pub id: PersonId,
    #[schema(value_type = PersonStatus)]
    pub status: String,
    pub created_at: i64,
    /// Present once registered (or held); ID number and phone masked.
    pub identity: Option<IdentityView>,
    /// How the identity was established; present once registered.
    pub assurance: Option<super::assurance::Assurance>,
    /// While held for review: what that means for the person.
    pub notice: Option<super::one_face::HeldNotice>,
}

/// Where a person's registration stands (documents `PersonProfile.status`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // documents the values of a text column
enum PersonStatus {
    Unregistered,
    /// The face matched another identity; city staff decide.
    HeldForReview,
    Registered,
    Disabled,
}

pub(super) fn person_id(caller: &Caller) -> ApiResult<&PersonId> {
    caller.require(&[Role::Person])?;
    caller.person_id().ok_or_else(ApiError::forbidden_role)
}

pub(crate) async fn profile(conn: &mut Conn, state: &AppState, id: &PersonId) -> ApiResult<PersonProfile> {
    let person = store::get(&mut *conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found("个人账号", "Person"))?;
    let identity = store::identity(&mut *conn, id).await?;
    let held = identity.as_ref().is_some_and(|i| i.is_held());
    let assurance = match identity {
        Some(_) => Some(super::assurance::assurance_of(&mut *conn, id).await?),
        None => None,
    };
    Ok(PersonProfile {
        id: person.id,
        status: if held { "held_for_review".into() } else { person.status },
        created_at: person.created_at,
        identity: identity.map(|i| i.view(&state.keys)),
        assurance,
        notice: held.then(super::one_face::held_notice),
    })
}

/// The signed-in person's profile.
#[utoipa::path(get, path = "/people/me", tag = "people", security(("bearer" = [])),
    responses((status = 200, body = PersonProfile), (status = 403, body = Problem)))]
async fn my_profile(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<PersonProfile>> {
    let id = person_id(&caller)?;
    profile(&mut *state.db.acquire().await?, &state, id).await.map(Json)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// 18-character resident ID number (GB 11643).
    #[schema(value_type = String, example = "11010519491231002X")]
    pub id_number: IdNumber,
    #[schema(value_type = String, example = "张三")]
    pub name: Text<50>,
    #[schema(value_type = String, example = "13812345678")]
    pub phone: Phone,
    /// A document of purpose `id_portrait` uploaded by this person.
    #[schema(value_type = String)]
    pub portrait_document_id: DocumentId,
    /// A document of purpose `selfie` uploaded by this person, taken live: with a liveness
    /// challenge, the photo of its first pose (`front`).
    #[schema(value_type = String)]
    pub selfie_document_id: DocumentId,
    /// A registration challenge (`POST /people/me/registration/challenge`), required where the
    /// deployment asks registration for liveness (`liveness.registration`).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub challenge_id: Option<ChallengeId>,
    /// For a liveness challenge, the photos of its further poses, in order; empty otherwise.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub liveness_document_ids: Vec<DocumentId>,
}

/// The caller's ID portrait and selfie, read for a face check.
async fn read_pair(
    state: &AppState,
    caller: &Caller,
    portrait: &DocumentId,
    selfie: &DocumentId,
) -> ApiResult<(bytes::Bytes, bytes::Bytes)> {
    let (_, portrait) = read_own_photo(state, caller, portrait, Purpose::IdPortrait, "portrait_document_id").await?;
    let (_, selfie) = read_own_photo(state, caller, selfie, Purpose::Selfie, "selfie_document_id").await?;
    Ok((portrait, selfie))
}

async fn enroll(state: &AppState, photo: bytes::Bytes, which: Photo) -> ApiResult<face::Descriptor> {
    state.face.enroll(photo).await.map_err(|e| face::problem(e, which))
}

/// Each photo is described once; the comparisons reuse the descriptors.
fn same_person(state: &AppState, a: &face::Descriptor, b: &face::Descriptor) -> ApiResult<()> {
    super::require_match(&super::faces::compare(state, a, b))
}

/// Fingerprints an ID portrait and a selfie sent together and refuses, before any face work,
/// a selfie that is the portrait itself (or nearly) and a photo that repeats an earlier one.
async fn fresh_pair(
    state: &AppState,
    person: &PersonId,
    portrait: &bytes::Bytes,
    selfie: &bytes::Bytes,
) -> ApiResult<(Received, Received)> {
    let portrait = photos::fingerprint(state, portrait, Flow::IdPortrait).await?;
    let selfie = photos::fingerprint(state, selfie, Flow::RegistrationSelfie).await?;
    if photos::alike(state, &portrait, &selfie) {
        let mut invalid = Invalid::default();
        invalid.field(
            "selfie_document_id",
            "person.selfie_is_portrait",
            "自拍照与证件照相同，请现场自拍本人照片",
            "The selfie is the ID portrait itself; take a live selfie of yourself",
        );
        invalid.finish()?;
    }
    photos::refuse_reuse(state, &portrait, person).await?;
    photos::refuse_reuse(state, &selfie, person).await?;
    Ok((portrait, selfie))
}

/// Records the pair in the act's transaction (checked once more there).
async fn record_pair(
    conn: &mut Conn,
    state: &AppState,
    person: &PersonId,
    (portrait, selfie): (&Received, &Received),
    (portrait_id, selfie_id): (&DocumentId, &DocumentId),
) -> ApiResult<()> {
    photos::record(&mut *conn, state, portrait, person, portrait_id).await?;
    photos::record(&mut *conn, state, selfie, person, selfie_id).await
}

/// Locks the photos to the registration so they cannot be deleted.
async fn lock(conn: &mut Conn, person: &PersonId, ids: [&DocumentId; 2]) -> ApiResult<()> {
    for id in ids {
        crate::documents::attach(&mut *conn, id, ATTACHED_TO, person).await?;
    }
    Ok(())
}

/// Unlocks replaced photos.
async fn unlock(conn: &mut Conn, person: &PersonId, ids: [&DocumentId; 2]) -> ApiResult<()> {
    for id in ids {
        crate::documents::release(&mut *conn, id, ATTACHED_TO, person).await?;
    }
    Ok(())
}

/// Real-name registration: the ID number (check character and birth date validated), name and
/// phone, with an ID portrait and a live selfie that must each show exactly one face, the
/// same one. The selfie must not be the portrait itself, and neither photo may repeat an
/// earlier one received in any flow (`photo.reused`). One identity, one account; one face,
/// one identity: a face that matches another enrolled identity is held for city staff's
/// review (202, status `held_for_review`, `notice.code` `person.registration_held`).
#[utoipa::path(post, path = "/people/me/registration", tag = "people", request_body = Registration, security(("bearer" = [])),
    responses((status = 200, body = PersonProfile), (status = 202, description = "Held for review", body = PersonProfile),
        (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn register(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<Registration>,
) -> ApiResult<(StatusCode, Json<PersonProfile>)> {
    let person = person_id(&caller)?;
    act.set_target(format!("person:{person}"));
    registration_liveness::not_registered_yet(&state, person).await?;
    let mut invalid = Invalid::default();
    let (year, month, day) = body.id_number.birth_date();
    let today = crate::platform::clock::civil_from_days(state.clock.now_ms().div_euclid(86_400_000));
    if (i64::from(year), month, day) > today {
        invalid.reject("id_number", crate::platform::types::ID_NUMBER_BIRTH_DATE);
    }
    invalid.finish()?;
    let taken = || {
        ApiError::conflict(
            "person.identity_taken",
            "该身份证号已被其他账号实名登记",
            "This ID number is registered to another account",
        )
    };
    let id_number_hash = store::id_number_hash(&state.keys, body.id_number.as_str());
    if store::identity_by_hash(&state.db, &id_number_hash).await?.is_some() {
        return Err(taken());
    }
    let (challenge, selfie_id) = (body.challenge_id.as_ref(), &body.selfie_document_id);
    let frames = registration_liveness::frames(
        &state,
        &caller,
        person,
        challenge,
        selfie_id,
        &body.liveness_document_ids,
    )
    .await?;
    let (portrait, selfie) = read_pair(&state, &caller, &body.portrait_document_id, &body.selfie_document_id).await?;
    let hashed = fresh_pair(&state, person, &portrait, &selfie).await?;
    let portrait_face = enroll(&state, portrait, Photo::Portrait).await?;
    let (selfie_face, further_frames) = match &frames {
        Some(frames) if frames.asks_liveness() => {
            let passed = crate::liveness::check_frames(&state, person, frames, Flow::RegistrationSelfie).await?;
            (passed.selfie, passed.others)
        }
        _ => (enroll(&state, selfie, Photo::Selfie).await?, Vec::new()),
    };
    same_person(&state, &portrait_face, &selfie_face)?;
    let new = NewIdentity {
        person_id: person,
        id_number: body.id_number.as_str(),
        id_number_hash: &id_number_hash,
        id_number_masked: &body.id_number.masked(),
        name: body.name.as_str(),
        phone: body.phone.as_str(),
        phone_masked: &body.phone.masked(),
        portrait_document_id: &body.portrait_document_id,
        selfie_document_id: &body.selfie_document_id,
        face: &face::mean(&portrait_face, &selfie_face),
        held: false,
    };
    let mut tx = act.begin().await?;
    let ids = (&body.portrait_document_id, &body.selfie_document_id);
    record_pair(&mut tx, &state, person, (&hashed.0, &hashed.1), ids).await?;
    for (frame, document) in &further_frames {
        photos::record(&mut tx, &state, frame, person, document).await?;
    }
    let (seq, matches) = one_face::search(&mut tx, &state, person, new.face).await?;
    let new = NewIdentity {
        held: !matches.is_empty(),
        ..new
    };
    store::register(&mut *tx, &state.keys, &new, state.clock.now_ms())
        .await
        .map_err(|e| {
            if crate::platform::db::is_unique_violation(&e) {
                taken()
            } else {
                e.into()
            }
        })?;
    one_face::store::mark(&mut *tx, person, seq).await?;
    if new.held {
        one_face::review::hold(&mut tx, &state, &new, &matches).await?;
    }
    let photos = [&body.portrait_document_id, &body.selfie_document_id];
    lock(&mut *tx, person, photos).await?;
    let profile = profile(&mut *tx, &state, person).await?;
    act.commit(tx, format!("person:{person}")).await?;
    let status = if new.held { StatusCode::ACCEPTED } else { StatusCode::OK };
    Ok((status, Json(profile)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortraitReplacement {
    /// The new ID portrait (purpose `id_portrait`).
    #[schema(value_type = String)]
    pub portrait_document_id: DocumentId,
    /// A fresh live selfie (purpose `selfie`) proving it is still you.
    #[schema(value_type = String)]
    pub selfie_document_id: DocumentId,
}

/// Replaces the ID portrait. The fresh selfie must match the enrolled face, and the new
/// portrait the selfie; the enrolled face is then rebuilt from the new pair. The selfie must
/// be new (it is recorded as a registration selfie); the portrait may be the person's own
/// earlier ID portrait again, nobody else's photo.
#[utoipa::path(put, path = "/people/me/portrait", tag = "people", request_body = PortraitReplacement, security(("bearer" = [])),
    responses((status = 200, body = PersonProfile), (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn replace_portrait(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<PortraitReplacement>,
) -> ApiResult<Json<PersonProfile>> {
    let person = person_id(&caller)?;
    act.set_target(format!("person:{person}"));
    let identity = store::identity(&state.db, person).await?.ok_or_else(|| {
        ApiError::conflict(
            "person.not_registered",
            "请先完成实名登记",
            "Complete the real-name registration first",
        )
    })?;
    if identity.is_held() {
        return Err(one_face::held());
    }
    let enrolled = identity
        .face(&state.keys)
        .ok_or_else(|| ApiError::internal("enrolled face does not open"))?;
    let (portrait, selfie) = read_pair(&state, &caller, &body.portrait_document_id, &body.selfie_document_id).await?;
    let hashed = fresh_pair(&state, person, &portrait, &selfie).await?;
    let selfie_face = enroll(&state, selfie, Photo::Selfie).await?;
    same_person(&state, &enrolled, &selfie_face)?;
    let portrait_face = enroll(&state, portrait, Photo::Portrait).await?;
    same_person(&state, &selfie_face, &portrait_face)?;
    let face = face::mean(&portrait_face, &selfie_face);
    let (portrait, selfie) = (&body.portrait_document_id, &body.selfie_document_id);
    let mut tx = act.begin().await?;
    record_pair(&mut tx, &state, person, (&hashed.0, &hashed.1), (portrait, selfie)).await?;
    // The enrolled face changes: every instance's index takes the new one.
    let seq = one_face::store::next_seq(&mut tx).await?;
    one_face::store::mark(&mut *tx, person, seq).await?;
    store::replace_portrait(
        &mut *tx,
        &state.keys,
        person,
        portrait,
        selfie,
        &face,
        state.clock.now_ms(),
    )
    .await?;
    let old = [&identity.portrait_document_id, &identity.selfie_document_id];
    unlock(&mut *tx, person, old).await?;
    lock(&mut *tx, person, [portrait, selfie]).await?;
    let profile = profile(&mut *tx, &state, person).await?;
    act.commit(tx, format!("person:{person}")).await?;
    Ok(Json(profile))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookUp {
    #[schema(value_type = String, example = "11010519491231002X")]
    pub id_number: IdNumber,
}

#[derive(Serialize, ToSchema)]
pub struct LookedUp {
    #[schema(value_type = String)]
    pub person_id: PersonId,
    /// registered | disabled
    pub status: String,
    pub identity: IdentityView,
}

/// The city station looks a person up by full ID number (sent in the body, so it never
/// appears in a URL or a log) and sees the registration status.
#[utoipa::path(post, path = "/people/lookup", tag = "people", request_body = LookUp, security(("bearer" = [])),
    responses((status = 200, body = LookedUp), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn look_up(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<LookUp>,
) -> ApiResult<Json<LookedUp>> {
    // City staff only: a system administrator administers accounts and looks nobody up.
    caller.require(&[Role::City])?;
    act.set_target("person-lookup");
    let identity = store::identity_by_hash(&state.db, &store::id_number_hash(&state.keys, body.id_number.as_str()))
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "person.not_registered",
                "该身份证号未完成实名登记",
                "No one is registered with this ID number",
            )
        })?;
    let person = store::get(&state.db, &identity.person_id)
        .await?
        .ok_or_else(|| ApiError::internal("identity without person"))?;
    // A look-up changes nothing, but who looked up whom is recorded with the act.
    act.commit(act.begin().await?, format!("person:{}", person.id)).await?;
    Ok(Json(LookedUp {
        person_id: person.id,
        status: person.status,
        identity: identity.view(&state.keys),
    }))
}
