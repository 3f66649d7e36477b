//! Exam registration over HTTP: staff publish batches and review registrations; an enterprise
//! sees the batches of its district, checks its employees against the rules and registers
//! them; staff record each approved candidate's outcome after the exam.

mod decisions;

pub use decisions::{review_registration, ExamReviewBody};

use crate::openapi::register::routes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use super::rules::{self, Bar, Candidate, Window, EXAM_TYPES};
use super::store::{self, EmployeeRow, ExamBatchView, ExamRegistrationView, NewBatch, NewRegistration};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::platform::db::{is_unique_violation, Conn};
use crate::platform::error::{ApiError, ApiResult, Lang, Message, Problem};
use crate::platform::ids::{EnterpriseId, ExamBatchId, ExamRegistrationId, PersonId};
use crate::platform::paging::Page;
use crate::platform::types::{Date, DistrictCode, Text};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_batch, list_batches))
        .routes(routes!(get_batch))
        .routes(routes!(candidates))
        .routes(routes!(register_for_exam))
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
    caller.require(BATCH_READERS)?;
    let batches = store::list_batches(&state.db, &caller.bounds(), filter.exam_type.as_deref(), &page).await?;
    Ok(Json(batches))
}

/// One exam batch.
#[utoipa::path(get, path = "/exam-batches/{id}", tag = "exams", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = ExamBatchView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_batch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ExamBatchId>,
) -> ApiResult<Json<ExamBatchView>> {
    caller.require(BATCH_READERS)?;
    let batch = store::get_batch(&state.db, &id, &caller.bounds()).await?;
    Ok(Json(batch.ok_or_else(batch_not_found)?))
}

/// A failed condition as listed for a candidate.
#[derive(Serialize, ToSchema)]
pub struct ExamBar {
    /// e.g. `exam.no_portrait`
    pub code: String,
    pub message: String,
}

/// An employee checked against a batch's rules.
#[derive(Serialize, ToSchema)]
pub struct ExamCandidate {
    #[schema(value_type = String)]
    pub person_id: PersonId,
    /// Empty until real-name registration is done.
    pub name: String,
    pub id_number_masked: Option<String>,
    pub eligible: bool,
    /// Every condition the employee fails; empty when eligible.
    pub bars: Vec<ExamBar>,
}

/// The facts the eligibility rule reads, for one person and one batch.
async fn candidate(
    conn: &mut Conn,
    employee: &EmployeeRow,
    enterprise: &EnterpriseId,
    batch: &ExamBatchView,
) -> ApiResult<Candidate> {
    let employer = crate::employment::employer_of(&mut *conn, &employee.person_id).await?;
    let history = store::history(&mut *conn, &employee.person_id, &batch.id, &batch.exam_type).await?;
    let date = |day: Option<String>| day.and_then(|d| Date::parse(&d).ok());
    Ok(Candidate {
        real_name: employee.identity_state.as_deref() == Some("active"),
        portrait: employee.portrait_document_id.is_some(),
        employed_here: employer.as_ref() == Some(enterprise),
        last_absence: date(history.last_absence),
        last_cheating: date(history.last_cheating),
        in_this_batch: history.in_this_batch > 0,
        pending_same_type: history.pending_same_type > 0,
    })
}

/// The enterprise's own caller, or 403.
fn own_enterprise(caller: &Caller) -> ApiResult<&EnterpriseId> {
    caller.require(&[Role::Enterprise])?;
    caller.enterprise_id().ok_or_else(ApiError::forbidden_role)
}

/// The enterprise's employees checked against the batch's rules, each failing condition named,
/// so the clerk sees whom to register and what to fix first.
#[utoipa::path(get, path = "/exam-batches/{id}/candidates", tag = "exams", params(("id" = String, Path), Page),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ExamCandidate>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn candidates(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<ExamBatchId>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ExamCandidate>>> {
    let enterprise = own_enterprise(&caller)?;
    let lang = Lang::from_headers(&headers);
    let mut conn = state.db.acquire().await.map_err(ApiError::from)?;
    let batch = store::get_batch(&mut *conn, &id, &caller.bounds())
        .await?
        .ok_or_else(batch_not_found)?;
    let today = Date::today_in_china(state.clock.now_ms());
    let mut listed = Vec::new();
    for employee in store::employees(&mut *conn, enterprise, &page).await? {
        let facts = candidate(&mut conn, &employee, enterprise, &batch).await?;
        let bars = rules::bars(&facts, today);
        listed.push(ExamCandidate {
            name: employee
                .name_sealed
                .as_deref()
                .and_then(|sealed| crate::people::store::unseal_name(&state.keys, &employee.person_id, sealed))
                .unwrap_or_default(),
            person_id: employee.person_id,
            id_number_masked: employee.id_number_masked,
            eligible: bars.is_empty(),
            bars: bars.into_iter().map(|bar| shown(bar, lang)).collect(),
        });
    }
    Ok(Json(listed))
}

