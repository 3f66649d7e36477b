//! Check-in (打卡) from the mini-program: each selected person, inside the window, at the
//! enterprise's registered address, with a face check. Every attempt is kept.

use crate::openapi::register::routes;
use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::rules::check_in::{judge, FaceMatch, Judgement, Limits, Refusal};
use super::rules::TaskState;
use super::store::{self, Attempt, AttemptView, TaskRow};
use crate::audit::Act;
use crate::auth::{Caller, Channel, Role};
use crate::challenges::{self, Challenge};
use crate::people::FaceChoice;
use crate::photos::{self, Flow, Received};
use crate::platform::db::{is_unique_violation, Conn};
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::{ChallengeId, CheckInAttemptId, DocumentId, PersonId, VerificationTaskId};
use crate::platform::types::{CoordinateSystem, Coordinates, Date};
use crate::platform::web::Json;
use crate::state::AppState;

mod facts;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(check_in_challenge))
        .routes(routes!(check_in))
        .routes(routes!(list_attempts))
}

const CHALLENGE_PURPOSE: &str = "verification.check_in";

fn refused(status: StatusCode, code: &'static str, zh: String, en: String) -> ApiError {
    ApiError::new(status, code, zh, en)
}

/// The task for a selected person: 404 when unrelated to them, `not_selected` when they work
/// for the enterprise but were not selected.
async fn person_task(state: &AppState, caller: &Caller, id: &VerificationTaskId) -> ApiResult<(TaskRow, PersonId)> {
    caller.require(&[Role::Person])?;
    if caller.channel != Channel::MiniProgram {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "verification.mini_program_only",
            "请在小程序中打卡",
            "Check in from the mini-program",
        ));
    }
    let person = caller.person_id().cloned().ok_or_else(ApiError::forbidden_role)?;
    let not_found = || ApiError::not_found("核查任务", "Verification task");
    let task = store::task_for_person(&state.db, id).await?.ok_or_else(not_found)?;
    if !store::is_selected(&state.db, &task, &person).await? {
        let employer = crate::employment::employer_of(&state.db, &person).await?;
        if employer.is_some_and(|e| e == task.enterprise_id) {
            let attempt = Attempt {
                outcome: "refused",
                reason: Some("verification.not_selected".into()),
                ..Default::default()
            };
            record_refused(state, &task, &person, &attempt).await?;
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "verification.not_selected",
                "您不在本次核查的打卡人员名单中",
                "You are not among this task's check-in personnel",
            ));
        }
        return Err(not_found());
    }
    Ok((task, person))
}

