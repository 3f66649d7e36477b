//! Employment over HTTP: requests, the person's face-checked answer, relations and ending them.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::rules::{self, Decision, EmploymentRule, RequestState};
use super::store::{
    self, AcceptFailure, CertificateView, EmploymentView, NewCertificate, NewRequest, RequestView, Visibility,
};
use crate::audit::Act;
use crate::auth::{Caller, Channel, Role};
use crate::challenges::{self, Challenge};
use crate::documents::rules::Purpose;
use crate::error::{ApiError, ApiResult, Invalid, Problem};
use crate::face::{self, Evidence, Photo};
use crate::paging::Page;
use crate::state::AppState;
use crate::types::{Date, IdNumber, Name};
use crate::web::Json;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_request, list_requests))
        .routes(routes!(get_request))
        .routes(routes!(request_challenge))
        .routes(routes!(accept_request))
        .routes(routes!(refuse_request))
        .routes(routes!(withdraw_request))
        .routes(routes!(list_relations))
        .routes(routes!(end_relation))
        .routes(routes!(add_certificate, list_certificates))
        .routes(routes!(remove_certificate))
        .routes(routes!(set_technical_lead))
}

const CHALLENGE_PURPOSE: &str = "employment.accept";

fn request_not_found() -> ApiError {
    ApiError::not_found("聘用请求", "Employment request")
}

fn enterprise_id(caller: &Caller) -> ApiResult<&str> {
    caller.require(&[Role::Enterprise])?;
    caller.enterprise_id().ok_or_else(ApiError::forbidden_role)
}

