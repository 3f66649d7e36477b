//! The home page, what awaits the staff member's decision (the staff inbox the API answers at
//! `GET /staff/inbox`, `notify::awaiting::staff_inbox_of`), and a page for each queue.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};

use super::page::{html, not_found, refused, Frame};
use super::session::Console;
use crate::notify::awaiting::{staff_inbox_of, AwaitingGroup, StaffInbox};
use crate::platform::clock::china_time;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "console/home.html")]
struct HomePage {
    frame: Frame,
    inbox: StaffInbox,
}

/// `GET /console/`: a card per kind of record the staff member decides, with its count,
/// linking to its queue. htmx refreshes the cards every minute.
pub async fn home(State(state): State<AppState>, console: Console) -> Response {
    match staff_inbox_of(&state, &console.caller, console.lang).await {
        Ok(inbox) => html(
            StatusCode::OK,
            HomePage {
                frame: Frame::of(&console, "home", "/console/"),
                inbox,
            },
        ),
        Err(error) => refused(&console, "/console/", &error),
    }
}

/// An item of a queue, as listed, with the console page that decides it (if there is one).
struct Line {
    body: String,
    since: String,
    link: Option<String>,
}

/// The console page of an inbox item's record, by the item's `target_kind`.
fn page_of(target_kind: &str, target_id: &str) -> Option<String> {
    match target_kind {
        "assessment" => Some(format!("/console/assessments/{target_id}")),
        "daily_event" => Some(format!("/console/daily-events/{target_id}")),
        "verification_task" => Some(format!("/console/verification/tasks/{target_id}")),
        // Opens the attempt on its task's progress page (`verification::appeals::check_in`).
        "check_in_attempt" => Some(format!("/console/verification/check-ins/{target_id}")),
        "registration_review" => Some(format!("/console/registrations/{target_id}")),
        "application" => Some(format!("/console/applications/{target_id}")),
        "exam_registration" => Some(format!("/console/exam-registrations/{target_id}")),
        "project_assessment" => Some(format!("/console/project-assessments/{target_id}")),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct QueuePage {
    frame: Frame,
    title: String,
    count: i64,
    lines: Vec<Line>,
}

/// `GET /console/queues/{kind}`: the records of one kind awaiting the staff member, oldest
/// first (the inbox lists the first 50).
pub async fn queue(State(state): State<AppState>, console: Console, Path(kind): Path<String>) -> Response {
    let path = format!("/console/queues/{kind}");
    let inbox = match staff_inbox_of(&state, &console.caller, console.lang).await {
        Ok(inbox) => inbox,
        Err(error) => return refused(&console, &path, &error),
    };
    let Some(group) = inbox.groups.into_iter().find(|g| g.kind == kind) else {
        return not_found(&console, &path);
    };
    let AwaitingGroup {
        title, count, items, ..
    } = group;
    let lines = items
        .into_iter()
        .map(|item| Line {
            link: page_of(&item.target_kind, &item.target_id),
            body: item.body,
            since: china_time(item.since),
        })
        .collect();
    html(
        StatusCode::OK,
        QueuePage {
            frame: Frame::of(&console, "home", &path),
            title,
            count,
            lines,
        },
    )
}
