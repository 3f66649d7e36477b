//! Training-institution accounts: city staff and system administrators open and list them.

use axum::{
    extract::{Query, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::Act;
use crate::auth::{passwords, Caller, Role};
use crate::platform::db::is_unique_violation;
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::paging::Page;
use crate::platform::types::{CreditCode, NewPassword, Text};
use crate::platform::web::Json;
use crate::state::AppState;
use crate::training::rules;
use crate::training::store::institutions::{self as store, NewInstitution, TrainingInstitutionView};

/// Who opens and lists training-institution accounts: the city station and system
/// administrators (accounts across the city).
const ADMINISTRATORS: &[Role] = &[Role::City, Role::Sysadmin];

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTrainingInstitution {
    /// The institution's name.
    #[schema(value_type = String)]
    pub name: Text<200>,
    /// Sign-in name: 3–32 letters, digits, `.`, `_` or `-`; case-insensitive.
    pub username: String,
    /// Initial password: 8–128 characters with letters and digits.
    #[schema(value_type = String)]
    pub password: NewPassword,
    /// 统一社会信用代码, when known.
    #[schema(value_type = Option<String>, example = "91350100M000100Y43")]
    pub credit_code: Option<CreditCode>,
}

/// Opens a training-institution account (培训机构), which signs in at `POST
/// /auth/training/login` and may only enter continuing-education records.
#[utoipa::path(post, path = "/training-institutions", tag = "training", request_body = CreateTrainingInstitution, security(("bearer" = [])),
    responses((status = 201, body = TrainingInstitutionView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn create_institution(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<CreateTrainingInstitution>,
) -> ApiResult<(StatusCode, Json<TrainingInstitutionView>)> {
    caller.require(ADMINISTRATORS)?;
    let Some(username) = rules::username(&body.username) else {
        let mut invalid = Invalid::default();
        invalid.field(
            "username",
            "training.username_format",
            "用户名为3至32位字母、数字或 . _ -",
            "Use 3–32 letters, digits, '.', '_' or '-'",
        );
        return Err(invalid.finish().unwrap_err());
    };
    let hash = passwords::hash(body.password.expose().to_owned()).await?;
    let new = NewInstitution {
        username: &username,
        name: body.name.as_str(),
        credit_code: body.credit_code.as_ref().map(CreditCode::as_str),
        password_hash: &hash,
        created_by: &caller.staff_id(),
    };
    let mut tx = act.begin().await?;
    let id = store::insert(&mut *tx, &new, state.clock.now_ms()).await.map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::conflict(
                "training.username_taken",
                "该培训机构用户名已被使用",
                "That training-institution username is taken",
            )
        } else {
            e.into()
        }
    })?;
    let view = store::get(&mut *tx, &id)
        .await?
        .ok_or_else(|| ApiError::internal("created training institution vanished"))?;
    act.commit(tx, format!("training:{id}")).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Lists the training-institution accounts, by username.
#[utoipa::path(get, path = "/training-institutions", tag = "training", params(Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<TrainingInstitutionView>), (status = 403, body = Problem)))]
pub(super) async fn list_institutions(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<TrainingInstitutionView>>> {
    caller.require(ADMINISTRATORS)?;
    let (limit, offset) = page.limit_offset();
    Ok(Json(store::list(&state.db, limit, offset).await?))
}
