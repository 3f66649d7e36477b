//! State changes of records that keep a history table of their own (project assessments,
//! daily events): a compare-and-set on the state plus a history row (who, when, from, to,
//! opinion), in the caller's transaction.

use serde::Serialize;
use utoipa::ToSchema;

use crate::assessments::rules::State;
use crate::platform::db::{new_id, Conn, Executor};

/// A record table, its history table and the history's key column.
pub struct Lifecycle {
    table: &'static str,
    history: &'static str,
    key: &'static str,
}

pub const PROJECT_ASSESSMENTS: Lifecycle = Lifecycle {
    table: "project_assessments",
    history: "project_assessment_history",
    key: "assessment_id",
};

pub const DAILY_EVENTS: Lifecycle = Lifecycle {
    table: "daily_events",
    history: "daily_event_history",
    key: "event_id",
};

/// One state change.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StateChange {
    pub from_state: String,
    pub to_state: String,
    pub actor: String,
    pub opinion: Option<String>,
    pub at: i64,
}

impl Lifecycle {
    /// Writes a history row.
    #[allow(clippy::too_many_arguments)]
    pub async fn record(
        &self,
        db: impl Executor<'_>,
        id: &str,
        from: &str,
        to: State,
        actor: &str,
        opinion: Option<&str>,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(&format!(
            "INSERT INTO {} (id, {}, from_state, to_state, actor, opinion, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            self.history, self.key
        ))
        .bind(new_id())
        .bind(id)
        .bind(from)
        .bind(to.as_str())
        .bind(actor)
        .bind(opinion)
        .bind(now)
        .execute(db)
        .await?;
        Ok(())
    }

    /// Moves the record from `from` to `to` if it is still in `from`, and records it; `false`
    /// when another request moved it first.
    #[allow(clippy::too_many_arguments)]
    pub async fn advance(
        &self,
        conn: &mut Conn,
        id: &str,
        from: State,
        to: State,
        actor: &str,
        opinion: Option<&str>,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let moved = sqlx::query(&format!(
            "UPDATE {} SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
            self.table
        ))
        .bind(to.as_str())
        .bind(now)
        .bind(id)
        .bind(from)
        .execute(&mut *conn)
        .await?;
        if moved.rows_affected() != 1 {
            return Ok(false);
        }
        self.record(&mut *conn, id, from.as_str(), to, actor, opinion, now)
            .await?;
        Ok(true)
    }

    /// The record's state changes, oldest first.
    pub async fn changes(&self, db: impl Executor<'_>, id: &str) -> Result<Vec<StateChange>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT from_state, to_state, actor, opinion, at FROM {} WHERE {} = $1 ORDER BY at, id",
            self.history, self.key
        ))
        .bind(id)
        .fetch_all(db)
        .await
    }
}
