//! Sign-in endpoints: staff, enterprise and training-institution passwords, WeChat mini-program login, token refresh
//! and sign-out, password change, and the enterprise's SMS password reset.

pub mod reset;

use crate::openapi::register::routes;
use axum::{extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::signin::{change_own_password, sign_in};
use super::store::{self, Rotation, TokenPair};
use super::tokens::Subject;
use super::wechat::WechatError;
use super::{AccountKind, AnyCaller, Channel, Role, Scope};
use crate::audit::Act;
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::types::{CreditCode, NewPassword, Text};
use crate::platform::web::{ClientAddress, Json};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(staff_login))
        .routes(routes!(enterprise_login))
        .routes(routes!(training_login))
        .routes(routes!(wechat_login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(reset::request_password_reset))
        .routes(routes!(reset::confirm_password_reset))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffLogin {
    #[schema(value_type = String)]
    pub username: Text<100>,
    pub password: String,
    /// A new password replacing `password` in this sign-in. Required when the password was set
    /// by an administrator (at the account's creation or by a reset): such a password has
    /// expired, and the sign-in without one answers 403 `auth.password_expired`. 8–128
    /// characters with letters and digits, different from `password`.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    pub new_password: Option<NewPassword>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseLogin {
    /// 统一社会信用代码 (18 characters, GB 32100 check character).
    #[schema(value_type = String, example = "91350100M000100Y43")]
    pub credit_code: CreditCode,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WechatLogin {
    /// The code from `wx.login()`.
    pub code: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// The common path of the password sign-ins: the shared password step, then a token session
/// in the act's transaction.
async fn password_sign_in(
    state: &AppState,
    act: &Act,
    address: &str,
    kind: AccountKind,
    identifier: &str,
    password: String,
    new_password: Option<&NewPassword>,
) -> ApiResult<TokenPair> {
    let verified = sign_in(
        state,
        act,
        address,
        kind,
        identifier,
        password,
        new_password,
        Channel::Web,
    )
    .await?;
    let mut tx = act.begin().await?;
    verified.record(&mut tx, state).await?;
    let pair = store::start_session(&mut *tx, &state.tokens, &verified.subject, state.clock.now_ms()).await?;
    act.commit(tx, verified.target).await?;
    Ok(pair)
}

/// Staff sign-in with username and password. A password an administrator set has expired: the
/// first sign-in with it gives `new_password` (403 `auth.password_expired` without one).
#[utoipa::path(post, path = "/auth/staff/login", tag = "auth", request_body = StaffLogin,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn staff_login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    act: Act,
    Json(body): Json<StaffLogin>,
) -> ApiResult<Json<TokenPair>> {
    let username = body.username.as_str().to_lowercase();
    let new_password = body.new_password.as_ref();
    password_sign_in(
        &state,
        &act,
        &address,
        AccountKind::Staff,
        &username,
        body.password,
        new_password,
    )
    .await
    .map(Json)
}

/// Training-institution sign-in (培训机构) with the username city staff gave it and its password;
/// the same body as staff sign-in.
#[utoipa::path(post, path = "/auth/training/login", tag = "auth", request_body = StaffLogin,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn training_login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    act: Act,
    Json(body): Json<StaffLogin>,
) -> ApiResult<Json<TokenPair>> {
    let username = body.username.as_str().to_lowercase();
    let new_password = body.new_password.as_ref();
    password_sign_in(
        &state,
        &act,
        &address,
        AccountKind::Training,
        &username,
        body.password,
        new_password,
    )
    .await
    .map(Json)
}

/// Enterprise sign-in with the unified social credit code and password.
#[utoipa::path(post, path = "/auth/enterprise/login", tag = "auth", request_body = EnterpriseLogin,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn enterprise_login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    act: Act,
    Json(body): Json<EnterpriseLogin>,
) -> ApiResult<Json<TokenPair>> {
    let code = body.credit_code.as_str();
    password_sign_in(
        &state,
        &act,
        &address,
        AccountKind::Enterprise,
        code,
        body.password,
        None,
    )
    .await
    .map(Json)
}

