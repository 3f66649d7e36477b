//! Employment requests: the enterprise finds a registered person by full ID number and asks
//! them to confirm; either side closes a pending request (the person refuses, the enterprise
//! withdraws).

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{enterprise_id, person_in_mini_program, request_not_found};
use crate::audit::Act;
use crate::auth::Caller;
use crate::employment::rules::{self, Decision, EmploymentRule, RequestState};
use crate::employment::store::{self, NewRequest, RequestView};
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::{EmploymentRequestId, EnterpriseId};
use crate::platform::paging::Page;
use crate::platform::types::{Date, IdNumber, Text};
use crate::platform::web::Json;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestBody {
    /// The person's full ID number: exact match only.
    #[schema(value_type = String, example = "11010519491231002X")]
    pub id_number: IdNumber,
    /// 职务
    #[schema(value_type = String, example = "项目负责人")]
    pub position: Text<50>,
    #[schema(value_type = String, example = "2026-12-01")]
    pub contract_start: Date,
    #[schema(value_type = String, example = "2029-11-30")]
    pub contract_end: Date,
}

/// The enterprise asks a registered person to confirm employment.
#[utoipa::path(post, path = "/employment/requests", tag = "employment", request_body = NewRequestBody, security(("bearer" = [])),
    responses((status = 201, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub(super) async fn create_request(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<NewRequestBody>,
) -> ApiResult<(StatusCode, Json<RequestView>)> {
    let view = create(&state, &caller, &act, &body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The enterprise's request of `POST /employment/requests` (the enterprise portal calls it too).
pub async fn create(state: &AppState, caller: &Caller, act: &Act, body: &NewRequestBody) -> ApiResult<RequestView> {
    let enterprise = enterprise_id(caller)?;
    let now = state.clock.now_ms();
    rules::check_contract(
        body.contract_start,
        body.contract_end,
        Date::today_in_china(now),
        state.settings.employment.max_contract_years,
    )
    .map_err(EmploymentRule::into_error)?;
    let Some(person) = crate::people::find_by_id_number(&state.db, &state.keys, body.id_number.as_str()).await? else {
        return Err(not_registered(state, enterprise).await);
    };
    let person = &person;
    // Whether the person works elsewhere is theirs to tell: the request goes out either way,
    // and accepting it is refused while another relation lasts.
    if let Some((_, employer)) = store::active_employer(&state.db, person).await? {
        if employer == *enterprise {
            return Err(ApiError::conflict(
                "employment.already_your_staff",
                "此人已是本企业在聘人员",
                "This person already works for you",
            ));
        }
    }
    let enterprise_name = store::enterprise_name(&state.db, enterprise).await?;
    let new = NewRequest {
        enterprise_id: enterprise,
        person_id: person,
        position: body.position.as_str(),
        contract_start: &body.contract_start.to_string(),
        contract_end: &body.contract_end.to_string(),
        created_by: &caller.account_id,
        enterprise_name: &enterprise_name,
        expires_at: now + state.settings.employment.request_ttl_secs * 1000,
    };
    let mut tx = act.begin().await?;
    // An overdue pending request must not block the new one (one pending per pair).
    store::expire_due(&mut *tx, now).await?;
    let id = store::insert_request(&mut *tx, &new, now).await.map_err(|e| {
        if crate::platform::db::is_unique_violation(&e) {
            ApiError::conflict(
                "employment.request_pending",
                "已向此人发出聘用请求，正在等待确认",
                "A request to this person is already waiting for an answer",
            )
        } else {
            e.into()
        }
    })?;
    let row = store::get_request(&mut *tx, &id, &caller.bounds())
        .await?
        .ok_or_else(request_not_found)?;
    act.commit(tx, format!("employment_request:{id}")).await?;
    Ok(row.view(&state.keys))
}

/// The answer for an ID number nobody registered: 404, since the enterprise must ask the person
/// to register first (a request cannot wait for a registration: it is addressed to an enrolled
/// person, who confirms it with their face). That tells whether an ID number is registered, so
/// such answers are capped per enterprise and day (`employment.unregistered_per_day`, counted
/// atomically, then 429): ID numbers cannot be tried in bulk to find who uses the app.
async fn not_registered(state: &AppState, enterprise: &EnterpriseId) -> ApiError {
    let key = format!("employment:unregistered:{enterprise}");
    let limit = state.settings.employment.unregistered_per_day;
    match crate::auth::throttle::take_quota(state, &key, limit, 24 * 3600 * 1000).await {
        Err(error) => error,
        Ok(Err(retry_after_secs)) => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "employment.unregistered_limit",
            "今日查询未实名登记身份证号的次数已达上限，请明天再试",
            "Too many requests for unregistered ID numbers today; try again tomorrow",
        )
        .retry_after(retry_after_secs),
        Ok(Ok(())) => ApiError::new(
            StatusCode::NOT_FOUND,
            "employment.person_not_registered",
            "该身份证号尚未实名登记，请让本人先在小程序完成实名登记",
            "No one is registered with this ID number; the person must first register in the mini-program",
        ),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Staff: one enterprise within their jurisdiction.
    #[param(value_type = Option<String>)]
    pub enterprise_id: Option<EnterpriseId>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Requests: the person's own, the enterprise's own, or those in a staff member's jurisdiction.
#[utoipa::path(get, path = "/employment/requests", tag = "employment", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<RequestView>)))]
pub(super) async fn list_requests(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<RequestView>>> {
    let page = Page {
        page: q.page,
        per_page: q.per_page,
    };
    list(&state, &caller, q.enterprise_id.as_ref(), &page).await.map(Json)
}

/// One page of the requests the caller may see, newest first (the API's list and the portal's).
pub async fn list(
    state: &AppState,
    caller: &Caller,
    enterprise_id: Option<&EnterpriseId>,
    page: &Page,
) -> ApiResult<Vec<RequestView>> {
    caller.require_people_access()?;
    store::expire_due(&state.db, state.clock.now_ms()).await?;
    let (limit, offset) = page.limit_offset();
    let enterprise_id = enterprise_id.map(|e| e.as_str());
    let rows = store::list_requests(&state.db, &caller.bounds(), enterprise_id, limit, offset).await?;
    Ok(rows.into_iter().map(|r| r.view(&state.keys)).collect())
}

/// One request, within the caller's scope.
#[utoipa::path(get, path = "/employment/requests/{id}", tag = "employment", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = RequestView), (status = 404, body = Problem)))]
pub(super) async fn get_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EmploymentRequestId>,
) -> ApiResult<Json<RequestView>> {
    caller.require_people_access()?;
    store::expire_due(&state.db, state.clock.now_ms()).await?;
    let row = store::get_request(&state.db, &id, &caller.bounds())
        .await?
        .ok_or_else(request_not_found)?;
    Ok(Json(row.view(&state.keys)))
}

/// Refuses the request (mini-program only); the enterprise must send a new one.
#[utoipa::path(post, path = "/employment/requests/{id}/refuse", tag = "employment", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn refuse_request(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EmploymentRequestId>,
) -> ApiResult<Json<RequestView>> {
    person_in_mini_program(&caller)?;
    close(&state, &caller, &act, &id, Decision::Refuse).await.map(Json)
}

/// The enterprise withdraws a request not answered yet.
#[utoipa::path(post, path = "/employment/requests/{id}/withdraw", tag = "employment", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn withdraw_request(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<EmploymentRequestId>,
) -> ApiResult<Json<RequestView>> {
    withdraw(&state, &caller, &act, &id).await.map(Json)
}

/// The enterprise withdraws its pending request (the API and the enterprise portal).
pub async fn withdraw(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &EmploymentRequestId,
) -> ApiResult<RequestView> {
    enterprise_id(caller)?;
    close(state, caller, act, id, Decision::Withdraw).await
}

async fn close(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &EmploymentRequestId,
    decision: Decision,
) -> ApiResult<RequestView> {
    act.set_target(format!("employment_request:{id}"));
    let now = state.clock.now_ms();
    let bounds = caller.bounds();
    let row = store::get_request(&state.db, id, &bounds)
        .await?
        .ok_or_else(request_not_found)?;
    let to = rules::decide(row.state_at(now), decision).map_err(EmploymentRule::into_error)?;
    let mut tx = act.begin().await?;
    if !store::close_request(&mut *tx, &row, to, now).await? {
        return Err(EmploymentRule::NotPending(RequestState::Pending).into_error());
    }
    let row = store::get_request(&mut *tx, id, &bounds)
        .await?
        .ok_or_else(request_not_found)?;
    act.commit(tx, format!("employment_request:{id}")).await?;
    Ok(row.view(&state.keys))
}
