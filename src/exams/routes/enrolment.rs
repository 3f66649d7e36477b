//! An enterprise's side of exams: its employees checked against a batch's rules, every failing
//! condition named, and the registration of one of them within the batch's period and places.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{batch_not_found, registration_not_found};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::exams::rules::{self, Bar, Candidate, Window};
use crate::exams::store::{self, EmployeeRow, ExamBatchView, ExamRegistrationView, NewRegistration};
use crate::platform::db::{is_unique_violation, Conn};
use crate::platform::error::{ApiError, ApiResult, Lang, Message, Problem};
use crate::platform::ids::{EnterpriseId, ExamBatchId, PersonId};
use crate::platform::paging::Page;
use crate::platform::types::Date;
use crate::platform::web::Json;
use crate::state::AppState;

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
pub(super) async fn candidates(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<ExamBatchId>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ExamCandidate>>> {
    let lang = Lang::from_headers(&headers);
    Ok(Json(checked_candidates(&state, &caller, &id, &page, lang).await?))
}

/// The calling enterprise's employees checked against the batch's rules, in `lang`: `GET
/// /exam-batches/{id}/candidates` and the enterprise portal's batch page.
pub async fn checked_candidates(
    state: &AppState,
    caller: &Caller,
    id: &ExamBatchId,
    page: &Page,
    lang: Lang,
) -> ApiResult<Vec<ExamCandidate>> {
    let enterprise = own_enterprise(caller)?;
    let mut conn = state.db.acquire().await.map_err(ApiError::from)?;
    let batch = store::get_batch(&mut *conn, id, &caller.bounds())
        .await?
        .ok_or_else(batch_not_found)?;
    let today = Date::today_in_china(state.clock.now_ms());
    let mut listed = Vec::new();
    for employee in store::employees(&mut *conn, enterprise, page).await? {
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
    Ok(listed)
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
pub(super) async fn register_for_exam(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<ExamBatchId>,
    Json(body): Json<ExamRegistrationBody>,
) -> ApiResult<(StatusCode, Json<ExamRegistrationView>)> {
    let registered = register(&state, &caller, act, &id, body).await?;
    Ok((StatusCode::CREATED, Json(registered)))
}

/// Registers one of the calling enterprise's employees for the batch: `POST
/// /exam-batches/{id}/registrations` and the enterprise portal's button.
pub async fn register(
    state: &AppState,
    caller: &Caller,
    act: Act,
    id: &ExamBatchId,
    body: ExamRegistrationBody,
) -> ApiResult<ExamRegistrationView> {
    let enterprise = own_enterprise(caller)?.clone();
    let now = state.clock.now_ms();
    let today = Date::today_in_china(now);
    let mut tx = act.begin().await?;
    let batch = store::get_batch(&mut *tx, id, &caller.bounds())
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
    Ok(row.view(&state.keys))
}
