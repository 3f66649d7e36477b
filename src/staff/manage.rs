//! What a manager does to another staff account within their jurisdiction
//! (`rules::may_manage`): disable it, enable it again, lift a sign-in lock, set a new password.
//! Each is one act with its audit event; the console's accounts page calls the same functions.

use crate::openapi::register::routes;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::{rules, store, STAFF_ROLES};
use crate::audit::Act;
use crate::auth::signin::set_password;
use crate::auth::store::revoke_account;
use crate::auth::{passwords, throttle, AccountKind, Bounds, Caller, Role};
use crate::platform::db::Tx;
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::StaffId;
use crate::platform::types::NewPassword;
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(disable_staff))
        .routes(routes!(enable_staff))
        .routes(routes!(unlock_staff))
        .routes(routes!(reset_staff_password))
}

/// Disables a staff account within the caller's jurisdiction (one they could create, never
/// their own): it can no longer sign in, and every session of it ends.
#[utoipa::path(post, path = "/staff/{id}/disable", tag = "staff", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = store::StaffView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn disable_staff(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<StaffId>,
) -> ApiResult<Json<store::StaffView>> {
    Ok(Json(disable(&state, &caller, &act, &id).await?))
}

/// Enables a disabled staff account again (the same jurisdiction as disabling); its old
/// sessions stay ended, so it signs in afresh.
#[utoipa::path(post, path = "/staff/{id}/enable", tag = "staff", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = store::StaffView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn enable_staff(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<StaffId>,
) -> ApiResult<Json<store::StaffView>> {
    Ok(Json(enable(&state, &caller, &act, &id).await?))
}

/// Lifts the sign-in lock that too many wrong passwords put on a staff account (its count of
/// failures starts afresh); the password stays as it is.
#[utoipa::path(post, path = "/staff/{id}/unlock", tag = "staff", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = store::StaffView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn unlock_staff(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<StaffId>,
) -> ApiResult<Json<store::StaffView>> {
    Ok(Json(unlock(&state, &caller, &act, &id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// The new password, to be handed to the account's holder: 8–128 characters with letters
    /// and digits.
    #[schema(value_type = String)]
    pub new_password: NewPassword,
}

/// Sets a new password on a staff account that forgot theirs (staff have no SMS reset): every
/// session of the account ends and its sign-in lock is lifted.
#[utoipa::path(post, path = "/staff/{id}/password", tag = "staff", params(("id" = String, Path)), request_body = ResetPassword, security(("bearer" = [])),
    responses((status = 200, body = store::StaffView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reset_staff_password(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<StaffId>,
    Json(body): Json<ResetPassword>,
) -> ApiResult<Json<store::StaffView>> {
    Ok(Json(
        reset_password(&state, &caller, &act, &id, &body.new_password).await?,
    ))
}

/// Disables an account and ends its sessions, in `act`.
pub async fn disable(state: &AppState, caller: &Caller, act: &Act, id: &StaffId) -> ApiResult<store::StaffView> {
    let target = managed(state, caller, act, id).await?;
    let now = state.clock.now_ms();
    let mut tx = act.begin().await?;
    if store::disable(&mut *tx, id, now).await? {
        revoke_account(&mut tx, AccountKind::Staff, id.as_str(), now).await?;
    }
    finish(state, act, tx, &target).await
}

/// Enables a disabled account, in `act`.
pub async fn enable(state: &AppState, caller: &Caller, act: &Act, id: &StaffId) -> ApiResult<store::StaffView> {
    let target = managed(state, caller, act, id).await?;
    let mut tx = act.begin().await?;
    store::enable(&mut *tx, id, state.clock.now_ms()).await?;
    finish(state, act, tx, &target).await
}

/// Lifts the account's sign-in lock, in `act`.
pub async fn unlock(state: &AppState, caller: &Caller, act: &Act, id: &StaffId) -> ApiResult<store::StaffView> {
    let target = managed(state, caller, act, id).await?;
    let mut tx = act.begin().await?;
    throttle::clear(&mut *tx, &throttle::account_key(AccountKind::Staff, &target.username)).await?;
    finish(state, act, tx, &target).await
}

/// Sets the account's password, expired so that its owner must choose a new one at the next
/// sign-in; ends its sessions and lifts its lock, in `act`.
pub async fn reset_password(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &StaffId,
    new_password: &NewPassword,
) -> ApiResult<store::StaffView> {
    let target = managed(state, caller, act, id).await?;
    let hash = passwords::hash(new_password.expose().to_owned()).await?;
    let mut tx = act.begin().await?;
    let now = state.clock.now_ms();
    set_password(
        &mut tx,
        &state.accounts,
        AccountKind::Staff,
        id.as_str(),
        &hash,
        None,
        now,
    )
    .await?;
    store::expire_password(&mut *tx, id, now).await?;
    throttle::clear(&mut *tx, &throttle::account_key(AccountKind::Staff, &target.username)).await?;
    finish(state, act, tx, &target).await
}

/// The account `id` if the caller may manage it, named as the act's target; 404 outside the
/// caller's jurisdiction, the rule's refusal inside it.
async fn managed(state: &AppState, caller: &Caller, act: &Act, id: &StaffId) -> ApiResult<store::StaffView> {
    caller.require(STAFF_ROLES)?;
    act.set_target(format!("staff:{id}"));
    let target = store::get(&state.db, id, &caller.bounds(), state.clock.now_ms())
        .await?
        .ok_or_else(|| ApiError::not_found("工作人员账号", "Staff account"))?;
    let role = Role::parse(&target.role).ok_or_else(|| ApiError::internal("stored staff role is unknown"))?;
    let own = caller.account_id == id.as_str();
    rules::may_manage(
        caller.role,
        caller.district(),
        own,
        role,
        target.district_code.as_deref(),
    )
    .map_err(rules::ManageRule::into_error)?;
    Ok(target)
}

/// The account as the change left it; commits the act and lets every instance see ended
/// sessions at once.
async fn finish(
    state: &AppState,
    act: &Act,
    mut tx: Tx<'static>,
    target: &store::StaffView,
) -> ApiResult<store::StaffView> {
    let view = store::get(&mut *tx, &target.id, &Bounds::City, state.clock.now_ms())
        .await?
        .ok_or_else(|| ApiError::internal("managed staff vanished"))?;
    act.commit(tx, format!("staff:{}", target.id)).await?;
    state.ended_sessions.read_soon();
    Ok(view)
}
