//! Exam registration over HTTP: staff publish batches and review registrations; an enterprise
//! sees the batches of its district, checks its employees against the rules and registers
//! them; staff record each approved candidate's outcome after the exam.

mod decisions;
mod enrolment;

pub use decisions::{review_registration, ExamReviewBody};
pub use enrolment::{checked_candidates, register, ExamBar, ExamCandidate, ExamRegistrationBody};

use crate::openapi::register::routes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use super::rules::{self, EXAM_TYPES};
use super::store::{self, ExamBatchView, ExamRegistrationView, NewBatch};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::{ExamBatchId, ExamRegistrationId};
use crate::platform::paging::Page;
use crate::platform::types::{Date, DistrictCode, Text};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_batch, list_batches))
        .routes(routes!(get_batch))
        .routes(routes!(enrolment::candidates))
        .routes(routes!(enrolment::register_for_exam))
        .routes(routes!(list_registrations))
        .routes(routes!(decisions::review))
        .routes(routes!(decisions::record_outcome))
}

/// Staff who run exams: the city anywhere, district authorities in their district.
const EXAM_STAFF: &[Role] = &[Role::City, Role::District];
const BATCH_READERS: &[Role] = &[Role::City, Role::District, Role::Enterprise];

fn batch_not_found() -> ApiError {
    ApiError::not_found("考试批次", "Exam batch")
}

fn registration_not_found() -> ApiError {
    ApiError::not_found("考试报名", "Exam registration")
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExamBatchBody {
    #[schema(value_type = String, example = "370102")]
    pub district_code: DistrictCode,
    /// safety_a | safety_b | safety_c | special
    #[schema(example = "safety_b")]
    pub exam_type: String,
    /// The operation category (code or label) of a special-operations exam; none otherwise.
    #[schema(value_type = Option<String>, example = "electrician")]
    pub category: Option<Text<60>>,
    #[schema(value_type = String, example = "2027 年第一批安管人员 B 类考试")]
    pub title: Text<100>,
    #[schema(value_type = String, example = "2027-01-04")]
    pub registration_opens_on: Date,
    #[schema(value_type = String, example = "2027-01-15")]
    pub registration_closes_on: Date,
    #[schema(value_type = String, example = "2027-02-20")]
    pub exam_on: Date,
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: i64,
}

/// The batch's category: a listed one for special operations, none for the others.
fn batch_category(body: &NewExamBatchBody) -> Option<&'static str> {
    match (body.exam_type.as_str(), &body.category) {
        ("special", Some(raw)) => crate::certificates::kinds::parse_category(raw.as_str()),
        ("special", None) | (_, Some(_)) => None,
        _ => Some(""),
    }
}

fn check_batch(body: &NewExamBatchBody) -> ApiResult<()> {
    let mut invalid = crate::platform::error::Invalid::default();
    if EXAM_TYPES.contains(&body.exam_type.as_str()) && batch_category(body).is_none() {
        invalid.field(
            "category",
            "exam.category_invalid",
            "特种作业考试须选择列表中的操作类别，安管人员考试不填",
            "A special-operations exam needs a listed category; the safety-management exams have none",
        );
    }
    if !EXAM_TYPES.contains(&body.exam_type.as_str()) {
        invalid.field(
            "exam_type",
            "exam.type_unknown",
            "考试类型须为 safety_a、safety_b、safety_c 或 special",
            "The exam type is safety_a, safety_b, safety_c or special",
        );
    }
    if !(1..=100_000).contains(&body.capacity) {
        invalid.field(
            "capacity",
            "exam.capacity_invalid",
            "名额须为 1 到 100000",
            "The capacity is 1 to 100000",
        );
    }
    if let Some(field) = rules::schedule_error(body.registration_opens_on, body.registration_closes_on, body.exam_on) {
        invalid.field(
            field,
            "exam.schedule_invalid",
            "报名开始日不能晚于截止日，报名须在考试日前截止",
            "Registration opens no later than it closes, and closes before the exam day",
        );
    }
    invalid.finish()
}

