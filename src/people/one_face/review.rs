//! City staff's review of registrations held because their face matched another identity:
//! the list, one review with its evidence, and the decision (approve: twins exist; refuse),
//! each decision an act with its reason. Approval makes the person registered; refusal closes
//! the registration: the held identity is removed (its ID number is free again, its face
//! leaves every instance's index), the review keeps the evidence and the photos stay locked to
//! it. The person is told either way in their inbox.

use crate::openapi::register::routes;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use super::store::{self, MatchRow, ReviewRow};
use super::Match;
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::notify::outbox::{self, Recipient};
use crate::people::store::{IdentityView, NewIdentity};
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::{DocumentId, PersonId, RegistrationReviewId};
use crate::platform::paging::Page;
use crate::platform::types::{Text, MULTILINE};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_reviews))
        .routes(routes!(get_review))
        .routes(routes!(decide_review))
}

/// The record held registrations' photos are locked to once refused.
const REFUSED_PHOTOS: &str = "registration_review";

/// Opens the review of a registration just held, in its transaction, with the evidence.
pub async fn hold(tx: &mut Conn, state: &AppState, new: &NewIdentity<'_>, matches: &[Match]) -> ApiResult<()> {
    let id = RegistrationReviewId::new();
    let review = store::NewReview {
        id: &id,
        person: new.person_id,
        id_number_masked: new.id_number_masked,
        portrait: new.portrait_document_id,
        selfie: new.selfie_document_id,
    };
    let evidence: Vec<(PersonId, f32)> = matches.iter().map(|m| (m.person.clone(), m.distance)).collect();
    store::hold(&mut *tx, &review, &evidence, state.clock.now_ms()).await?;
    Ok(())
}

/// One identity the held face matched, as staff see it.
#[derive(Serialize, ToSchema)]
pub struct MatchView {
    #[serde(flatten)]
    pub evidence: MatchRow,
    /// The matched identity now (name, masked numbers, portrait); absent if it is gone.
    pub identity: Option<IdentityView>,
    /// The matched identity's registration selfie (readable by city staff while held).
    #[schema(value_type = Option<String>)]
    pub selfie_document_id: Option<DocumentId>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = RegistrationReview)]
pub struct ReviewView {
    #[schema(value_type = String)]
    pub id: RegistrationReviewId,
    #[schema(value_type = String)]
    pub person_id: PersonId,
    /// held | approved | refused
    pub state: String,
    /// The held identity's name; absent once refused (the identity is removed).
    pub name: Option<String>,
    /// e.g. `110105********002X`
    pub id_number: String,
    #[schema(value_type = String)]
    pub portrait_document_id: DocumentId,
    #[schema(value_type = String)]
    pub selfie_document_id: DocumentId,
    /// Unix milliseconds.
    pub held_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
    /// The enrolled identities the face matched, nearest first.
    pub matches: Vec<MatchView>,
}

async fn view(conn: &mut Conn, state: &AppState, row: ReviewRow) -> ApiResult<ReviewView> {
    let mut matches = Vec::new();
    for evidence in store::matches(&mut *conn, &row.id).await? {
        let identity = crate::people::store::identity(&mut *conn, &evidence.matched_person_id).await?;
        matches.push(MatchView {
            selfie_document_id: identity.as_ref().map(|i| i.selfie_document_id.clone()),
            identity: identity.map(|i| i.view(&state.keys)),
            evidence,
        });
    }
    let name = crate::people::store::identity(&mut *conn, &row.person_id)
        .await?
        .map(|i| i.view(&state.keys).name);
    Ok(ReviewView {
        id: row.id,
        person_id: row.person_id,
        state: row.state,
        name,
        id_number: row.id_number_masked,
        portrait_document_id: row.portrait_document_id,
        selfie_document_id: row.selfie_document_id,
        held_at: row.held_at,
        decided_by: row.decided_by,
        decided_at: row.decided_at,
        reason: row.reason,
        matches,
    })
}

/// City staff decide held registrations (a system administrator sees no person).
fn require_reviewer(caller: &Caller) -> ApiResult<()> {
    caller.require(&[Role::City])
}

fn not_found() -> ApiError {
    ApiError::not_found("实名登记审核", "Registration review")
}

#[derive(Deserialize, IntoParams, Clone)]
#[into_params(parameter_in = Query)]
pub struct ReviewsQuery {
    /// held (default) | approved | refused | all
    pub state: Option<String>,
    /// 1-based page number (default 1, at most 1000000).
    #[serde(default, deserialize_with = "crate::platform::paging::page")]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 200).
    #[serde(default, deserialize_with = "crate::platform::paging::per_page")]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Registrations held for review (or decided ones), oldest first, with their evidence.
#[utoipa::path(get, path = "/people/registration-reviews", tag = "people", params(ReviewsQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ReviewView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_reviews(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ReviewsQuery>,
) -> ApiResult<Json<Vec<ReviewView>>> {
    Ok(Json(reviews(&state, &caller, q, store::ReviewOrder::default()).await?))
}