/// Records a refused attempt. Every attempt is kept, refused or not: committed on its own,
/// since the request is then refused.
async fn record_refused(state: &AppState, task: &TaskRow, person: &PersonId, attempt: &Attempt) -> ApiResult<()> {
    let mut tx = crate::platform::db::begin_write(&state.db, state.engine).await?;
    store::record_attempt(&mut *tx, task, person, attempt, state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the window is open today (China).
fn window_open(state: &AppState, task: &TaskRow) -> bool {
    let today = Date::today_in_china(state.clock.now_ms());
    task.state().takes_check_ins()
        && task
            .window_end
            .as_deref()
            .and_then(|d| Date::parse(d).ok())
            .is_some_and(|end| today <= end)
}

fn outside_window() -> ApiError {
    refused(
        StatusCode::UNPROCESSABLE_ENTITY,
        "verification.outside_window",
        "不在打卡时间内".into(),
        "Check-in is not open for this task now".into(),
    )
}

/// A single-use challenge for one check-in; take the selfie after asking for it. With
/// `liveness.check_in` (the default) it is a liveness challenge: one photo per pose it names.
#[utoipa::path(post, path = "/verification/tasks/{id}/check-in/challenge", tag = "verification", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 201, body = Challenge), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn check_in_challenge(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<VerificationTaskId>,
) -> ApiResult<(StatusCode, Json<Challenge>)> {
    let (task, person) = person_task(&state, &caller, &id).await?;
    if !window_open(&state, &task) {
        return Err(outside_window());
    }
    crate::people::require_active(&state.db, &person).await?;
    crate::people::require_level(&state, &person, state.settings.identity.min_level_check_in).await?;
    let mut tx = act.begin().await?;
    let challenge = challenges::issue(
        &mut *tx,
        state.clock.now_ms(),
        &person,
        CHALLENGE_PURPOSE,
        &id,
        state.settings.check_in.challenge_ttl_secs,
        state.settings.liveness.check_in,
    )
    .await?;
    act.commit(tx, format!("verification_task:{id}")).await?;
    Ok((StatusCode::CREATED, Json(challenge)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInBody {
    #[schema(value_type = String)]
    pub challenge_id: ChallengeId,
    /// A selfie (purpose `selfie`) taken after the challenge was issued: for a liveness
    /// challenge, the photo of its first pose (`front`). Or else `verify_id`, as
    /// `identity.face_methods` allows.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    pub selfie_document_id: Option<DocumentId>,
    /// With a selfie, for a liveness challenge, the photos of its further poses, in order
    /// (purpose `selfie`, each uploaded after the challenge was issued); empty otherwise.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub liveness_document_ids: Vec<DocumentId>,
    /// A WeChat face verification completed for this task (`POST /people/me/wechat-face` with
    /// purpose `check_in`); WeChat checks liveness itself.
    #[serde(default)]
    pub verify_id: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    /// wgs84 (wx.getLocation's default) or gcj02.
    pub system: CoordinateSystem,
    /// The accuracy the client reports, in metres.
    pub accuracy_m: f64,
    /// Whatever mock-location flag the client has.
    #[serde(default)]
    pub mock_location: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CheckInResult {
    pub attempt: AttemptView,
    /// The task's state after this check-in (passed once everyone has checked in).
    pub task_state: TaskState,
}

/// Checks in: the person's identity must be established at `identity.min_level_check_in` at
/// least; the challenge is spent; the position (converted to WGS-84) must lie in the site's
/// fence with acceptable accuracy; the selfie must not repeat any earlier photo of any flow
/// (`photo.reused`) and must match the enrolled face, or the WeChat face verification
/// completed for this task must pass. A repeated position, a mock location or
/// an impossible speed since the person's previous check-in flag the attempt for staff review:
/// it holds the person's place but counts only once staff confirm it.
#[utoipa::path(post, path = "/verification/tasks/{id}/check-in", tag = "verification", params(("id" = String, Path)),
    request_body = CheckInBody, security(("bearer" = [])),
    responses((status = 201, body = CheckInResult), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn check_in(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<VerificationTaskId>,
    Json(body): Json<CheckInBody>,
) -> ApiResult<(StatusCode, Json<CheckInResult>)> {
    let (task, person) = person_task(&state, &caller, &id).await?;
    act.set_target(format!("verification_task:{id}"));
    let position = Coordinates::new(body.latitude, body.longitude, body.system).map_err(|e| {
        let mut invalid = crate::platform::error::Invalid::default();
        invalid.reject("latitude", e);
        invalid.finish().unwrap_err()
    })?;
    let mut attempt = Attempt {
        outcome: "refused",
        position: Some(position),
        accuracy_m: Some(body.accuracy_m),
        mock_location: body.mock_location,
        // Set once the selfie was read: a refusal before keeps no reference to a document
        // that may not exist.
        selfie_document_id: None,
        ..Default::default()
    };
    let decided = decide(&state, &caller, &task, &person, &body, &mut attempt).await;
    let photos = match decided {
        Ok(photos) => photos,
        Err(error) => return Err(refuse(&state, &task, &person, attempt, error).await),
    };
    write(&state, act, &task, &person, attempt, &photos).await
}

/// Keeps a refused attempt with the refusal's code and answers with the refusal.
async fn refuse(
    state: &AppState,
    task: &TaskRow,
    person: &PersonId,
    mut attempt: Attempt,
    error: ApiError,
) -> ApiError {
    attempt.outcome = "refused";
    attempt.flags.clear();
    attempt.reason = Some(error.code.to_owned());
    match record_refused(state, task, person, &attempt).await {
        Ok(()) => error,
        Err(failed) => failed,
    }
}

/// Writes an accepted (or flagged) check-in in one transaction with its audit event: the
/// photos (the selfie, and any liveness frames) enter the registry, the attempt is kept, and the task passes if it was the last one
/// missing. A concurrent check-in may still win the photo or the round; this one is then
/// kept as refused.
async fn write(
    state: &AppState,
    act: Act,
    task: &TaskRow,
    person: &PersonId,
    attempt: Attempt,
    photos: &[(Received, DocumentId)],
) -> ApiResult<(StatusCode, Json<CheckInResult>)> {
    let now = state.clock.now_ms();
    let mut tx = act.begin().await?;
    store::hold_task(&mut *tx, &task.id).await?;
    for (photo, document) in photos {
        if let Err(error) = photos::record(&mut tx, state, photo, person, document).await {
            drop(tx);
            return Err(refuse(state, task, person, attempt, error).await);
        }
    }
    let attempt_id = match store::record_attempt(&mut *tx, task, person, &attempt, now).await {
        // A concurrent check-in of the same person won (the database allows one per round).
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            return Err(refuse(state, task, person, attempt, refusal(Refusal::AlreadyCheckedIn)).await);
        }
        recorded => recorded?,
    };
    store::pass_if_complete(&mut tx, task, now).await?;
    let (attempt, task_state) = attempt_and_task_state(&mut tx, &task.id, &attempt_id).await?;
    act.commit(tx, format!("verification_task:{}", task.id)).await?;
    Ok((StatusCode::CREATED, Json(CheckInResult { attempt, task_state })))
}

/// An attempt and its task's state as `conn` (the deciding transaction) sees them.
pub(super) async fn attempt_and_task_state(
    conn: &mut Conn,
    task: &VerificationTaskId,
    id: &CheckInAttemptId,
) -> ApiResult<(AttemptView, TaskState)> {
    let task_state = store::task_for_person(&mut *conn, task)
        .await?
        .ok_or_else(|| ApiError::internal("the task vanished"))?
        .state();
    let attempt = store::attempt(&mut *conn, id)
        .await?
        .ok_or_else(|| ApiError::internal("the check-in vanished"))?;
    Ok((attempt, task_state))
}

/// Loads the facts, lets the rule decide, compares the face only when the rule asks for it
/// (everything cheaper has passed; a liveness challenge's frames are judged then too), and
/// records in `attempt` what was measured. Returns the fingerprinted photos of an accepted
/// check-in, the selfie first (none with a WeChat face verification); the outcome and flags
/// are set in `attempt`.
async fn decide(
    state: &AppState,
    caller: &Caller,
    task: &TaskRow,
    person: &PersonId,
    body: &CheckInBody,
    attempt: &mut Attempt,
) -> ApiResult<Vec<(Received, DocumentId)>> {
    crate::people::require_level(state, person, state.settings.identity.min_level_check_in).await?;
    let methods = state.settings.identity.face_methods;
    let evidence = crate::people::choose_face(methods, body.selfie_document_id.as_ref(), body.verify_id.as_deref())?;
    let settings = &state.settings.check_in;
    let limits = Limits {
        max_accuracy_m: settings.max_accuracy_m,
        max_speed_kmh: settings.max_speed_kmh,
    };
    let position = attempt
        .position
        .ok_or_else(|| ApiError::internal("an attempt without its position"))?;
    let selfie = match evidence {
        FaceChoice::Selfie(id) => Some(id),
        FaceChoice::Wechat(_) => None,
    };
    let loaded = facts::load(state, caller, task, person, body, selfie, position).await?;
    attempt.selfie_document_id = selfie.cloned();
    let mut facts = loaded.facts;
    attempt.distance_m = facts.placement.map(|p| p.distance_m);
    attempt.selfie_hash = loaded.photo.as_ref().map(|p| p.selfie.hash);
    let mut photos = Vec::new();
    if judge(&facts, &limits) == Judgement::NeedsFace {
        let verdict = match (loaded.photo, &evidence) {
            (Some(photo), _) => {
                let (verdict, frames) =
                    crate::liveness::match_enrolled(state, person, &photo.frames, &photo.selfie, photo.image).await?;
                attempt.face_distance = Some(f64::from(verdict.distance));
                let selfie = (photo.selfie, photo.frames.documents[0].clone());
                photos = std::iter::once(selfie).chain(frames).collect();
                verdict
            }
            // WeChat measures no distance: none is recorded; a failure is refused as WeChat's.
            (None, FaceChoice::Wechat(verify_id)) => {
                let purpose = crate::people::WechatPurpose::CheckIn;
                crate::people::check_wechat_face(state, person, verify_id, purpose, &task.id).await?
            }
            (None, FaceChoice::Selfie(_)) => return Err(ApiError::internal("a selfie check-in without its image")),
        };
        facts.face = Some(FaceMatch {
            matched: verdict.matched,
            distance: verdict.distance,
        });
    }
    match judge(&facts, &limits) {
        Judgement::Accepted { flags } => {
            attempt.outcome = if flags.is_empty() { "accepted" } else { "flagged" };
            attempt.flags = flags;
            Ok(photos)
        }
        Judgement::Refused(r) => Err(refusal(r)),
        Judgement::NeedsFace => Err(ApiError::internal("the face was compared but not judged")),
    }
}

/// The answer to each refusal of the rule.
fn refusal(r: Refusal) -> ApiError {
    let unprocessable = |code, zh: String, en: String| refused(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en);
    match r {
        Refusal::OutsideWindow => outside_window(),
        Refusal::NotEmployed => ApiError::conflict(
            "check_in.not_employed",
            "您已不在该企业任职，不能为其打卡",
            "You no longer work for this enterprise, so you cannot check in for it",
        ),
        Refusal::AlreadyCheckedIn => ApiError::conflict(
            "verification.already_checked_in",
            "您已完成本次打卡",
            "You have already checked in for this task",
        ),
        Refusal::SiteMissing => ApiError::conflict(
            "verification.site_missing",
            "企业尚未登记注册地址坐标，无法打卡",
            "The enterprise's site has no coordinates; check-in is not possible",
        ),
        Refusal::AccuracyInvalid => unprocessable(
            "check_in.accuracy_invalid",
            "定位精度数据无效，请重新定位".into(),
            "The reported location accuracy must be a positive number of metres; locate again".into(),
        ),
        Refusal::PoorAccuracy { accuracy_m, max_m } => unprocessable(
            "check_in.poor_accuracy",
            format!("定位精度 {accuracy_m:.0} 米不足（要求 {max_m:.0} 米以内），请到开阔处重新定位"),
            format!("Location accuracy {accuracy_m:.0} m is too poor (at most {max_m:.0} m); try again in the open"),
        ),
        Refusal::Outside { distance_m } => unprocessable(
            "check_in.outside",
            format!("您距企业注册地址 {distance_m:.0} 米，不在打卡范围内"),
            format!("You are {distance_m:.0} m from the enterprise's registered address, outside the check-in area"),
        ),
        Refusal::ReusedPhoto { earlier } => photos::reused(Flow::CheckInSelfie, earlier),
        Refusal::FaceMismatch { distance } => crate::people::mismatch(distance),
    }
}

/// The task's check-in attempts: a person sees their own; the enterprise and staff in
/// jurisdiction see all, with the flagged ones marked.
#[utoipa::path(get, path = "/verification/tasks/{id}/check-ins", tag = "verification", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<AttemptView>), (status = 404, body = Problem)))]
async fn list_attempts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<VerificationTaskId>,
) -> ApiResult<Json<Vec<AttemptView>>> {
    if caller.role == Role::Person {
        let (task, person) = person_task(&state, &caller, &id).await?;
        return Ok(Json(
            store::attempts(&mut *state.db.acquire().await?, &task.id, Some(&person)).await?,
        ));
    }
    Ok(Json(attempts_of_task(&state, &caller, &id).await?))
}

/// Every attempt of a task within the caller's scope (staff, the enterprise), in order; also
/// the console's progress page.
pub async fn attempts_of_task(
    state: &AppState,
    caller: &Caller,
    id: &VerificationTaskId,
) -> ApiResult<Vec<AttemptView>> {
    let task = super::routes::visible(&state.db, caller, id).await?;
    Ok(store::attempts(&mut *state.db.acquire().await?, &task.id, None).await?)
}
