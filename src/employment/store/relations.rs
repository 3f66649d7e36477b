//! Employment relations (聘用关系): current and past, ending them, the technical lead.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{joined, person_name, BOUNDS};
use crate::auth::Bounds;
use crate::notify::outbox::{self, Recipient};
use crate::platform::crypto::Keys;
use crate::platform::db::{Conn, Executor};
use crate::platform::ids::{EmploymentId, EnterpriseId, PersonId};

/// The person's active employment, as (employment id, enterprise id).
pub async fn active_employer(
    db: impl Executor<'_>,
    person_id: &PersonId,
) -> Result<Option<(EmploymentId, EnterpriseId)>, sqlx::Error> {
    sqlx::query_as("SELECT id, enterprise_id FROM employments WHERE person_id = $1 AND state = 'active'")
        .bind(person_id)
        .fetch_optional(db)
        .await
}

const EMPLOYMENT_COLUMNS: &str =
    "x.id, x.enterprise_id, x.person_id, x.position, x.contract_start, x.contract_end, x.state, \
    x.started_at, x.ended_at, x.ended_by, x.end_reason, x.technical_lead";

#[derive(sqlx::FromRow)]
pub struct EmploymentRow {
    pub id: EmploymentId,
    pub enterprise_id: EnterpriseId,
    pub person_id: PersonId,
    pub position: String,
    pub contract_start: String,
    pub contract_end: String,
    pub state: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub ended_by: Option<String>,
    pub end_reason: Option<String>,
    pub technical_lead: i64,
    pub enterprise_name: String,
    pub name_sealed: String,
    pub id_number_masked: String,
}

/// An employment relation (聘用关系), current or past.
#[derive(Serialize, ToSchema)]
pub struct EmploymentView {
    #[schema(value_type = String)]
    pub id: EmploymentId,
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    #[schema(value_type = String)]
    pub person_id: PersonId,
    pub person_name: String,
    pub person_id_number: String,
    pub position: String,
    pub contract_start: String,
    pub contract_end: String,
    #[schema(value_type = EmploymentState)]
    pub state: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    /// Which side ended it.
    #[schema(value_type = Option<EmploymentEndedBy>)]
    pub ended_by: Option<String>,
    pub end_reason: Option<String>,
    /// 技术负责人
    pub technical_lead: bool,
}

/// Whether an employment goes on (documents `EmploymentView.state`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // documents the values of a text column
enum EmploymentState {
    Active,
    Ended,
}

/// Who ended an employment (documents `EmploymentView.ended_by`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // documents the values of a text column
enum EmploymentEndedBy {
    Enterprise,
    Person,
}

impl EmploymentRow {
    pub fn view(self, keys: &Keys) -> EmploymentView {
        EmploymentView {
            person_name: person_name(keys, &self.person_id, &self.name_sealed),
            id: self.id,
            enterprise_id: self.enterprise_id,
            enterprise_name: self.enterprise_name,
            person_id: self.person_id,
            person_id_number: self.id_number_masked,
            position: self.position,
            contract_start: self.contract_start,
            contract_end: self.contract_end,
            state: self.state,
            started_at: self.started_at,
            ended_at: self.ended_at,
            ended_by: self.ended_by,
            end_reason: self.end_reason,
            technical_lead: self.technical_lead == 1,
        }
    }
}

pub async fn get_employment(
    db: impl Executor<'_>,
    id: &EmploymentId,
    bounds: &Bounds,
) -> Result<Option<EmploymentRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    within
        .bind(
            sqlx::query_as(&format!(
                "{} WHERE x.id = $1 AND {within}",
                joined("employments", EMPLOYMENT_COLUMNS)
            ))
            .bind(id),
        )
        .fetch_optional(db)
        .await
}

/// Relations within the bounds, newest first; `active_only` for an enterprise's current staff.
pub async fn list_employments(
    db: impl Executor<'_>,
    bounds: &Bounds,
    enterprise: Option<&str>,
    active_only: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<EmploymentRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 5);
    within
        .bind(
            sqlx::query_as(&format!(
                "{} WHERE ($1 IS NULL OR x.enterprise_id = $1) AND ($2 = 0 OR x.state = 'active') AND {within} \
                 ORDER BY x.started_at DESC, x.id DESC LIMIT $3 OFFSET $4",
                joined("employments", EMPLOYMENT_COLUMNS)
            ))
            .bind(enterprise)
            .bind(i64::from(active_only))
            .bind(limit)
            .bind(offset),
        )
        .fetch_all(db)
        .await
}

/// Ends an active relation; false if it had already ended.
pub async fn end(
    conn: &mut Conn,
    employment: &EmploymentRow,
    by: &str,
    reason: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query("UPDATE employments SET state = 'ended', ended_at = $1, ended_by = $2, end_reason = $3 WHERE id = $4 AND state = 'active'")
        .bind(now)
        .bind(by)
        .bind(reason)
        .bind(&employment.id)
        .execute(&mut *conn)
        .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    let params = json!({"employment_id": employment.id, "enterprise": employment.enterprise_name, "position": employment.position, "ended_by": by, "reason": reason});
    outbox::enqueue(
        &mut *conn,
        Recipient::PersonInbox(&employment.person_id),
        "employment.ended",
        params.clone(),
        now,
    )
    .await?;
    outbox::enqueue(
        &mut *conn,
        Recipient::EnterpriseContact(&employment.enterprise_id),
        "employment.ended",
        params,
        now,
    )
    .await?;
    Ok(true)
}

/// Makes the employee the enterprise's technical lead, in place of any other.
pub async fn set_technical_lead(conn: &mut Conn, employment: &EmploymentRow) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE employments SET technical_lead = 0 WHERE enterprise_id = $1 AND technical_lead = 1")
        .bind(&employment.enterprise_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE employments SET technical_lead = 1 WHERE id = $1")
        .bind(&employment.id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
