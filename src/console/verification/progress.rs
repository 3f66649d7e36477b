//! A task's progress for staff: who of the round has checked in (the API's
//! `verification::outcomes::progress_rows`), every attempt (`checkin::attempts_of_task`) with its
//! selfie (`review::selfie`, the photo's own scope), distance, face distance and flags; the site
//! and the attempts on a plan (`plan`); flagged attempts confirmed or voided through
//! `review::review_attempt`; the exports through `outcomes::export`.

use std::collections::HashMap;

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::plan::{self, FenceShape, LonLat, Mark, Plan};
use super::TASKS;
use crate::audit::Act;
use crate::console::page::api_body;
use crate::console::page::{html, refused, Frame, Notice};
use crate::console::session::Console;
use crate::platform::clock::china_time;
use crate::platform::error::ApiResult;
use crate::platform::ids::{CheckInAttemptId, VerificationTaskId};
use crate::platform::types::{CoordinateSystem, Coordinates};
use crate::state::AppState;
use crate::verification::checkin::attempts_of_task;
use crate::verification::geofence::to_wgs84;
use crate::verification::outcomes::{export, progress_rows, Export, ProgressRow};
use crate::verification::review::{review_attempt, selfie as selfie_of, CheckInReviewBody};
use crate::verification::store::{AttemptView, TaskRow};

/// An attempt as listed, numbered as on the plan.
struct Line {
    number: usize,
    id: String,
    person: String,
    at: String,
    outcome: String,
    reason: String,
    flags: Vec<String>,
    distance: String,
    face_distance: String,
    accuracy: String,
    has_selfie: bool,
    awaits_review: bool,
    /// The enterprise's appeal note, when its appeal awaits a decision.
    appeal: Option<String>,
}

#[derive(Template)]
#[template(path = "console/verification/progress.html")]
struct ProgressPage {
    frame: Frame,
    task_id: String,
    enterprise: String,
    qualification: String,
    state: String,
    round: i64,
    window_end: String,
    rows: Vec<ProgressRow>,
    lines: Vec<Line>,
    plan: Option<Plan>,
}

/// `GET /console/verification/tasks/{id}/progress`.
pub async fn progress_page(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<VerificationTaskId>,
) -> Response {
    answer(&state, &console, &id, None).await
}

/// The progress page with `notice`, or the API's refusal of the task itself.
pub(super) async fn answer(
    state: &AppState,
    console: &Console,
    id: &VerificationTaskId,
    notice: Option<(StatusCode, Notice)>,
) -> Response {
    let path = format!("{TASKS}/{id}/progress");
    let page = match page(state, console, id, &path).await {
        Ok(page) => page,
        Err(error) => return refused(console, &path, &error),
    };
    match notice {
        Some((status, notice)) => html(
            status,
            ProgressPage {
                frame: page.frame.with(notice),
                ..page
            },
        ),
        None => html(StatusCode::OK, page),
    }
}

async fn page(state: &AppState, console: &Console, id: &VerificationTaskId, path: &str) -> ApiResult<ProgressPage> {
    let (task, rows) = progress_rows(state, &console.caller, id).await?;
    let attempts = attempts_of_task(state, &console.caller, id).await?;
    let frame = Frame::of(console, "verification", path);
    let names: HashMap<_, _> = rows.iter().map(|r| (r.person_id.clone(), r.name.clone())).collect();
    let lines = attempts
        .iter()
        .enumerate()
        .map(|(i, a)| line(i + 1, a, names.get(&a.person_id).cloned().unwrap_or_default()))
        .collect();
    let plan = site_plan(state, &task, &attempts).await?;
    Ok(ProgressPage {
        frame,
        task_id: task.id.to_string(),
        qualification: format!("{} {}", task.category, task.grade),
        state: task.state().as_str().to_owned(),
        round: task.round,
        window_end: task.window_end.clone().unwrap_or_default(),
        enterprise: task.enterprise_name,
        rows,
        lines,
        plan,
    })
}

fn metres(value: Option<f64>) -> String {
    value
        .filter(|v| v.is_finite())
        .map(|v| format!("{v:.0}"))
        .unwrap_or_default()
}

