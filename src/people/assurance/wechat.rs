//! WeChat face verification (人脸核身) for people: sessions issued for one purpose and object,
//! checked once, and the establishment of an identity by it (`wechat_verified`).
//!
//! `POST /people/me/wechat-face` calls `getverifyid` with the registered name and ID number and
//! the person's openid, and answers the `verify_id` for `wx.requestFacialVerify`. The session
//! is bound to the person, its purpose and the object acted on (a verification task, an
//! employment request; the person themself for `identity`), expires when WeChat says, and is
//! checked with `queryverifyinfo` once: passed or failed, it cannot be presented again.

use crate::openapi::register::routes;
use axum::{extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::{store, AssuranceLevel, WechatPurpose};
use crate::audit::Act;
use crate::auth::{Caller, Channel, Role};
use crate::face::wechat::{cert_hash, Session};
use crate::face::{self, Evidence, FaceError, Photo, Verdict};
use crate::people::routes::{profile, PersonProfile};
use crate::people::store as people;
use crate::platform::db::begin_write;
use crate::platform::error::{ApiError, ApiResult, Message, Problem};
use crate::platform::ids::{PersonId, WechatFaceSessionId};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(start)).routes(routes!(complete))
}

fn person_in_mini_program(caller: &Caller) -> ApiResult<&PersonId> {
    caller.require(&[Role::Person])?;
    if caller.channel != Channel::MiniProgram {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "wechat_face.mini_program_only",
            "微信人脸核身只能在小程序中进行",
            "WeChat face verification runs in the mini-program only",
        ));
    }
    caller.person_id().ok_or_else(ApiError::forbidden_role)
}

fn not_enabled() -> ApiError {
    ApiError::conflict(
        "wechat_face.not_enabled",
        "本系统未启用微信人脸核身",
        "WeChat face verification is not enabled here",
    )
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WechatFaceStart {
    pub purpose: WechatPurpose,
    /// The verification task (`check_in`) or employment request (`employment_accept`) the
    /// verification is for; none for `identity`.
    #[serde(default)]
    pub target_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WechatFaceSession {
    /// For `wx.requestFacialVerify({verifyId})`; then send it back with the act.
    pub verify_id: String,
    /// Unix milliseconds; complete the verification before then.
    pub expires_at: i64,
}

/// Starts a WeChat face verification of the signed-in, registered person for one purpose:
/// WeChat compares the live face with the national database's photo of the registered ID
/// number. Mini-program only, where the deployment has WeChat face verification.
#[utoipa::path(post, path = "/people/me/wechat-face", tag = "people", request_body = WechatFaceStart,
    security(("bearer" = [])),
    responses((status = 201, body = WechatFaceSession), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)))]