fn shown(bar: Bar, lang: Lang) -> ExamBar {
    let (zh, en) = bar.message();
    ExamBar {
        code: bar.code().to_owned(),
        message: if lang == Lang::En { en } else { zh }.to_owned(),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExamRegistrationBody {
    /// The employee to register.
    #[schema(value_type = String)]
    pub person_id: PersonId,
}

/// 422 naming every condition the person fails, each as a field error on `person_id`.
fn ineligible(bars: &[Bar]) -> ApiError {
    bars.iter().fold(
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "exam.ineligible",
            "该人员不符合报名条件",
            "This person does not meet the conditions to register",
        ),
        |error, bar| {
            let (zh, en) = bar.message();
            error.with_field("person_id", bar.code(), Message::new(zh, en))
        },
    )
}

fn window_error(window: Window) -> ApiError {
    let (code, zh, en) = match window {
        Window::NotYetOpen => (
            "exam.registration_not_open",
            "报名尚未开始",
            "Registration has not opened yet",
        ),
        _ => ("exam.registration_closed", "报名已截止", "Registration has closed"),
    };
    ApiError::conflict(code, zh, en)
}

/// Registers an employee for a batch of the enterprise's district, within the registration
/// period and the batch's capacity; every condition the person fails is named.
#[utoipa::path(post, path = "/exam-batches/{id}/registrations", tag = "exams", params(("id" = String, Path)),
    request_body = ExamRegistrationBody, security(("bearer" = [])),
    responses((status = 201, body = ExamRegistrationView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn register_for_exam(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ExamBatchId>,
    Json(body): Json<ExamRegistrationBody>,
) -> ApiResult<(StatusCode, Json<ExamRegistrationView>)> {
    let enterprise = own_enterprise(&caller)?.clone();
    let now = state.clock.now_ms();
    let today = Date::today_in_china(now);
    let mut tx = act.begin().await?;
    let batch = store::get_batch(&mut *tx, &id, &caller.bounds())
        .await?
        .ok_or_else(batch_not_found)?;
    let (opens, closes) = (
        Date::parse(&batch.registration_opens_on),
        Date::parse(&batch.registration_closes_on),
    );
    let window = match (opens, closes) {
        (Ok(opens), Ok(closes)) => rules::window(opens, closes, today),
        _ => return Err(ApiError::internal("an exam batch has unreadable dates")),
    };
    if window != Window::Open {
        return Err(window_error(window));
    }
    let employee = store::employee(&mut *tx, &body.person_id).await?;
    let Some(employee) = employee else {
        return Err(ineligible(&[Bar::NotRealName, Bar::NotEmployedHere]));
    };
    let bars = rules::bars(&candidate(&mut tx, &employee, &enterprise, &batch).await?, today);
    if !bars.is_empty() {
        return Err(ineligible(&bars));
    }
    if !store::take_place(&mut tx, &batch.id).await? {
        return Err(ApiError::conflict(
            "exam.batch_full",
            "本批次名额已满",
            "This batch is full",
        ));
    }
    let new = NewRegistration {
        batch: &batch,
        person: &body.person_id,
        enterprise: &enterprise,
    };
    let id = match store::insert_registration(&mut tx, &new, now).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Err(ineligible(&[Bar::AlreadyRegistered])),
        Err(e) => return Err(e.into()),
    };
    let row = store::get_registration(&mut *tx, &id, &caller.bounds())
        .await?
        .ok_or_else(registration_not_found)?;
    act.commit(tx, format!("exam_registration:{id}")).await?;
    Ok((StatusCode::CREATED, Json(row.view(&state.keys))))
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
