//! Employment requests: sent by the enterprise, accepted, refused or withdrawn, or expired.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{joined, person_name, BOUNDS};
use crate::auth::Bounds;
use crate::employment::rules::RequestState;
use crate::notify::outbox::{self, Recipient};
use crate::platform::crypto::Keys;
use crate::platform::db::{Conn, Executor};
use crate::platform::ids::{EmploymentId, EmploymentRequestId, EnterpriseId, PersonId};

const REQUEST_COLUMNS: &str =
    "x.id, x.enterprise_id, x.person_id, x.position, x.contract_start, x.contract_end, x.state, \
    x.created_at, x.expires_at, x.decided_at";

// Requests decode their state strictly.
crate::text_column!(RequestState);

#[derive(sqlx::FromRow)]
pub struct RequestRow {
    pub id: EmploymentRequestId,
    pub enterprise_id: EnterpriseId,
    pub person_id: PersonId,
    pub position: String,
    pub contract_start: String,
    pub contract_end: String,
    pub state: RequestState,
    pub created_at: i64,
    pub expires_at: i64,
    pub decided_at: Option<i64>,
    pub enterprise_name: String,
    pub name_sealed: String,
    pub id_number_masked: String,
}

impl RequestRow {
    pub fn state(&self) -> RequestState {
        self.state
    }

    /// The state at `now`: a pending request past its expiry is expired, whether or not
    /// `expire_due` has marked it so yet.
    pub fn state_at(&self, now: i64) -> RequestState {
        match self.state() {
            RequestState::Pending if self.expires_at <= now => RequestState::Expired,
            state => state,
        }
    }
}

/// An employment request as shown to both sides and to staff.
#[derive(Serialize, ToSchema)]
pub struct RequestView {
    #[schema(value_type = String)]
    pub id: EmploymentRequestId,
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    #[schema(value_type = String)]
    pub person_id: PersonId,
    /// Masked (`张*`) until the person accepts.
    pub person_name: String,
    /// Masked, e.g. `110105********002X`.
    pub person_id_number: String,
    /// 职务
    pub position: String,
    pub contract_start: String,
    pub contract_end: String,
    pub state: RequestState,
    pub created_at: i64,
    pub expires_at: i64,
    pub decided_at: Option<i64>,
}

impl RequestRow {
    pub fn view(self, keys: &Keys) -> RequestView {
        RequestView {
            // Until the person accepts, the enterprise learns no more than the masked name.
            person_name: match self.state() {
                RequestState::Accepted => person_name(keys, &self.person_id, &self.name_sealed),
                _ => crate::platform::types::mask_name(&person_name(keys, &self.person_id, &self.name_sealed)),
            },
            state: self.state(),
            id: self.id,
            enterprise_id: self.enterprise_id,
            enterprise_name: self.enterprise_name,
            person_id: self.person_id,
            person_id_number: self.id_number_masked,
            position: self.position,
            contract_start: self.contract_start,
            contract_end: self.contract_end,
            created_at: self.created_at,
            expires_at: self.expires_at,
            decided_at: self.decided_at,
        }
    }
}

/// Marks pending requests past their expiry as expired.
pub async fn expire_due(db: impl Executor<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE employment_requests SET state = 'expired', decided_at = expires_at WHERE state = 'pending' AND expires_at <= $1")
        .bind(now)
        .execute(db)
        .await
        .map(|_| ())
}

pub async fn get_request(
    db: impl Executor<'_>,
    id: &EmploymentRequestId,
    bounds: &Bounds,
) -> Result<Option<RequestRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    within
        .bind(
            sqlx::query_as(&format!(
                "{} WHERE x.id = $1 AND {within}",
                joined("employment_requests", REQUEST_COLUMNS)
            ))
            .bind(id),
        )
        .fetch_optional(db)
        .await
}

pub async fn list_requests(
    db: impl Executor<'_>,
    bounds: &Bounds,
    enterprise: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RequestRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 4);
    within
        .bind(
            sqlx::query_as(&format!(
                "{} WHERE ($1 IS NULL OR x.enterprise_id = $1) AND {within} ORDER BY x.created_at DESC, x.id DESC LIMIT $2 OFFSET $3",
                joined("employment_requests", REQUEST_COLUMNS)
            ))
            .bind(enterprise)
            .bind(limit)
            .bind(offset),
        )
        .fetch_all(db)
        .await
}