/// Publishes an exam batch (city staff anywhere, district staff in their district).
#[utoipa::path(post, path = "/exam-batches", tag = "exams", request_body = NewExamBatchBody, security(("bearer" = [])),
    responses((status = 201, body = ExamBatchView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_batch(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<NewExamBatchBody>,
) -> ApiResult<(StatusCode, Json<ExamBatchView>)> {
    caller.require(EXAM_STAFF)?;
    if !caller.covers_district(body.district_code.as_str()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "exam.outside_district",
            "区（市）主管部门只能发布本辖区的考试批次",
            "A district authority publishes exam batches in its own district only",
        ));
    }
    check_batch(&body)?;
    let new = NewBatch {
        district_code: body.district_code.as_str(),
        exam_type: &body.exam_type,
        category: batch_category(&body).unwrap_or_default(),
        title: body.title.as_str(),
        registration_opens_on: body.registration_opens_on.to_string(),
        registration_closes_on: body.registration_closes_on.to_string(),
        exam_on: body.exam_on.to_string(),
        capacity: body.capacity,
    };
    let mut tx = act.begin().await?;
    let id = store::insert_batch(&mut tx, &new, &caller.staff_id(), state.clock.now_ms()).await?;
    let batch = store::get_batch(&mut *tx, &id, &caller.bounds())
        .await?
        .ok_or_else(batch_not_found)?;
    act.commit(tx, format!("exam_batch:{id}")).await?;
    Ok((StatusCode::CREATED, Json(batch)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchFilter {
    /// Only batches of this exam type.
    pub exam_type: Option<String>,
}

/// Exam batches: staff see their jurisdiction's, an enterprise those of its district.
#[utoipa::path(get, path = "/exam-batches", tag = "exams", params(BatchFilter, Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<ExamBatchView>), (status = 403, body = Problem)))]
async fn list_batches(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<BatchFilter>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ExamBatchView>>> {
    Ok(Json(
        batches(&state, &caller, filter.exam_type.as_deref(), &page).await?,
    ))
}

/// The batches within the caller's bounds, newest first: `GET /exam-batches` and the
/// enterprise portal's list.
pub async fn batches(
    state: &AppState,
    caller: &Caller,
    exam_type: Option<&str>,
    page: &Page,
) -> ApiResult<Vec<ExamBatchView>> {
    caller.require(BATCH_READERS)?;
    Ok(store::list_batches(&state.db, &caller.bounds(), exam_type, page).await?)
}

/// One exam batch.
#[utoipa::path(get, path = "/exam-batches/{id}", tag = "exams", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = ExamBatchView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_batch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ExamBatchId>,
) -> ApiResult<Json<ExamBatchView>> {
    Ok(Json(batch(&state, &caller, &id).await?))
}

/// One batch within the caller's bounds: `GET /exam-batches/{id}` and the portal's page.
pub async fn batch(state: &AppState, caller: &Caller, id: &ExamBatchId) -> ApiResult<ExamBatchView> {
    caller.require(BATCH_READERS)?;
    let batch = store::get_batch(&state.db, id, &caller.bounds()).await?;
    batch.ok_or_else(batch_not_found)
}

#[derive(Deserialize, IntoParams, Clone)]
#[into_params(parameter_in = Query)]
pub struct RegistrationFilter {
    /// Only registrations for this batch.
    #[param(value_type = Option<String>)]
    pub batch_id: Option<ExamBatchId>,
}

/// Exam registrations: staff see their jurisdiction's, an enterprise its own, a person theirs.
#[utoipa::path(get, path = "/exam-registrations", tag = "exams", params(RegistrationFilter, Page),
    security(("bearer" = [])), responses((status = 200, body = Vec<ExamRegistrationView>), (status = 403, body = Problem)))]
async fn list_registrations(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<RegistrationFilter>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ExamRegistrationView>>> {
    Ok(Json(
        registrations(&state, &caller, filter, store::NEWEST_FIRST, page).await?,
    ))
}

const REGISTRATION_READERS: &[Role] = &[Role::City, Role::District, Role::Enterprise, Role::Person];

/// The exam registrations within the caller's bounds, paged in `order`: `GET
/// /exam-registrations` (newest first) and the staff console's table.
pub async fn registrations(
    state: &AppState,
    caller: &Caller,
    filter: RegistrationFilter,
    order: store::RegistrationOrder,
    page: Page,
) -> ApiResult<Vec<ExamRegistrationView>> {
    caller.require(REGISTRATION_READERS)?;
    let bounds = caller.bounds();
    let rows = store::list_registrations(&state.db, &bounds, filter.batch_id.as_ref(), order, &page).await?;
    Ok(rows.into_iter().map(|row| row.view(&state.keys)).collect())
}

/// How many exam registrations within the caller's bounds the filter selects.
pub async fn count_registrations(state: &AppState, caller: &Caller, filter: RegistrationFilter) -> ApiResult<i64> {
    caller.require(REGISTRATION_READERS)?;
    Ok(store::count_registrations(&state.db, &caller.bounds(), filter.batch_id.as_ref()).await?)
}

/// One exam registration within the caller's bounds, read as the list reads it (the staff
/// console's page of a registration).
pub async fn registration(
    state: &AppState,
    caller: &Caller,
    id: &ExamRegistrationId,
) -> ApiResult<ExamRegistrationView> {
    caller.require(REGISTRATION_READERS)?;
    let row = store::get_registration(&state.db, id, &caller.bounds())
        .await?
        .ok_or_else(registration_not_found)?;
    Ok(row.view(&state.keys))
}
