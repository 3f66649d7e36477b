//! Check-ins in the staff inbox (`verification.check_in`): an item opens its task's progress
//! page at the attempt (`review::attempt_for_staff` finds the task within the caller's scope),
//! where a flagged attempt is confirmed or voided and an appealed refusal granted or dismissed
//! through the API's `review::decide_appeal_of`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::progress::answer;
use super::TASKS;
use crate::audit::Act;
use crate::console::page::api_body;
use crate::console::page::{refused, see_other, Notice};
use crate::console::session::Console;
use crate::platform::error::Lang;
use crate::platform::ids::{CheckInAttemptId, VerificationTaskId};
use crate::state::AppState;
use crate::verification::review::{attempt_for_staff, decide_appeal_of, AppealDecisionBody};

/// `GET /console/verification/check-ins/{id}`: to the attempt on its task's progress page.
pub async fn check_in(State(state): State<AppState>, console: Console, Path(id): Path<CheckInAttemptId>) -> Response {
    match attempt_for_staff(&state, &console.caller, &id).await {
        Ok(attempt) => see_other(&format!("{TASKS}/{}/progress#attempt-{id}", attempt.task_id)),
        Err(error) => refused(&console, &format!("/console/verification/check-ins/{id}"), &error),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AppealForm {
    /// The task whose progress page comes back.
    task: String,
    decision: String,
    opinion: String,
}

/// `POST /console/verification/check-ins/{id}/appeal`: grant or dismiss an appeal, as the
/// API's `POST /verification/check-ins/{id}/appeal/decision`.
pub async fn decide_appeal(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<CheckInAttemptId>,
    Form(form): Form<AppealForm>,
) -> Response {
    let body = json!({"decision": form.decision, "opinion": form.opinion});
    let decided = match api_body::<AppealDecisionBody>(body) {
        Ok(body) => decide_appeal_of(&state, &console.caller, act, &id, &body).await,
        Err(error) => Err(error),
    };
    let (task, notice) = match decided {
        Ok(result) => (
            result.attempt.task_id,
            (StatusCode::OK, Notice::ok(AppealTexts::of(console.lang).decided)),
        ),
        Err(error) => {
            if form.task.is_empty() {
                return refused(&console, TASKS, &error);
            }
            let notice = (error.status, Notice::refused(&error, console.lang));
            (VerificationTaskId::from(form.task), notice)
        }
    };
    answer(&state, &console, &task, Some(notice)).await
}

/// The words of the appeal form, in Chinese and English.
pub struct AppealTexts {
    pub appeal: &'static str,
    pub grant: &'static str,
    pub dismiss: &'static str,
    pub decided: &'static str,
}

impl AppealTexts {
    pub fn of(lang: Lang) -> &'static AppealTexts {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

pub const ZH: AppealTexts = AppealTexts {
    appeal: "企业申诉",
    grant: "采纳申诉",
    dismiss: "驳回申诉",
    decided: "已处理申诉。",
};

pub const EN: AppealTexts = AppealTexts {
    appeal: "The enterprise's appeal",
    grant: "Grant",
    dismiss: "Dismiss",
    decided: "The appeal is decided.",
};