async fn start(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<WechatFaceStart>,
) -> ApiResult<(StatusCode, Json<WechatFaceSession>)> {
    let person = person_in_mini_program(&caller)?;
    act.set_target(format!("person:{person}"));
    if !state.settings.identity.face_methods.wechat() {
        return Err(not_enabled());
    }
    let target = match (body.purpose, body.target_id) {
        (WechatPurpose::Identity, None) => person.to_string(),
        (WechatPurpose::CheckIn | WechatPurpose::EmploymentAccept, Some(target)) if !target.is_empty() => target,
        (purpose, _) => {
            let mut invalid = crate::platform::error::Invalid::default();
            let (zh, en) = match purpose {
                WechatPurpose::Identity => ("身份核验不需要 target_id", "identity takes no target_id"),
                _ => (
                    "请给出核查任务或聘用请求的 id",
                    "name the verification task or employment request",
                ),
            };
            invalid.field("target_id", "wechat_face.target", zh, en);
            return Err(invalid.finish().unwrap_err());
        }
    };
    let (openid, name, id_number) = cert_info(&state, person).await?;
    let id = WechatFaceSessionId::new();
    let issued = state
        .wechat_face
        .get_verify_id(&out_seq_no(&id), &openid, &name, &id_number)
        .await
        .map_err(|e| face::problem(FaceError::Wechat(e), Photo::Selfie))?;
    let now = state.clock.now_ms();
    let expires_at = now + issued.expires_in_secs.max(0) * 1000;
    let new = store::NewSession {
        id: &id,
        person,
        purpose: body.purpose,
        target_id: &target,
        verify_id: &issued.verify_id,
        created_at: now,
        expires_at,
    };
    let mut tx = act.begin().await?;
    store::insert_session(&mut *tx, &new).await?;
    act.commit(tx, format!("person:{person}")).await?;
    Ok((
        StatusCode::CREATED,
        Json(WechatFaceSession {
            verify_id: issued.verify_id,
            expires_at,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WechatFaceCompletion {
    pub verify_id: String,
}

/// After `wx.requestFacialVerify` succeeded for an `identity` session: the server asks WeChat
/// for the result, and a pass makes the person `wechat_verified` (recorded with the verify_id).
#[utoipa::path(post, path = "/people/me/wechat-face/complete", tag = "people", request_body = WechatFaceCompletion,
    security(("bearer" = [])),
    responses((status = 200, body = PersonProfile), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)))]
async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<WechatFaceCompletion>,
) -> ApiResult<Json<PersonProfile>> {
    let person = person_in_mini_program(&caller)?;
    act.set_target(format!("person:{person}"));
    if !state.settings.identity.face_methods.wechat() {
        return Err(not_enabled());
    }
    check_wechat_face(&state, person, &body.verify_id, WechatPurpose::Identity, person).await?;
    let mut tx = act.begin().await?;
    let level = AssuranceLevel::WechatVerified;
    store::record(
        &mut *tx,
        person,
        level,
        None,
        Some(&body.verify_id),
        state.clock.now_ms(),
    )
    .await?;
    let profile = profile(&mut tx, &state, person).await?;
    act.commit(tx, format!("person:{person}")).await?;
    Ok(Json(profile))
}

/// WeChat's `out_seq_no` for a session: its id without hyphens (32 characters of [0-9a-f]).
fn out_seq_no(id: &WechatFaceSessionId) -> String {
    id.replace('-', "")
}

/// The person's openid, registered name and ID number, as WeChat's `cert_info` needs them.
async fn cert_info(state: &AppState, person: &PersonId) -> ApiResult<(String, String, String)> {
    let not_registered = || {
        ApiError::conflict(
            "person.not_registered",
            "请先完成实名登记",
            "Complete the real-name registration first",
        )
    };
    let identity = people::identity(&state.db, person).await?.ok_or_else(not_registered)?;
    let (openid, sealed) = store::openid_and_id_number(&state.db, person)
        .await?
        .ok_or_else(not_registered)?;
    let name = people::unseal_name(&state.keys, person, &identity.name_sealed);
    let id_number = state
        .keys
        .open(&people::context(person, "id_number"), &sealed)
        .and_then(|b| String::from_utf8(b).ok());
    match (name, id_number) {
        (Some(name), Some(id_number)) => Ok((openid, name, id_number)),
        _ => Err(ApiError::internal("a registered identity does not open")),
    }
}

fn refused(code: &'static str, zh: &'static str, en: &'static str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en).with_field("verify_id", code, Message::new(zh, en))
}

/// Checks the person's WeChat face verification session `verify_id` for `purpose` on `target`
/// with WeChat, once: refused when it is unknown, another person's or for another act or
/// object (`wechat_face.invalid`), already checked (`wechat_face.used`) or expired
/// (`wechat_face.expired`); a verdict other than a pass is `wechat_face.failed`. The verdict is
/// recorded on its own, so it stands even when the act is then refused. When WeChat cannot be
/// asked the session is given back for another try.
pub async fn check_wechat_face(
    state: &AppState,
    person: &PersonId,
    verify_id: &str,
    purpose: WechatPurpose,
    target: &str,
) -> ApiResult<Verdict> {
    let invalid = || {
        refused(
            "wechat_face.invalid",
            "该人脸核身不属于本次操作，请重新发起人脸核身",
            "This face verification is not for this act; start a new one",
        )
    };
    let used = || {
        refused(
            "wechat_face.used",
            "该人脸核身已使用过，请重新发起人脸核身",
            "This face verification was already used; start a new one",
        )
    };
    let row = store::session(&state.db, verify_id).await?.ok_or_else(invalid)?;
    if row.person_id != *person || row.purpose != purpose || row.target_id != target {
        return Err(invalid());
    }
    if row.state != "issued" {
        return Err(used());
    }
    let now = state.clock.now_ms();
    if row.expires_at <= now {
        return Err(refused(
            "wechat_face.expired",
            "人脸核身已过期，请重新发起人脸核身",
            "The face verification has expired; start a new one",
        ));
    }
    let (openid, name, id_number) = cert_info(state, person).await?;
    let enrolled = crate::people::face_of(&state.db, &state.keys, person)
        .await?
        .ok_or_else(|| ApiError::internal("no enrolled face opens for the person"))?;
    // Claimed on its own: a session is checked once, whatever the act then decides.
    let mut tx = begin_write(&state.db, state.engine).await?;
    let claimed = store::claim(&mut *tx, &row.id, now).await?;
    tx.commit().await?;
    if !claimed {
        return Err(used());
    }
    let session = Session {
        verify_id: row.verify_id.clone(),
        out_seq_no: out_seq_no(&row.id),
        openid,
        cert_hash: cert_hash(&name, &id_number),
    };
    let outcome = state.face.verify(&enrolled, Evidence::Wechat(session)).await;
    let mut tx = begin_write(&state.db, state.engine).await?;
    let now = state.clock.now_ms();
    match &outcome {
        Ok(_) => store::finish(&mut *tx, &row.id, true, crate::face::wechat::PASSED, now).await?,
        Err(FaceError::WechatFailed { verify_ret }) => {
            store::finish(&mut *tx, &row.id, false, *verify_ret, now).await?
        }
        Err(_) => store::release(&mut *tx, &row.id).await?,
    }
    tx.commit().await?;
    outcome.map_err(|e| face::problem(e, Photo::Selfie))
}