pub async fn enterprise_name(db: impl Executor<'_>, enterprise_id: &EnterpriseId) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM enterprises WHERE id = $1")
        .bind(enterprise_id)
        .fetch_one(db)
        .await
}

pub struct NewRequest<'a> {
    pub enterprise_id: &'a EnterpriseId,
    pub person_id: &'a PersonId,
    pub position: &'a str,
    pub contract_start: &'a str,
    pub contract_end: &'a str,
    pub created_by: &'a str,
    pub enterprise_name: &'a str,
    pub expires_at: i64,
}

/// Inserts a pending request and the person's inbox notice; a unique violation means a
/// pending request between the two already exists.
pub async fn insert_request(conn: &mut Conn, n: &NewRequest<'_>, now: i64) -> Result<EmploymentRequestId, sqlx::Error> {
    let id = EmploymentRequestId::new();
    sqlx::query(
        "INSERT INTO employment_requests (id, enterprise_id, person_id, position, contract_start, contract_end, state, created_by, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9)",
    )
    .bind(&id)
    .bind(n.enterprise_id)
    .bind(n.person_id)
    .bind(n.position)
    .bind(n.contract_start)
    .bind(n.contract_end)
    .bind(n.created_by)
    .bind(now)
    .bind(n.expires_at)
    .execute(&mut *conn)
    .await?;
    let params = json!({"request_id": id, "enterprise": n.enterprise_name, "position": n.position});
    outbox::enqueue(
        &mut *conn,
        Recipient::PersonInbox(n.person_id),
        "employment.requested",
        params,
        now,
    )
    .await?;
    Ok(id)
}

/// Why an acceptance did not land.
pub enum AcceptFailure {
    NoLongerPending,
    AlreadyEmployed,
    Database(sqlx::Error),
}

/// Accepts a pending request: the request and the new active employment, with the notice.
/// The unique index on active employments settles a race between two acceptances.
pub async fn accept(conn: &mut Conn, request: &RequestRow, now: i64) -> Result<EmploymentId, AcceptFailure> {
    let db_error = AcceptFailure::Database;
    let moved = sqlx::query(
        "UPDATE employment_requests SET state = 'accepted', decided_at = $1 WHERE id = $2 AND state = 'pending'",
    )
    .bind(now)
    .bind(&request.id)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    if moved.rows_affected() != 1 {
        return Err(AcceptFailure::NoLongerPending);
    }
    let id = EmploymentId::new();
    let inserted = sqlx::query(
        "INSERT INTO employments (id, enterprise_id, person_id, request_id, position, contract_start, contract_end, state, started_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8)",
    )
    .bind(&id)
    .bind(&request.enterprise_id)
    .bind(&request.person_id)
    .bind(&request.id)
    .bind(&request.position)
    .bind(&request.contract_start)
    .bind(&request.contract_end)
    .bind(now)
    .execute(&mut *conn)
    .await;
    if let Err(e) = inserted {
        return Err(if crate::platform::db::is_unique_violation(&e) {
            AcceptFailure::AlreadyEmployed
        } else {
            AcceptFailure::Database(e)
        });
    }
    let params = json!({"request_id": request.id, "employment_id": id, "enterprise": request.enterprise_name, "position": request.position});
    outbox::enqueue(
        &mut *conn,
        Recipient::EnterpriseContact(&request.enterprise_id),
        "employment.accepted",
        params,
        now,
    )
    .await
    .map_err(db_error)?;
    Ok(id)
}

/// Moves a pending request to `to` (refused or withdrawn); false if it was not pending.
pub async fn close_request(
    conn: &mut Conn,
    request: &RequestRow,
    to: RequestState,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let moved =
        sqlx::query("UPDATE employment_requests SET state = $1, decided_at = $2 WHERE id = $3 AND state = 'pending'")
            .bind(to.as_str())
            .bind(now)
            .bind(&request.id)
            .execute(&mut *conn)
            .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    let params = json!({"request_id": request.id, "enterprise": request.enterprise_name, "position": request.position});
    match to {
        RequestState::Refused => {
            outbox::enqueue(
                &mut *conn,
                Recipient::EnterpriseContact(&request.enterprise_id),
                "employment.refused",
                params,
                now,
            )
            .await?
        }
        _ => {
            outbox::enqueue(
                &mut *conn,
                Recipient::PersonInbox(&request.person_id),
                "employment.withdrawn",
                params,
                now,
            )
            .await?
        }
    }
    Ok(true)
}