fn line(number: usize, a: &AttemptView, person: String) -> Line {
    Line {
        number,
        id: a.id.to_string(),
        person,
        at: china_time(a.at),
        outcome: a.outcome.clone(),
        reason: a.reason.clone().unwrap_or_default(),
        flags: a
            .flags
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect(),
        distance: metres(a.distance_m),
        face_distance: a.face_distance.map(|d| format!("{d:.3}")).unwrap_or_default(),
        accuracy: metres(a.accuracy_m),
        has_selfie: a.selfie_document_id.is_some(),
        awaits_review: a.awaiting.as_deref() == Some("review"),
        appeal: a
            .decisions
            .iter()
            .find(|d| d.kind == "appeal")
            .filter(|_| a.awaiting.as_deref() == Some("appeal_decision"))
            .map(|d| d.text.clone()),
    }
}

/// An attempt's position as WGS-84, when it has one.
fn position(a: &AttemptView) -> Option<LonLat> {
    let system = a.coordinate_system.as_deref().and_then(CoordinateSystem::parse)?;
    let at = Coordinates::new(a.latitude?, a.longitude?, system).ok()?;
    let p = to_wgs84(at);
    Some(LonLat { lon: p.x(), lat: p.y() })
}

/// The enterprise's fence as the check-in judges it (its polygon, or a circle of its radius or
/// the default one) and the attempts with a position; none without site coordinates.
async fn site_plan(state: &AppState, task: &TaskRow, attempts: &[AttemptView]) -> ApiResult<Option<Plan>> {
    let Some(site) = crate::enterprises::site_of(&state.db, &task.enterprise_id).await? else {
        return Ok(None);
    };
    let Some(centre) = site.position else {
        return Ok(None);
    };
    let wgs = |c: Coordinates| {
        let p = to_wgs84(c);
        LonLat { lon: p.x(), lat: p.y() }
    };
    let fence = match site.polygon.filter(|p| p.len() >= 3) {
        Some(vertices) => FenceShape::Polygon(vertices.into_iter().map(wgs).collect()),
        None => FenceShape::Circle {
            centre: wgs(centre),
            radius_m: site.radius_m.unwrap_or(state.settings.check_in.default_radius_m),
        },
    };
    let points: Vec<_> = attempts
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            position(a).map(|at| plan::Attempt {
                at,
                mark: Mark::of_outcome(&a.outcome),
                label: (i + 1).to_string(),
            })
        })
        .collect();
    Ok(Some(plan::lay_out(&fence, &points)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    /// The task whose progress page comes back.
    task: String,
    decision: String,
    opinion: String,
}

/// `POST /console/verification/check-ins/{id}/review`: confirm or void a flagged attempt, as
/// the API's `POST /verification/check-ins/{id}/review`.
pub async fn review_check_in(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(id): Path<CheckInAttemptId>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let body = json!({"decision": form.decision, "opinion": form.opinion});
    let decided = match api_body::<CheckInReviewBody>(body) {
        Ok(body) => review_attempt(&state, &console.caller, act, &id, &body).await,
        Err(error) => Err(error),
    };
    let (task, notice) = match decided {
        Ok(result) => (
            result.attempt.task_id,
            (StatusCode::OK, Notice::ok(super::console_texts(&console).decided)),
        ),
        Err(error) => {
            let notice = (error.status, Notice::refused(&error, console.lang));
            if form.task.is_empty() {
                return refused(&console, TASKS, &error);
            }
            (VerificationTaskId::from(form.task), notice)
        }
    };
    answer(&state, &console, &task, Some(notice)).await
}

/// `GET /console/verification/check-ins/{id}/selfie`: the attempt's selfie, for the thumbnail.
pub async fn selfie(State(state): State<AppState>, console: Console, Path(id): Path<CheckInAttemptId>) -> Response {
    match selfie_of(&state, &console.caller, &id).await {
        Ok((row, bytes)) => (
            [
                (header::CONTENT_TYPE, row.content_type),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => refused(
            &console,
            &format!("/console/verification/check-ins/{id}/selfie"),
            &error,
        ),
    }
}

/// `GET /console/verification/tasks/{id}/progress.csv`.
pub async fn export_csv(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<VerificationTaskId>,
) -> Response {
    file(&state, &console, &id, Export::Csv).await
}

/// `GET /console/verification/tasks/{id}/progress.xlsx`.
pub async fn export_xlsx(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<VerificationTaskId>,
) -> Response {
    file(&state, &console, &id, Export::Xlsx).await
}

async fn file(state: &AppState, console: &Console, id: &VerificationTaskId, format: Export) -> Response {
    match export(state, &console.caller, id, format).await {
        Ok(response) => response,
        Err(error) => refused(console, &format!("{TASKS}/{id}/progress"), &error),
    }
}
