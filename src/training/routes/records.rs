//! Continuing-education records: a training institution enters one; the institution, city and
//! district staff list them within their bounds; a person reads their own (继续教育栏).

use axum::{
    extract::{Query, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{context, ContinuingEducationView};
use crate::audit::Act;
use crate::auth::{AnyCaller, Caller, Role};
use crate::platform::crypto::Keys;
use crate::platform::db::is_unique_violation;
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{ContinuingEducationId, TrainingInstitutionId};
use crate::platform::paging::Page;
use crate::platform::types::{Date, IdNumber};
use crate::platform::web::Json;
use crate::state::AppState;
use crate::training::rules::{self, Given, Record};
use crate::training::store::{self, NewRecord};

/// Who lists records: the institution its own, city staff every one, district staff those of
/// holders an enterprise of their district employs. Supervisors, system administrators (who
/// see no person) and enterprises do not.
const READERS: &[Role] = &[Role::Training, Role::City, Role::District];

/// One continuing-education record (继续教育记录) as a training institution enters it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContinuingEducation {
    /// The holder's ID number (GB 11643).
    #[schema(example = "11010519491231002X")]
    pub id_number: String,
    /// The holder's name.
    pub name: String,
    /// The kind of certificate it counts for: safety_a | safety_b | safety_c | special (or A,
    /// B, C, 特种作业).
    pub certificate_kind: String,
    /// The special-operations category (code or label); required for `special`, absent
    /// otherwise.
    #[serde(default)]
    pub category: Option<String>,
    /// The course title.
    pub course: String,
    /// Hours of the course, 1–200.
    pub hours: i64,
    /// The day it was completed (YYYY-MM-DD), not in the future.
    #[schema(example = "2026-03-01")]
    pub completed_on: String,
    /// Whether the holder passed (合格).
    pub passed: bool,
}

impl NewContinuingEducation {
    fn given(&self) -> Given<'_> {
        Given {
            id_number: &self.id_number,
            name: &self.name,
            certificate_kind: &self.certificate_kind,
            category: self.category.as_deref().unwrap_or_default(),
            course: &self.course,
            hours: Some(self.hours),
            completed_on: &self.completed_on,
            passed: Some(self.passed),
        }
    }
}

/// A checked record with its personal fields sealed, ready to write.
pub(super) struct Sealed {
    pub id: ContinuingEducationId,
    holder_hash: String,
    id_sealed: String,
    id_masked: String,
    name_sealed: String,
    completed_on: String,
    record: Record,
}

impl Sealed {
    pub(super) fn of(keys: &Keys, record: Record) -> Sealed {
        let id = ContinuingEducationId::new();
        Sealed {
            holder_hash: crate::people::id_number_key(keys, record.id_number.as_str()),
            id_sealed: keys.seal(&context(&id, "id_number"), record.id_number.as_str().as_bytes()),
            id_masked: record.id_number.masked(),
            name_sealed: keys.seal(&context(&id, "name"), record.name.as_bytes()),
            completed_on: record.completed_on.to_string(),
            record,
            id,
        }
    }

    pub(super) fn new_record<'a>(&'a self, institution: &'a TrainingInstitutionId) -> NewRecord<'a> {
        NewRecord {
            id: &self.id,
            institution_id: institution,
            holder_hash: &self.holder_hash,
            holder_id_sealed: &self.id_sealed,
            holder_id_masked: &self.id_masked,
            holder_name_sealed: &self.name_sealed,
            kind: self.record.kind,
            category: self.record.category,
            course: &self.record.course,
            hours: self.record.hours,
            completed_on: &self.completed_on,
            passed: self.record.passed,
        }
    }
}

/// The refusal of a record the institution already entered.
pub(super) fn duplicate() -> ApiError {
    ApiError::conflict(
        "education.duplicate",
        "本机构已为该持证人录入过同一天的同一课程",
        "This institution already recorded this course on that day for this holder",
    )
}

/// The institution of a training caller; 403 for anyone else.
pub(super) fn institution(caller: &Caller) -> ApiResult<&TrainingInstitutionId> {
    caller.require(&[Role::Training])?;
    caller.training_id().ok_or_else(ApiError::forbidden_role)
}

/// Today in China, which no completion date may pass.
pub(super) fn today(state: &AppState) -> Date {
    Date::today_in_china(state.clock.now_ms())
}

/// Enters one continuing-education record (training institutions only). Every field at fault
/// is named.
#[utoipa::path(post, path = "/continuing-education", tag = "training", request_body = NewContinuingEducation, security(("bearer" = [])),
    responses((status = 201, body = ContinuingEducationView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn create_record(
    State(state): State<AppState>,
    AnyCaller(caller): AnyCaller,
    act: Act,
    Json(body): Json<NewContinuingEducation>,
) -> ApiResult<(StatusCode, Json<ContinuingEducationView>)> {
    let institution = institution(&caller)?;
    let record = rules::check(&body.given(), today(&state))?;
    let sealed = Sealed::of(&state.keys, record);
    let mut tx = act.begin().await?;
    store::insert(&mut *tx, &sealed.new_record(institution), state.clock.now_ms())
        .await
        .map_err(|e| if is_unique_violation(&e) { duplicate() } else { e.into() })?;
    let row = store::get(&mut *tx, &sealed.id, &caller.bounds())
        .await?
        .ok_or_else(|| ApiError::internal("a record just entered is out of its institution's bounds"))?;
    act.commit(tx, format!("continuing_education:{}", sealed.id)).await?;
    Ok((
        StatusCode::CREATED,
        Json(ContinuingEducationView::of(row, &state.keys)?),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// One holder's full ID number (matched by its keyed hash; never stored or logged).
    pub id_number: Option<String>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Lists continuing-education records, newest completion first: a training institution its
/// own, city staff every one, district staff those of holders an enterprise of their district
/// employs now.
#[utoipa::path(get, path = "/continuing-education", tag = "training", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ContinuingEducationView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn list_records(
    State(state): State<AppState>,
    AnyCaller(caller): AnyCaller,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Vec<ContinuingEducationView>>> {
    caller.require(READERS)?;
    let holder = match query.id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => {
            let id_number = IdNumber::parse(raw).map_err(|e| {
                let mut invalid = Invalid::default();
                invalid.push("id_number", e.code, e.message.clone());
                invalid.finish().unwrap_err()
            })?;
            Some(crate::people::id_number_key(&state.keys, id_number.as_str()))
        }
        None => None,
    };
    let (limit, offset) = Page {
        page: query.page,
        per_page: query.per_page,
    }
    .limit_offset();
    let rows = store::list(&state.db, &caller.bounds(), holder.as_deref(), limit, offset).await?;
    Ok(Json(ContinuingEducationView::all(rows, &state.keys)?))
}

/// My continuing education (继续教育栏): the records entered under the ID number the person
/// registered with, newest completion first. Real-name registration first.
#[utoipa::path(get, path = "/people/me/continuing-education", tag = "training", params(Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<ContinuingEducationView>), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn my_records(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ContinuingEducationView>>> {
    caller.require(&[Role::Person])?;
    let person = caller.person_id().ok_or_else(ApiError::forbidden_role)?;
    if crate::people::identity_of(&state.db, &state.keys, person)
        .await?
        .is_none()
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "person.not_registered",
            "请先完成实名登记",
            "Complete the real-name registration first",
        ));
    }
    crate::people::require_active(&state.db, person).await?;
    let (limit, offset) = page.limit_offset();
    let rows = store::list(&state.db, &caller.bounds(), None, limit, offset).await?;
    Ok(Json(ContinuingEducationView::all(rows, &state.keys)?))
}
