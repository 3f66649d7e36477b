//! Outcomes of verification: closing overdue tasks (a job), the enterprise's rectification
//! report, and the progress of a task for staff, also as CSV and XLSX.

use crate::openapi::register::routes;
use crate::platform::observe::JobPass;
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::routes::visible;
use super::rules::review::Outcome;
use super::rules::{self, TaskEvent, TaskState};
use super::store::{self, AttemptView, Closing, NextRound, TaskRow};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::documents::rules::{DocState, Purpose};
use crate::platform::clock::china_time;
use crate::platform::csv::Csv;
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::{DocumentId, EmploymentId, PersonId, VerificationTaskId};
use crate::platform::objects::content_disposition;
use crate::platform::types::{Date, Text, MULTILINE};
use crate::platform::web::Json;
use crate::platform::xlsx::{self, Cell, Sheet};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit_rectification))
        .routes(routes!(progress))
        .routes(routes!(progress_csv))
        .routes(routes!(progress_xlsx))
}

const LEASE: &str = "verification.close";

/// Runs `close_overdue` every `check_in.close_interval_secs` until the process ends.
pub async fn run(state: AppState) {
    let interval = state.settings.check_in.close_interval_secs;
    if interval == 0 {
        return;
    }
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(interval)).await;
        if let Err(error) = close_overdue(&state).await {
            state.metrics.job_pass(LEASE, JobPass::Failed);
            tracing::warn!(%error, "closing overdue verification tasks failed");
        }
    }
}

/// Closes tasks whose check-in window has passed (or that were never started in time): a
/// first-time task lapses; a routine task gets a rectification notice with a deadline and the
/// reasons, or is withdrawn when it already had one. Returns how many were closed.
pub async fn close_overdue(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now_ms();
    let lease_ms = (state.settings.check_in.close_interval_secs.max(60) * 1000) as i64;
    if !crate::platform::jobs::acquire(&state.db, LEASE, &state.instance_id, now, lease_ms).await? {
        state.metrics.job_pass(LEASE, JobPass::Skipped);
        return Ok(0);
    }
    let today = Date::today_in_china(now).to_string();
    let mut closed = 0;
    for id in store::overdue_tasks(&state.db, &today).await? {
        let Some(task) = store::task_for_person(&state.db, &id).await? else {
            continue;
        };
        if close(state, &task).await? {
            closed += 1;
        }
    }
    state.metrics.job_pass(LEASE, JobPass::Worked { items: closed as u64 });
    Ok(closed)
}

