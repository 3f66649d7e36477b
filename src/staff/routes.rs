//! Staff administration: create, list and read staff accounts within one's jurisdiction
//! (disabling, enabling, unlocking and new passwords are in `manage`).

use crate::openapi::register::routes;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::{rules, store, STAFF_ROLES};
use crate::audit::Act;
use crate::auth::{passwords, Bounds, Caller, Role};
use crate::platform::db::is_unique_violation;
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::StaffId;
use crate::platform::paging::Page;
use crate::platform::types::{DistrictCode, NewPassword, Text};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_staff, list_staff))
        .routes(routes!(get_staff))
        .merge(super::manage::router())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStaff {
    /// Sign-in name: 3–32 letters, digits, `.`, `_` or `-`; case-insensitive.
    pub username: String,
    #[schema(value_type = String)]
    pub display_name: Text,
    pub role: Role,
    /// Six-digit administrative division code; required for `district`.
    #[schema(value_type = Option<String>, example = "370102")]
    pub district_code: Option<DistrictCode>,
    /// Initial password: 8–128 characters with letters and digits.
    #[schema(value_type = String)]
    pub password: NewPassword,
}

fn valid_username(raw: &str) -> Option<String> {
    let name = raw.trim().to_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then_some(name)
}

/// Creates a staff account within the caller's jurisdiction.
#[utoipa::path(post, path = "/staff", tag = "staff", request_body = CreateStaff, security(("bearer" = [])),
    responses((status = 201, body = store::StaffView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_staff(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<CreateStaff>,
) -> ApiResult<(StatusCode, Json<store::StaffView>)> {
    let view = create(&state, &caller, &act, body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Creates a staff account within the caller's jurisdiction (`rules::may_create`), in `act`:
/// the API's `POST /staff` and the staff console's accounts page.
pub async fn create(state: &AppState, caller: &Caller, act: &Act, body: CreateStaff) -> ApiResult<store::StaffView> {
    caller.require(STAFF_ROLES)?;
    let mut invalid = Invalid::default();
    let username = valid_username(&body.username);
    if username.is_none() {
        invalid.field(
            "username",
            "staff.username_format",
            "用户名为3至32位字母、数字或 . _ -",
            "Use 3–32 letters, digits, '.', '_' or '-'",
        );
    }
    invalid.finish()?;
    let username = username.unwrap_or_default();
    let district = body.district_code.as_ref().map(DistrictCode::as_str);
    rules::may_create(caller.role, caller.district(), body.role, district).map_err(rules::StaffRule::into_error)?;
    let hash = passwords::hash(body.password.expose().to_owned()).await?;
    let new = store::NewStaff {
        username: &username,
        display_name: body.display_name.as_str(),
        role: body.role,
        district_code: district,
        password_hash: &hash,
        created_by: Some(&caller.staff_id()),
    };
    let mut tx = act.begin().await?;
    let id = store::insert(&mut *tx, &new, state.clock.now_ms()).await.map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::conflict("staff.username_taken", "该用户名已被使用", "That username is taken")
        } else {
            e.into()
        }
    })?;
    // The creator knows the initial password: its owner chooses their own at the first sign-in.
    store::expire_password(&mut *tx, &id, state.clock.now_ms()).await?;
    // The account just created, read back whatever the bounds.
    let view = store::get(&mut *tx, &id, &Bounds::City, state.clock.now_ms())
        .await?
        .ok_or_else(|| ApiError::internal("created staff vanished"))?;
    act.commit(tx, format!("staff:{id}")).await?;
    Ok(view)
}

/// Lists staff accounts within the caller's jurisdiction.
#[utoipa::path(get, path = "/staff", tag = "staff", params(Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<store::StaffView>), (status = 403, body = Problem)))]
async fn list_staff(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<store::StaffView>>> {
    Ok(Json(list(&state, &caller, &page).await?))
}

/// The staff accounts within the caller's jurisdiction, a page of them: the API's `GET /staff`
/// and the staff console's accounts page.
pub async fn list(state: &AppState, caller: &Caller, page: &Page) -> ApiResult<Vec<store::StaffView>> {
    caller.require(STAFF_ROLES)?;
    let (limit, offset) = page.limit_offset();
    Ok(store::list(&state.db, &caller.bounds(), state.clock.now_ms(), limit, offset).await?)
}

/// One staff account; 404 when it lies outside the caller's jurisdiction.
#[utoipa::path(get, path = "/staff/{id}", tag = "staff", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = store::StaffView), (status = 404, body = Problem)))]
async fn get_staff(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<StaffId>,
) -> ApiResult<Json<store::StaffView>> {
    caller.require(STAFF_ROLES)?;
    store::get(&state.db, &id, &caller.bounds(), state.clock.now_ms())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("工作人员账号", "Staff account"))
}
