//! The state machine of an application: submitted, it waits at the first step of its chain;
//! each step passes it on or ends it refused; the last step's approval carries it out. Every
//! move is one conditional update on the step it leaves, an event, and the notices, in the
//! act's transaction.

use super::kinds::{Action, ApplicationKind, ApplicationState, Step};
use super::notices;
use super::rules::Bar;
use super::store::{self, ApplicationRow, NewApplication, NewEvent};
use super::view::Detail;
use crate::auth::Bounds;
use crate::certificates::changes::Actor;
use crate::platform::db::{is_unique_violation, Conn};
use crate::platform::error::{ApiError, ApiResult, Message};
use crate::platform::ids::{ApplicationId, CertificateId, DocumentId, EnterpriseId, PersonId};
use crate::state::AppState;

/// Who acts: `person`, `enterprise` or `staff`, and the account.
pub struct By<'a> {
    pub kind: &'a str,
    pub id: &'a str,
}

/// An application to create.
pub struct Submission<'a> {
    pub kind: ApplicationKind,
    pub applicant: String,
    pub person_id: Option<&'a PersonId>,
    pub certificate_id: Option<&'a CertificateId>,
    /// The enterprise that confirms, when the chain starts with the enterprise.
    pub confirming_enterprise_id: Option<&'a EnterpriseId>,
    pub enterprise_id: &'a EnterpriseId,
    pub district_code: &'a str,
    pub steps: Vec<Step>,
    pub detail: Detail,
    pub document_id: Option<&'a DocumentId>,
}

/// 422 naming every failed condition, each as an error on `field`.
pub fn barred(bars: &[Bar], field: &str) -> ApiError {
    bars.iter().fold(
        ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "application.conditions_not_met",
            "不满足办理条件，见各项原因",
            "The conditions of this service are not met; see each reason",
        ),
        |error, bar| {
            let (zh, en) = bar.message();
            error.with_field(field, bar.code(), Message::new(zh, en))
        },
    )
}

fn moved_on() -> ApiError {
    ApiError::conflict(
        "application.not_waiting",
        "该办件已办理或已结束",
        "This application has been acted on or has ended",
    )
}

/// Creates the application, waiting at its chain's first step, and tells who acts first.
pub async fn submit(
    conn: &mut Conn,
    state: &AppState,
    s: Submission<'_>,
    by: &By<'_>,
    now: i64,
) -> ApiResult<ApplicationRow> {
    let new = NewApplication {
        kind: s.kind,
        applicant: s.applicant,
        person_id: s.person_id,
        certificate_id: s.certificate_id,
        confirming_enterprise_id: s.confirming_enterprise_id,
        enterprise_id: s.enterprise_id,
        district_code: s.district_code,
        steps: &s.steps,
        detail: serde_json::to_string(&s.detail).map_err(ApiError::internal)?,
        document_id: s.document_id,
    };
    let id = match store::insert(conn, &new, now).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Err(barred(&[Bar::InProgress], "conditions")),
        Err(e) => return Err(e.into()),
    };
    if let Some(document) = s.document_id {
        if !crate::documents::attach(&mut *conn, document, "application", id.as_str()).await? {
            return Err(ApiError::internal("a checked document could not be attached"));
        }
    }
    store::add_event(conn, &id, &event(by, 0, Action::Submitted), now).await?;
    let row = reread(conn, &id).await?;
    notices::announce(conn, state, &row, None, now).await?;
    Ok(row)
}

/// What the actor at the current step decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pass,
    Refuse,
}

/// A decision with what is recorded with it.
pub struct Verdict<'a> {
    pub decision: Decision,
    pub opinion: Option<&'a str>,
    /// Staff checked the original at the desk.
    pub original_checked: bool,
}

/// Passes the application to its next step, approves it at its last (carrying it out), or
/// refuses it. A step someone else acted on first is a 409.
pub async fn decide(
    conn: &mut Conn,
    state: &AppState,
    app: &ApplicationRow,
    by: &By<'_>,
    verdict: &Verdict<'_>,
    now: i64,
) -> ApiResult<ApplicationRow> {
    let decision = verdict.decision;
    let steps = app.steps();
    let at = app.step;
    let here = usize::try_from(at).ok().and_then(|i| steps.get(i).copied());
    let next = usize::try_from(at + 1).ok().and_then(|i| steps.get(i).copied());
    let by_enterprise = here == Some(Step::Enterprise);
    let action = match (decision, next, by_enterprise) {
        (Decision::Refuse, _, true) => Action::Declined,
        (Decision::Refuse, _, false) => Action::Refused,
        (Decision::Pass, _, true) => Action::Confirmed,
        (Decision::Pass, Some(_), false) => Action::Accepted,
        (Decision::Pass, None, false) => Action::Approved,
    };
    let moved = match (decision, next) {
        (Decision::Refuse, _) => store::finish(conn, &app.id, at, ApplicationState::Refused, now).await?,
        (Decision::Pass, Some(next)) => store::advance(conn, &app.id, at, next, now).await?,
        (Decision::Pass, None) => store::finish(conn, &app.id, at, ApplicationState::Approved, now).await?,
    };
    if !moved {
        return Err(moved_on());
    }
    let event = NewEvent {
        opinion: verdict.opinion,
        original_checked: verdict.original_checked,
        ..event(by, at, action)
    };
    store::add_event(conn, &app.id, &event, now).await?;
    if decision == Decision::Pass && next.is_none() {
        let actor = Actor {
            kind: by.kind,
            id: by.id,
            application_id: app.id.as_str(),
        };
        super::effects::carry_out(conn, state, app, &actor, now).await?;
    }
    let row = reread(conn, &app.id).await?;
    notices::announce(conn, state, &row, verdict.opinion, now).await?;
    Ok(row)
}

/// The applicant withdraws an application in progress.
pub async fn withdraw(
    conn: &mut Conn,
    state: &AppState,
    app: &ApplicationRow,
    by: &By<'_>,
    now: i64,
) -> ApiResult<ApplicationRow> {
    if !store::finish(conn, &app.id, app.step, ApplicationState::Withdrawn, now).await? {
        return Err(moved_on());
    }
    store::add_event(conn, &app.id, &event(by, app.step, Action::Withdrawn), now).await?;
    let row = reread(conn, &app.id).await?;
    notices::announce(conn, state, &row, None, now).await?;
    Ok(row)
}

/// An act's event with no opinion and no desk check.
fn event<'a>(by: &'a By<'a>, step: i64, action: Action) -> NewEvent<'a> {
    NewEvent {
        step,
        action,
        actor_kind: by.kind,
        actor_id: by.id,
        opinion: None,
        original_checked: false,
    }
}

async fn reread(conn: &mut Conn, id: &ApplicationId) -> ApiResult<ApplicationRow> {
    store::get(&mut *conn, id, &Bounds::City)
        .await?
        .ok_or_else(|| ApiError::internal("an application just written is gone"))
}