/// The held (or decided) registrations, for city staff, paged in `order`:
/// `GET /people/registration-reviews` (the oldest first) and the staff console's table.
pub async fn reviews(
    state: &AppState,
    caller: &Caller,
    q: ReviewsQuery,
    order: store::ReviewOrder,
) -> ApiResult<Vec<ReviewView>> {
    require_reviewer(caller)?;
    let wanted = wanted_state(&q)?;
    let (limit, offset) = Page {
        page: q.page,
        per_page: q.per_page,
    }
    .limit_offset();
    let mut conn = state.db.acquire().await?;
    let mut out = Vec::new();
    for row in store::reviews(&mut *conn, wanted, order, limit, offset).await? {
        out.push(view(&mut conn, state, row).await?);
    }
    Ok(out)
}

/// How many reviews the query's state selects.
pub async fn count(state: &AppState, caller: &Caller, q: ReviewsQuery) -> ApiResult<i64> {
    require_reviewer(caller)?;
    Ok(store::count_reviews(&state.db, wanted_state(&q)?).await?)
}

/// The state a query asks for: held by default, `None` for all.
fn wanted_state(q: &ReviewsQuery) -> ApiResult<Option<&'static str>> {
    match q.state.as_deref().unwrap_or("held") {
        "all" => Ok(None),
        "held" => Ok(Some("held")),
        "approved" => Ok(Some("approved")),
        "refused" => Ok(Some("refused")),
        _ => {
            let mut invalid = crate::platform::error::Invalid::default();
            invalid.field(
                "state",
                "review.state_unknown",
                "state 须为 held、approved、refused 或 all",
                "state must be held, approved, refused or all",
            );
            Err(invalid.finish().unwrap_err())
        }
    }
}

/// One review with its evidence.
#[utoipa::path(get, path = "/people/registration-reviews/{id}", tag = "people", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = ReviewView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrationReviewId>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(read(&state, &caller, &id).await?))
}

/// One review with its evidence, for city staff.
pub async fn read(state: &AppState, caller: &Caller, id: &RegistrationReviewId) -> ApiResult<ReviewView> {
    require_reviewer(caller)?;
    let mut conn = state.db.acquire().await?;
    let row = store::review(&mut *conn, id).await?.ok_or_else(not_found)?;
    view(&mut conn, state, row).await
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationDecision {
    /// Different people after all (twins exist): the person is registered.
    Approve,
    /// The registration is closed: the identity is removed, the ID number free again.
    Refuse,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RegistrationDecisionBody)]
pub struct DecisionBody {
    pub decision: RegistrationDecision,
    /// Why (e.g. 现场核验身份证，系双胞胎): kept with the review and the audit event.
    #[schema(value_type = String)]
    pub reason: Text<500, MULTILINE>,
}

/// City staff decide a held registration with a reason. Approve: the person is registered
/// and may do face-checked acts. Refuse: the registration is closed. The person is told in
/// their inbox. A review already decided answers 409 `review.decided`.
#[utoipa::path(post, path = "/people/registration-reviews/{id}/decision", tag = "people", params(("id" = String, Path)),
    request_body = DecisionBody, security(("bearer" = [])),
    responses((status = 200, body = ReviewView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide_review(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<RegistrationReviewId>,
    Json(body): Json<DecisionBody>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(decide(&state, &caller, &act, &id, body).await?))
}

/// City staff's decision on a held registration: the API's decision and the staff console's.
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &RegistrationReviewId,
    body: DecisionBody,
) -> ApiResult<ReviewView> {
    require_reviewer(caller)?;
    let target = format!("registration_review:{id}");
    act.set_target(target.clone());
    let row = store::review(&state.db, id).await?.ok_or_else(not_found)?;
    let now = state.clock.now_ms();
    let reason = body.reason.as_str();
    let mut tx = act.begin().await?;
    let (to, kind) = match body.decision {
        RegistrationDecision::Approve => ("approved", "people.registration_approved"),
        RegistrationDecision::Refuse => ("refused", "people.registration_refused"),
    };
    if !store::decide(&mut *tx, id, to, &caller.account_id, reason, now).await? {
        return Err(ApiError::conflict(
            "review.decided",
            "该实名登记已审核完毕",
            "This registration has already been decided",
        ));
    }
    match body.decision {
        RegistrationDecision::Approve => store::activate(&mut tx, &row.person_id, now).await?,
        RegistrationDecision::Refuse => close(&mut tx, &row).await?,
    }
    let params = json!({"review_id": id, "reason": reason});
    outbox::enqueue(&mut tx, Recipient::PersonInbox(&row.person_id), kind, params, now).await?;
    let decided = store::review(&mut *tx, id).await?.ok_or_else(not_found)?;
    let view = view(&mut tx, state, decided).await?;
    act.commit(tx, target).await?;
    Ok(view)
}

/// Closes a refused registration: removes the held identity, tells every index, and locks
/// the photos to the review.
async fn close(tx: &mut Conn, row: &ReviewRow) -> ApiResult<()> {
    let seq = store::next_seq(&mut *tx).await?;
    if !store::remove_held_identity(&mut *tx, &row.person_id).await? {
        return Err(ApiError::internal("a held review without its held identity"));
    }
    store::mark(&mut *tx, &row.person_id, seq).await?;
    for document in [&row.portrait_document_id, &row.selfie_document_id] {
        crate::documents::attach(&mut *tx, document, REFUSED_PHOTOS, row.id.as_str()).await?;
    }
    Ok(())
}