/// A person answering must be in the mini-program.
fn person_in_mini_program(caller: &Caller) -> ApiResult<&str> {
    caller.require(&[Role::Person])?;
    if caller.channel != Channel::MiniProgram {
        return Err(EmploymentRule::MiniProgramOnly.into_error());
    }
    caller.person_id().ok_or_else(ApiError::forbidden_role)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestBody {
    /// The person's full ID number: exact match only.
    #[schema(value_type = String, example = "11010519491231002X")]
    pub id_number: IdNumber,
    /// 职务
    #[schema(value_type = String, example = "项目负责人")]
    pub position: Name<50>,
    #[schema(value_type = String, example = "2026-12-01")]
    pub contract_start: Date,
    #[schema(value_type = String, example = "2029-11-30")]
    pub contract_end: Date,
}

/// The enterprise asks a registered person to confirm employment.
#[utoipa::path(post, path = "/employment/requests", tag = "employment", request_body = NewRequestBody, security(("bearer" = [])),
    responses((status = 201, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_request(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Json(body): Json<NewRequestBody>,
) -> ApiResult<(StatusCode, Json<RequestView>)> {
    let enterprise = enterprise_id(&caller)?;
    let now = state.clock.now_ms();
    rules::check_contract(
        body.contract_start,
        body.contract_end,
        Date::today_in_china(now),
        state.settings.employment.max_contract_years,
    )
    .map_err(EmploymentRule::into_error)?;
    let identity = crate::people::store::identity_by_hash(
        &state.db,
        &crate::people::store::id_number_hash(&state, body.id_number.as_str()),
    )
    .await?
    .ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "employment.person_not_registered",
            "该身份证号尚未实名登记，请让本人先在小程序完成实名登记",
            "No one is registered with this ID number; the person must first register in the mini-program",
        )
    })?;
    let person = identity.person_id.as_str();
    match store::active_employer(&state.db, person).await? {
        Some((_, employer)) if employer == enterprise => {
            return Err(ApiError::conflict(
                "employment.already_your_staff",
                "此人已是本企业在聘人员",
                "This person already works for you",
            ));
        }
        Some(_) => {
            return Err(ApiError::conflict(
                "employment.already_employed",
                "此人已与其他企业存在聘用关系，须先解除",
                "This person is employed by another enterprise; that relation must end first",
            ));
        }
        None => {}
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
        if crate::db::is_unique_violation(&e) {
            ApiError::conflict(
                "employment.request_pending",
                "已向此人发出聘用请求，正在等待确认",
                "A request to this person is already waiting for an answer",
            )
        } else {
            e.into()
        }
    })?;
    let row = store::get_request(&mut *tx, &id, &Visibility::of(&caller))
        .await?
        .ok_or_else(request_not_found)?;
    act.commit(tx, format!("employment_request:{id}")).await?;
    Ok((StatusCode::CREATED, Json(row.view(&state))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Staff: one enterprise within their jurisdiction.
    pub enterprise_id: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Requests: the person's own, the enterprise's own, or those in a staff member's jurisdiction.
#[utoipa::path(get, path = "/employment/requests", tag = "employment", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<RequestView>)))]
async fn list_requests(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<RequestView>>> {
    store::expire_due(&state.db, state.clock.now_ms()).await?;
    let (limit, offset) = Page {
        page: q.page,
        per_page: q.per_page,
    }
    .limit_offset();
    let rows = store::list_requests(
        &state.db,
        &Visibility::of(&caller),
        q.enterprise_id.as_deref(),
        limit,
        offset,
    )
    .await?;
    Ok(Json(rows.into_iter().map(|r| r.view(&state)).collect()))
}

/// One request, within the caller's scope.
#[utoipa::path(get, path = "/employment/requests/{id}", tag = "employment", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = RequestView), (status = 404, body = Problem)))]
async fn get_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestView>> {
    store::expire_due(&state.db, state.clock.now_ms()).await?;
    let row = store::get_request(&state.db, &id, &Visibility::of(&caller))
        .await?
        .ok_or_else(request_not_found)?;
    Ok(Json(row.view(&state)))
}

/// The calling person's request, still pending now (an overdue one counts as expired).
async fn own_pending_request(state: &AppState, caller: &Caller, id: &str) -> ApiResult<store::RequestRow> {
    let row = store::get_request(&state.db, id, &Visibility::of(caller))
        .await?
        .ok_or_else(request_not_found)?;
    rules::decide(row.state_at(state.clock.now_ms()), Decision::Accept).map_err(EmploymentRule::into_error)?;
    Ok(row)
}

/// A single-use challenge for accepting this request; take the selfie after asking for it.
#[utoipa::path(post, path = "/employment/requests/{id}/challenge", tag = "employment", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 201, body = Challenge), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn request_challenge(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Challenge>)> {
    let person = person_in_mini_program(&caller)?;
    own_pending_request(&state, &caller, &id).await?;
    let mut tx = act.begin().await?;
    let challenge = challenges::issue(
        &mut *tx,
        state.clock.now_ms(),
        person,
        CHALLENGE_PURPOSE,
        &id,
        state.settings.employment.challenge_ttl_secs,
    )
    .await?;
    act.commit(tx, format!("employment_request:{id}")).await?;
    Ok((StatusCode::CREATED, Json(challenge)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    pub challenge_id: String,
    /// A selfie (purpose `selfie`) uploaded after the challenge was issued.
    pub selfie_document_id: String,
}

/// Accepts the request in the mini-program: spends the challenge, then the fresh selfie must
/// match the face enrolled at registration. The person then works for this enterprise.
#[utoipa::path(post, path = "/employment/requests/{id}/accept", tag = "employment", params(("id" = String, Path)), request_body = Acceptance,
    security(("bearer" = [])),
    responses((status = 201, body = EmploymentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn accept_request(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
    Json(body): Json<Acceptance>,
) -> ApiResult<(StatusCode, Json<EmploymentView>)> {
    let person = person_in_mini_program(&caller)?;
    act.set_target(format!("employment_request:{id}"));
    let request = own_pending_request(&state, &caller, &id).await?;
    let photo = challenges::spend_with_selfie(
        &state,
        &caller,
        &body.challenge_id,
        CHALLENGE_PURPOSE,
        &id,
        &body.selfie_document_id,
    )
    .await?;
    let identity = crate::people::store::identity(&state.db, person)
        .await?
        .ok_or_else(|| ApiError::internal("request for an unregistered person"))?;
    let enrolled = identity
        .face(&state)
        .ok_or_else(|| ApiError::internal("enrolled face does not open"))?;
    let verdict = state
        .face
        .verify(&enrolled, Evidence::Photo(photo))
        .await
        .map_err(|e| face::problem(e, Photo::Selfie))?;
    if !verdict.matched {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "face.mismatch",
            format!("人脸核验未通过（距离 {:.3}），须本人操作", verdict.distance),
            format!(
                "The face check failed (distance {:.3}); only the person can confirm",
                verdict.distance
            ),
        ));
    }
    let mut tx = act.begin().await?;
    let employment_id = match store::accept(&mut *tx, &request, state.clock.now_ms()).await {
        Ok(id) => id,
        Err(AcceptFailure::NoLongerPending) => {
            return Err(ApiError::conflict(
                "employment.request_not_pending",
                "该聘用请求已被处理",
                "The request was answered meanwhile",
            ))
        }
        Err(AcceptFailure::AlreadyEmployed) => {
            return Err(ApiError::conflict(
                "employment.already_employed",
                "您已与其他企业存在聘用关系，须先解除",
                "You are employed by another enterprise; that relation must end first",
            ));
        }
        Err(AcceptFailure::Database(e)) => return Err(e.into()),
    };
    let row = store::get_employment(&mut *tx, &employment_id, &Visibility::of(&caller))
        .await?
        .ok_or_else(|| ApiError::internal("accepted employment vanished"))?;
    act.commit(tx, format!("employment_request:{id}")).await?;
    Ok((StatusCode::CREATED, Json(row.view(&state))))
}

/// Refuses the request (mini-program only); the enterprise must send a new one.
#[utoipa::path(post, path = "/employment/requests/{id}/refuse", tag = "employment", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn refuse_request(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestView>> {
    person_in_mini_program(&caller)?;
    close(&state, &caller, &act, &id, Decision::Refuse).await
}

/// The enterprise withdraws a request not answered yet.
#[utoipa::path(post, path = "/employment/requests/{id}/withdraw", tag = "employment", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn withdraw_request(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestView>> {
    enterprise_id(&caller)?;
    close(&state, &caller, &act, &id, Decision::Withdraw).await
}

async fn close(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &str,
    decision: Decision,
) -> ApiResult<Json<RequestView>> {
    act.set_target(format!("employment_request:{id}"));
    let now = state.clock.now_ms();
    let v = Visibility::of(caller);
    let row = store::get_request(&state.db, id, &v)
        .await?
        .ok_or_else(request_not_found)?;
    let to = rules::decide(row.state_at(now), decision).map_err(EmploymentRule::into_error)?;
    let mut tx = act.begin().await?;
    if !store::close_request(&mut *tx, &row, to, now).await? {
        return Err(EmploymentRule::NotPending(RequestState::Pending).into_error());
    }
    let row = store::get_request(&mut *tx, id, &v)
        .await?
        .ok_or_else(request_not_found)?;
    act.commit(tx, format!("employment_request:{id}")).await?;
    Ok(Json(row.view(state)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelationsQuery {
    /// Staff: one enterprise within their jurisdiction.
    pub enterprise_id: Option<String>,
    /// Only current relations (an enterprise's current staff).
    pub active: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Employment relations, current and past: the person's, the enterprise's, or those in a staff
/// member's jurisdiction.
#[utoipa::path(get, path = "/employment/relations", tag = "employment", params(RelationsQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<EmploymentView>)))]
async fn list_relations(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RelationsQuery>,
) -> ApiResult<Json<Vec<EmploymentView>>> {
    let (limit, offset) = Page {
        page: q.page,
        per_page: q.per_page,
    }
    .limit_offset();
    let rows = store::list_employments(
        &state.db,
        &Visibility::of(&caller),
        q.enterprise_id.as_deref(),
        q.active.unwrap_or(false),
        limit,
        offset,
    )
    .await?;
    Ok(Json(rows.into_iter().map(|r| r.view(&state)).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    #[schema(value_type = String)]
    pub reason: Name<200>,
}

/// Ends a relation, by the enterprise or the person, with a reason; it stays in the history.
#[utoipa::path(post, path = "/employment/relations/{id}/end", tag = "employment", params(("id" = String, Path)), request_body = Ending,
    security(("bearer" = [])),
    responses((status = 200, body = EmploymentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn end_relation(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
    Json(body): Json<Ending>,
) -> ApiResult<Json<EmploymentView>> {
    let by = match caller.role {
        Role::Enterprise => "enterprise",
        Role::Person => "person",
        _ => return Err(ApiError::forbidden_role()),
    };
    act.set_target(format!("employment:{id}"));
    let v = Visibility::of(&caller);
    let row = store::get_employment(&state.db, &id, &v)
        .await?
        .ok_or_else(|| ApiError::not_found("聘用关系", "Employment"))?;
    let mut tx = act.begin().await?;
    if !store::end(&mut *tx, &row, by, body.reason.as_str(), state.clock.now_ms()).await? {
        return Err(EmploymentRule::AlreadyEnded.into_error());
    }
    let row = store::get_employment(&mut *tx, &id, &v)
        .await?
        .ok_or_else(|| ApiError::internal("ended employment vanished"))?;
    act.commit(tx, format!("employment:{id}")).await?;
    Ok(Json(row.view(&state)))
}

/// The relation an enterprise acts on: its own, and still active.
async fn own_active_relation(state: &AppState, caller: &Caller, id: &str) -> ApiResult<store::EmploymentRow> {
    enterprise_id(caller)?;
    let row = store::get_employment(&state.db, id, &Visibility::of(caller))
        .await?
        .ok_or_else(|| ApiError::not_found("聘用关系", "Employment"))?;
    if row.state != "active" {
        return Err(EmploymentRule::AlreadyEnded.into_error());
    }
    Ok(row)
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// 注册证: type, number and validity required.
    Registration,
    /// 职称: title and specialty required.
    Title,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCertificateBody {
    pub kind: CertificateKind,
    /// Registration type (e.g. 一级注册建造师) or title (e.g. 高级工程师).
    #[schema(value_type = String)]
    pub name: Name<50>,
    pub number: Option<String>,
    pub specialty: Option<String>,
    #[schema(value_type = Option<String>, example = "2028-06-30")]
    pub valid_until: Option<Date>,
    /// The scan: a document of purpose `certificate_scan` uploaded by the enterprise.
    pub document_id: String,
}

/// Records an employee's registration certificate or professional title with its scan.
#[utoipa::path(post, path = "/employment/relations/{id}/certificates", tag = "employment", params(("id" = String, Path)),
    request_body = NewCertificateBody, security(("bearer" = [])),
    responses((status = 201, body = CertificateView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_certificate(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
    Json(body): Json<NewCertificateBody>,
) -> ApiResult<(StatusCode, Json<CertificateView>)> {
    let relation = own_active_relation(&state, &caller, &id).await?;
    act.set_target(format!("employment:{id}"));
    let (number, specialty) = (short_text(&body.number), short_text(&body.specialty));
    let mut invalid = Invalid::default();
    match body.kind {
        CertificateKind::Registration => {
            if number.is_none() {
                invalid.field(
                    "number",
                    "certificate.number_required",
                    "注册证须填写证书编号",
                    "A registration certificate needs its number",
                );
            }
            if body.valid_until.is_none() {
                invalid.field(
                    "valid_until",
                    "certificate.validity_required",
                    "注册证须填写有效期",
                    "A registration certificate needs its validity date",
                );
            }
        }
        CertificateKind::Title => {
            if specialty.is_none() {
                invalid.field(
                    "specialty",
                    "certificate.specialty_required",
                    "职称须填写专业",
                    "A professional title needs its specialty",
                );
            }
        }
    }
    let scan = crate::documents::store::get(
        &state.db,
        &body.document_id,
        &crate::documents::store::Visibility::of(&caller),
    )
    .await?;
    match scan {
        Some(doc)
            if doc.purpose() == Some(Purpose::CertificateScan)
                && doc.state() == crate::documents::rules::DocState::Available => {}
        _ => invalid.field(
            "document_id",
            "certificate.scan_invalid",
            "请先上传证书扫描件（用途 certificate_scan）",
            "Upload the certificate scan first (purpose certificate_scan)",
        ),
    }
    invalid.finish()?;
    let new = NewCertificate {
        kind: if body.kind == CertificateKind::Registration {
            "registration"
        } else {
            "title"
        },
        name: body.name.as_str(),
        number,
        specialty,
        valid_until: body.valid_until.map(|d| d.to_string()),
        document_id: &body.document_id,
    };
    let mut tx = act.begin().await?;
    let certificate = store::add_certificate(&mut *tx, &relation, &new, state.clock.now_ms()).await?;
    crate::documents::store::set_attachment(
        &mut *tx,
        &body.document_id,
        "staff_certificate",
        &certificate,
        crate::documents::rules::DocState::Locked,
    )
    .await?;
    let created = store::certificates(&mut *tx, &id)
        .await?
        .into_iter()
        .find(|c| c.id == certificate)
        .ok_or_else(|| ApiError::internal("certificate vanished"))?;
    act.commit(tx, format!("employment:{id}")).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// An employee's certificates and titles (the enterprise, the person, or staff in jurisdiction).
#[utoipa::path(get, path = "/employment/relations/{id}/certificates", tag = "employment", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<CertificateView>), (status = 404, body = Problem)))]
async fn list_certificates(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<CertificateView>>> {
    store::get_employment(&state.db, &id, &Visibility::of(&caller))
        .await?
        .ok_or_else(|| ApiError::not_found("聘用关系", "Employment"))?;
    Ok(Json(store::certificates(&state.db, &id).await?))
}

/// Removes a certificate; its scan is released (deletable again).
#[utoipa::path(delete, path = "/employment/relations/{id}/certificates/{certificate_id}", tag = "employment",
    params(("id" = String, Path), ("certificate_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
async fn remove_certificate(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((id, certificate_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    own_active_relation(&state, &caller, &id).await?;
    act.set_target(format!("staff_certificate:{certificate_id}"));
    let mut tx = act.begin().await?;
    let scan = store::remove_certificate(&mut *tx, &id, &certificate_id)
        .await?
        .ok_or_else(|| ApiError::not_found("证书", "Certificate"))?;
    crate::documents::store::set_attachment(
        &mut *tx,
        &scan,
        "staff_certificate",
        &certificate_id,
        crate::documents::rules::DocState::Available,
    )
    .await?;
    act.commit(tx, format!("staff_certificate:{certificate_id}")).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks the employee as the enterprise's technical lead (技术负责人), replacing any other.
#[utoipa::path(put, path = "/employment/relations/{id}/technical-lead", tag = "employment", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = EmploymentView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn set_technical_lead(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<String>,
) -> ApiResult<Json<EmploymentView>> {
    let relation = own_active_relation(&state, &caller, &id).await?;
    act.set_target(format!("employment:{id}"));
    let mut tx = act.begin().await?;
    store::set_technical_lead(&mut *tx, &relation).await?;
    let row = store::get_employment(&mut *tx, &id, &Visibility::of(&caller))
        .await?
        .ok_or_else(|| ApiError::internal("employment vanished"))?;
    act.commit(tx, format!("employment:{id}")).await?;
    Ok(Json(row.view(&state)))
}

/// An optional short text: trimmed, empty as absent, at most 100 characters.
fn short_text(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.chars().count() <= 100)
}