/// WeChat mini-program login: exchanges the `wx.login()` code for the user's openid. The first
/// login creates an unregistered person bound to that openid.
#[utoipa::path(post, path = "/auth/wechat/login", tag = "auth", request_body = WechatLogin,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem), (status = 503, body = Problem)))]
async fn wechat_login(
    State(state): State<AppState>,
    act: Act,
    Json(body): Json<WechatLogin>,
) -> ApiResult<Json<TokenPair>> {
    let code = body.code.trim();
    if code.is_empty() || code.len() > 128 {
        let mut invalid = crate::platform::error::Invalid::default();
        invalid.field(
            "code",
            "wechat.code_format",
            "登录凭证 code 无效",
            "The login code is empty or too long",
        );
        invalid.finish()?;
    }
    let session = state.wechat.code_to_session(code).await.map_err(wechat_error)?;
    let mut tx = act.begin().await?;
    let person_id = state
        .accounts
        .people
        .find_or_create_by_openid(&mut tx, &session.openid, state.clock.now_ms())
        .await?;
    act.set_actor("person", &person_id, Role::Person.as_str());
    let target = format!("person:{person_id}");
    let subject = Subject {
        account_id: person_id.to_string(),
        role: Role::Person,
        scope: Scope::Person(person_id),
        channel: Channel::MiniProgram,
    };
    let pair = store::start_session(&mut *tx, &state.tokens, &subject, state.clock.now_ms()).await?;
    act.commit(tx, target).await?;
    Ok(Json(pair))
}

fn wechat_error(error: WechatError) -> ApiError {
    match error {
        WechatError::InvalidCode => {
            let mut e = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth.wechat_code_invalid",
                "微信登录凭证无效或已使用，请重新登录",
                "The WeChat login code is invalid or used; call wx.login() again",
            );
            e.authenticate = Some("Bearer realm=\"zhujian\"".into());
            e
        }
        WechatError::RateLimited => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "auth.wechat_rate_limited",
            "登录过于频繁，请稍后再试",
            "Too many logins; try again shortly",
        )
        .retry_after(60),
        WechatError::Blocked => ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.wechat_blocked",
            "微信风控拦截了此用户的登录",
            "WeChat's risk control refused this user",
        ),
        WechatError::NotConfigured => ApiError::unavailable(
            "auth.wechat_not_configured",
            "服务器未配置微信小程序登录",
            "WeChat login is not configured on this server",
        ),
        WechatError::Unavailable(reason) => {
            tracing::warn!(%reason, "WeChat code2Session failed");
            ApiError::unavailable(
                "upstream.wechat_unavailable",
                "微信服务暂时不可用，请稍后重试",
                "WeChat is unavailable; try again shortly",
            )
        }
    }
}

/// Exchanges a refresh token for a new pair. Each refresh token works once; presenting a spent
/// one revokes every token of that sign-in.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem)))]
async fn refresh(
    State(state): State<AppState>,
    act: Act,
    Json(body): Json<RefreshRequest>,
) -> ApiResult<Json<TokenPair>> {
    let now = state.clock.now_ms();
    let mut tx = act.begin().await?;
    match store::rotate(&mut tx, &state.tokens, &state.accounts, body.refresh_token.trim(), now).await? {
        Rotation::Issued { pair, subject } => {
            let kind = subject.role.account_kind().as_str();
            act.set_actor(kind, &subject.account_id, subject.role.as_str());
            act.commit(tx, format!("{kind}:{}", subject.account_id)).await?;
            Ok(Json(pair))
        }
        Rotation::Refused { error, revoke_family } => {
            drop(tx);
            if let Some(family) = revoke_family {
                // The family ends although the request is refused: its own transaction.
                store::revoke_family(&state.db, &family, now).await?;
                state.ended_sessions.read_soon();
            }
            Err(error)
        }
    }
}

/// Signs out: revokes the refresh token and every token rotated from the same sign-in.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "Signed out (also when the token was unknown)")))]
async fn logout(State(state): State<AppState>, act: Act, Json(body): Json<RefreshRequest>) -> ApiResult<StatusCode> {
    let mut tx = act.begin().await?;
    let target = match store::revoke_by_token(&mut tx, body.refresh_token.trim(), state.clock.now_ms()).await? {
        Some((kind, account_id)) => {
            act.set_actor(&kind, &account_id, &kind);
            format!("{kind}:{account_id}")
        }
        None => "refresh_token:unknown".to_owned(),
    };
    act.commit(tx, target).await?;
    state.ended_sessions.read_soon();
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub account_id: String,
    pub role: Role,
    /// `person:<id>`, `enterprise:<id>`, `district:<code>`, `city` or `training:<id>`.
    pub scope: String,
    pub channel: Channel,
}

/// Who the access token belongs to.
#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(AnyCaller(caller): AnyCaller) -> Json<Me> {
    Json(Me {
        account_id: caller.account_id,
        role: caller.role,
        scope: caller.scope.encode(),
        channel: caller.channel,
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// 8–128 characters with letters and digits.
    #[schema(value_type = String)]
    pub new_password: NewPassword,
}

/// Changes the caller's own password (staff, enterprises and training institutions) and signs
/// out every session.
#[utoipa::path(post, path = "/auth/password", tag = "auth", request_body = ChangePassword, security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn change_password(
    State(state): State<AppState>,
    AnyCaller(caller): AnyCaller,
    act: Act,
    Json(body): Json<ChangePassword>,
) -> ApiResult<StatusCode> {
    change_own_password(&state, &caller, &act, body.current_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
