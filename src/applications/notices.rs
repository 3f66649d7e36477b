//! The notices of an application's steps (issue 16: notifications go out at each step): the
//! enterprise that must confirm is told by SMS; the applying person follows every step in
//! their inbox; an approval or refusal reaches the person and the enterprise it is for.

use serde_json::json;

use super::kinds::{ApplicationKind, ApplicationState, Step};
use super::store::ApplicationRow;
use crate::notify::outbox::{self, Recipient};
use crate::platform::db::Conn;
use crate::platform::error::ApiResult;
use crate::state::AppState;

/// What an approval produced, by name: the certificate's number, or the enterprise's new name.
fn subject(row: &ApplicationRow) -> String {
    match (row.kind, &row.certificate_number) {
        (ApplicationKind::NameChange, _) => row.detail().new_enterprise_name.unwrap_or_default(),
        (_, Some(number)) => number.clone(),
        _ => row.detail().certificate.and_then(|c| c.number).unwrap_or_default(),
    }
}

/// Sends the notices of the state `row` has just reached; `opinion` is the decision's.
pub async fn announce(
    conn: &mut Conn,
    state: &AppState,
    row: &ApplicationRow,
    opinion: Option<&str>,
    now: i64,
) -> ApiResult<()> {
    let view = row.view(&state.keys);
    let params = json!({
        "application_id": row.id,
        "service": view.service,
        "holder": view.applicant_name,
        "subject": subject(row),
        "opinion": opinion.unwrap_or_default(),
    });
    let person = row.person_id.as_ref();
    match (row.state, row.waiting_for) {
        (ApplicationState::InProgress, Some(step)) => {
            if let (Step::Enterprise, Some(enterprise)) = (step, &row.confirming_enterprise_id) {
                let to = Recipient::EnterpriseContact(enterprise);
                outbox::enqueue(conn, to, "application.to_confirm", params.clone(), now).await?;
            }
            if let Some(person) = person {
                let kind = match step {
                    Step::Enterprise => "application.awaiting_enterprise",
                    Step::District => "application.awaiting_district",
                    Step::City => "application.awaiting_city",
                };
                outbox::enqueue(conn, Recipient::PersonInbox(person), kind, params, now).await?;
            }
        }
        (ApplicationState::Approved | ApplicationState::Refused, _) => {
            let kind = if row.state == ApplicationState::Approved {
                "application.approved"
            } else {
                "application.refused"
            };
            if let Some(person) = person {
                outbox::enqueue(conn, Recipient::PersonInbox(person), kind, params.clone(), now).await?;
            }
            outbox::enqueue(
                conn,
                Recipient::EnterpriseContact(&row.enterprise_id),
                kind,
                params,
                now,
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}
