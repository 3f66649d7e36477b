//! The task page's forms: the live check of a selection, its submission (or a replacement's)
//! and the appeal of a refused check-in, each through the function of the API's endpoint.

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::Response,
};
use serde_json::json;

use super::{show, words, Broken, Shown};
use crate::audit::Act;
use crate::console::page::{api_body, Notice};
use crate::console::session::Console;
use crate::platform::error::ApiResult;
use crate::platform::ids::{CheckInAttemptId, EmploymentId, VerificationTaskId};
use crate::state::AppState;
use crate::verification::review::{appeal_attempt, AppealBody};
use crate::verification::selection::{replace, submit, violations, SelectionBody};

/// The selection form: the people ticked (`employment_ids`, repeated) and whether it replaces
/// people who left (`mode=replacement`). The guard has checked its form token.
struct Picks {
    ids: Vec<String>,
    replacement: bool,
}

fn picks_of(body: &Bytes) -> Picks {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    Picks {
        ids: pairs
            .iter()
            .filter(|(k, _)| k == "employment_ids")
            .map(|(_, v)| v.clone())
            .collect(),
        replacement: pairs.iter().any(|(k, v)| k == "mode" && v == "replacement"),
    }
}

/// The API's body of a selection (its ids read as the API reads them).
fn body_of(picks: &Picks) -> ApiResult<SelectionBody> {
    api_body(json!({ "employment_ids": picks.ids }))
}

/// `POST /enterprise/verification/{id}/check`: every rule the ticked people break, as the
/// submission would refuse them (`selection::violations`), listed before submitting.
pub async fn check(State(state): State<AppState>, console: Console, Path(id): Path<String>, body: Bytes) -> Response {
    let picks = picks_of(&body);
    let found = async {
        let task: VerificationTaskId = api_body(json!(id))?;
        let ids: Vec<EmploymentId> = body_of(&picks)?.employment_ids;
        violations(&state, &console.caller, &task, &ids).await
    };
    let mut shown = Shown::default();
    match found.await {
        Ok(broken) => {
            let lang = console.lang;
            shown.checked = Some(
                broken
                    .iter()
                    .map(|e| Broken {
                        code: e.code.to_owned(),
                        message: e.message.pick(lang).to_string(),
                    })
                    .collect(),
            );
        }
        Err(error) => shown.outcome = Some((error.status, Notice::refused(&error, console.lang))),
    }
    shown.picks = Some(picks.ids);
    show(&state, &console, &id, shown).await
}

/// `POST /enterprise/verification/{id}/selection`: the API's selection, or its replacement of
/// people who left; refused, the ticks stay as they were.
pub async fn select(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let w = words(&console);
    let picks = picks_of(&body);
    let done = async {
        let task: VerificationTaskId = api_body(json!(id))?;
        let body = body_of(&picks)?;
        if picks.replacement {
            replace(&state, &console.caller, act, &task, &body).await?;
            Ok(w.replacement_submitted.to_owned())
        } else {
            submit(&state, &console.caller, act, &task, &body).await?;
            Ok(w.selection_submitted.to_owned())
        }
    };
    let done = done.await;
    let shown = Shown {
        picks: done.is_err().then_some(picks.ids),
        outcome: Some(Notice::outcome(done, console.lang)),
        ..Shown::default()
    };
    show(&state, &console, &id, shown).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct AppealForm {
    attempt: String,
    note: String,
}

/// `POST /enterprise/verification/{id}/appeals`: the API's appeal of a refused check-in.
pub async fn appeal(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<AppealForm>,
) -> Response {
    let w = words(&console);
    let done = async {
        let attempt: CheckInAttemptId = api_body(json!(form.attempt))?;
        let body: AppealBody = api_body(json!({ "note": form.note }))?;
        appeal_attempt(&state, &console.caller, act, &attempt, &body).await?;
        Ok(w.appealed.to_owned())
    };
    let shown = Shown {
        outcome: Some(Notice::outcome(done.await, console.lang)),
        ..Shown::default()
    };
    show(&state, &console, &id, shown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ticked_people_are_read_in_order_with_the_mode() {
        let picks = picks_of(&Bytes::from_static(
            b"csrf=t&employment_ids=e1&mode=replacement&employment_ids=e%202",
        ));
        assert_eq!(picks.ids, ["e1", "e 2"]);
        assert!(picks.replacement);
        let none = picks_of(&Bytes::from_static(b"csrf=t"));
        assert!(none.ids.is_empty() && !none.replacement);
        let body = body_of(&none).map(|b| b.employment_ids.len()).ok();
        assert_eq!(body, Some(0), "nothing ticked: the API's rules say what is missing");
    }
}