/// Closes one overdue task in its own transaction, with the job's audit event and the
/// enterprise contact's notice.
async fn close(state: &AppState, task: &TaskRow) -> anyhow::Result<bool> {
    let now = state.clock.now_ms();
    // A task never started counts as a window that expired.
    let to = rules::transition(
        TaskState::CheckingIn,
        TaskEvent::WindowExpired,
        task.kind(),
        task.round as u32,
    )
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let missing = store::missing_people(&state.db, &task.id, task.round).await?;
    let reasons = if task.state() == TaskState::Open {
        "未在期限内设置并提交打卡人员".to_owned()
    } else {
        format!("{} 名打卡人员未在期限内完成打卡", missing.len())
    };
    let deadline = (to == TaskState::Rectification).then(|| {
        Date::today_in_china(now)
            .add_days(i64::from(state.settings.check_in.rectification_days))
            .to_string()
    });
    let closing = Closing {
        to,
        reasons: &reasons,
        deadline,
    };
    let mut tx = crate::platform::db::begin_write(&state.db, state.engine).await?;
    if !store::close_task(&mut tx, task, &closing, now).await? {
        return Ok(false);
    }
    let act = crate::audit::SystemAct {
        job: LEASE,
        action: "close overdue verification task",
        keys: &state.audit_keys,
    };
    act.commit(tx, &format!("verification_task:{}", task.id), now).await?;
    Ok(true)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RectificationBody {
    /// 整改报告
    #[schema(value_type = String)]
    pub report: Text<5000, MULTILINE>,
    /// The signed report as a PDF (a document of purpose `material_scan`).
    #[schema(value_type = String)]
    pub document_id: DocumentId,
}

#[derive(Serialize, ToSchema)]
pub struct RectificationView {
    #[schema(value_type = String)]
    pub task_id: VerificationTaskId,
    pub state: TaskState,
    pub round: i64,
    pub start_deadline: String,
}

/// The enterprise answers a rectification notice with its report (text and PDF); a new round
/// of selection, review and check-in begins.
#[utoipa::path(post, path = "/verification/tasks/{id}/rectification", tag = "verification", params(("id" = String, Path)),
    request_body = RectificationBody, security(("bearer" = [])),
    responses((status = 200, body = RectificationView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn submit_rectification(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(id): Path<VerificationTaskId>,
    Json(body): Json<RectificationBody>,
) -> ApiResult<Json<RectificationView>> {
    Ok(Json(rectify(&state, &caller, act, &id, &body).await?))
}

/// The enterprise's rectification report (also the enterprise portal's task page).
pub async fn rectify(
    state: &AppState,
    caller: &Caller,
    act: Act,
    id: &VerificationTaskId,
    body: &RectificationBody,
) -> ApiResult<RectificationView> {
    caller.require(&[Role::Enterprise])?;
    let task = visible(&state.db, caller, id).await?;
    act.set_target(format!("verification_task:{id}"));
    rules::transition(
        task.state(),
        TaskEvent::SubmitRectification,
        task.kind(),
        task.round as u32,
    )
    .map_err(|e| {
        ApiError::conflict(
            "verification.state",
            format!("核查任务当前为“{}”状态", e.state.as_str()),
            format!("The task is {}", e.state.as_str()),
        )
    })?;
    let doc = crate::documents::visible(&state.db, &body.document_id, &caller.bounds()).await?;
    if !doc.is_some_and(|d| d.purpose() == Some(Purpose::MaterialScan) && d.state() == DocState::Available) {
        let mut invalid = Invalid::default();
        invalid.field(
            "document_id",
            "verification.report_missing",
            "请先上传整改报告 PDF（用途 material_scan）",
            "Upload the rectification report PDF first (purpose material_scan)",
        );
        invalid.finish()?;
    }
    let now = state.clock.now_ms();
    let start_deadline = rules::start_deadline(
        rules::TaskKind::Routine,
        Date::today_in_china(now),
        Date::today_in_china(now),
    )
    .to_string();
    let next = NextRound {
        start_deadline: &start_deadline,
        report: body.report.as_str(),
        document_id: &body.document_id,
    };
    let mut tx = act.begin().await?;
    if !store::start_next_round(&mut *tx, id, &next, now).await? {
        return Err(ApiError::conflict(
            "verification.state",
            "核查任务状态已变化",
            "The task changed meanwhile",
        ));
    }
    crate::documents::attach(&mut *tx, &body.document_id, "verification_rectification", id).await?;
    act.commit(tx, format!("verification_task:{id}")).await?;
    Ok(RectificationView {
        task_id: id.clone(),
        state: TaskState::Open,
        round: task.round + 1,
        start_deadline,
    })
}

#[derive(Serialize, ToSchema, Clone)]
pub struct ProgressRow {
    #[schema(value_type = String)]
    pub person_id: PersonId,
    pub name: String,
    pub id_number: String,
    #[schema(value_type = String)]
    pub employment_id: EmploymentId,
    /// An accepted check-in (a flagged one counts only once staff confirm it).
    pub checked_in: bool,
    /// The check-in holding the round (accepted, or flagged and pending) carries review flags.
    pub flagged: bool,
    pub flags: String,
    pub attempts: i64,
    /// When the accepted check-in was made.
    pub checked_in_at: Option<i64>,
    /// A flagged check-in waits for staff to confirm or void it.
    pub pending_review: bool,
}

/// Who of the current round has checked in (accepted), who waits for staff review, who has
/// not, and what was flagged (also the console's progress page).
pub async fn progress_rows(
    state: &AppState,
    caller: &Caller,
    id: &VerificationTaskId,
) -> ApiResult<(TaskRow, Vec<ProgressRow>)> {
    caller.require(&[Role::City, Role::District, Role::Enterprise])?;
    let task = visible(&state.db, caller, id).await?;
    let selected = store::selection(&state.db, &task).await?;
    let attempts = store::attempts(&mut *state.db.acquire().await?, &task.id, None).await?;
    let mut rows = Vec::new();
    for s in selected {
        let (name, id_number) = s.identity(&state.keys);
        let mine: Vec<_> = attempts
            .iter()
            .filter(|a| a.person_id == s.person_id && a.round == task.round)
            .collect();
        let outcome = |a: &AttemptView| Outcome::parse(&a.outcome);
        // The attempt holding the round: accepted, or flagged and waiting for staff.
        let holding = mine.iter().find(|a| outcome(a).is_some_and(Outcome::holds_round));
        let accepted = holding.filter(|a| outcome(a).is_some_and(Outcome::counts));
        rows.push(ProgressRow {
            name,
            id_number,
            person_id: s.person_id,
            employment_id: s.employment_id,
            checked_in: accepted.is_some(),
            flagged: holding.is_some_and(|a| !a.flags.is_empty()),
            flags: holding.map(|a| a.flags.clone()).unwrap_or_default(),
            attempts: mine.len() as i64,
            checked_in_at: accepted.map(|a| a.at),
            pending_review: holding.is_some_and(|a| outcome(a) == Some(Outcome::Flagged)),
        });
    }
    Ok((task, rows))
}

/// The task's progress for staff in jurisdiction and the enterprise.
#[utoipa::path(get, path = "/verification/tasks/{id}/progress", tag = "verification", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<ProgressRow>), (status = 404, body = Problem)))]
async fn progress(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<VerificationTaskId>,
) -> ApiResult<Json<Vec<ProgressRow>>> {
    Ok(Json(progress_rows(&state, &caller, &id).await?.1))
}

/// The progress export's table: a header row, then a row per selected person; check-in times
/// in Asia/Shanghai (`YYYY-MM-DD HH:MM:SS`), as the people reading it keep time.
fn progress_table(rows: Vec<ProgressRow>) -> Vec<Vec<Cell>> {
    let header = ["姓名", "身份证号", "是否打卡", "打卡时间", "复核标记", "尝试次数"];
    let mut table = vec![header.iter().map(|h| Cell::Text((*h).into())).collect()];
    for r in rows {
        table.push(vec![
            Cell::Text(r.name),
            Cell::Text(r.id_number),
            Cell::Text(if r.checked_in { "是" } else { "否" }.into()),
            r.checked_in_at.map_or(Cell::Empty, |at| Cell::Text(china_time(at))),
            Cell::Text(r.flags),
            Cell::Number(r.attempts as f64),
        ]);
    }
    table
}

/// The task's progress as CSV (UTF-8 with BOM, for spreadsheet programs).
#[utoipa::path(get, path = "/verification/tasks/{id}/progress.csv", tag = "verification", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem)))]
async fn progress_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<VerificationTaskId>,
) -> ApiResult<Response> {
    export(&state, &caller, &id, Export::Csv).await
}

/// The two files the progress is exported as.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Csv,
    Xlsx,
}

/// The task's progress as a file to download (the API's and the console's exports).
pub async fn export(state: &AppState, caller: &Caller, id: &VerificationTaskId, format: Export) -> ApiResult<Response> {
    let (task, rows) = progress_rows(state, caller, id).await?;
    let table = progress_table(rows);
    Ok(match format {
        Export::Csv => file(
            Csv::of_table(&table).into_bytes(),
            "text/csv; charset=utf-8",
            &format!("verification-{}.csv", task.id),
        ),
        Export::Xlsx => {
            let sheet = Sheet {
                name: "打卡进度".into(),
                rows: table,
            };
            file(
                xlsx::workbook(&[sheet]),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("verification-{}.xlsx", task.id),
            )
        }
    })
}

/// The task's progress as an XLSX workbook: the same rows and columns as the CSV.
#[utoipa::path(get, path = "/verification/tasks/{id}/progress.xlsx", tag = "verification", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "An XLSX workbook with one sheet"),
        (status = 404, body = Problem)))]
async fn progress_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<VerificationTaskId>,
) -> ApiResult<Response> {
    export(&state, &caller, &id, Export::Xlsx).await
}

/// A file to download under `name`.
fn file(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, content_disposition(name)),
        ],
        bytes,
    )
        .into_response()
}
