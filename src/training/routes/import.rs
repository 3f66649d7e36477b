//! The CSV import of continuing-education records by a training institution, with its per-row
//! report. Every row is checked as the form checks one record; the good rows are written in the
//! act's one transaction. A row the institution already entered (same holder, kind, category,
//! course and day) is refused as a duplicate, so a file imported twice counts no hour twice.

use std::collections::HashMap;

use axum::{body::Bytes, extract::State};
use serde::Serialize;
use utoipa::ToSchema;

use super::records::{duplicate, institution, today, Sealed};
use crate::audit::Act;
use crate::auth::AnyCaller;
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::imports::{errors_of, ImportError, Table};
use crate::platform::web::Json;
use crate::state::AppState;
use crate::training::rules::{self, Given};
use crate::training::store;

/// A row not created, with why.
#[derive(Serialize, ToSchema)]
pub struct ContinuingEducationImportRow {
    /// The file's line (CSV) or row (XLSX) the record starts on.
    pub line: usize,
    pub errors: Vec<ImportError>,
}

/// The import's outcome: every row counted; the refused ones listed with why.
#[derive(Serialize, ToSchema)]
pub struct ContinuingEducationImportReport {
    pub created: usize,
    pub refused: usize,
    /// The refused rows, in file order.
    pub rows: Vec<ContinuingEducationImportRow>,
}

impl ContinuingEducationImportReport {
    fn refuse(&mut self, line: usize, error: &ApiError) {
        self.refused += 1;
        self.rows.push(ContinuingEducationImportRow {
            line,
            errors: errors_of(error),
        });
    }
}

fn duplicate_in_file(first: usize) -> ApiError {
    ApiError::conflict(
        "education.duplicate_in_file",
        format!("与第 {first} 行是同一持证人同一天的同一课程"),
        format!("The same holder, course and day as line {first}"),
    )
}

/// Imports continuing-education records (training institutions only) from CSV (UTF-8 or
/// GB18030) or an XLSX workbook (first sheet): a header row naming id_number, name,
/// certificate_kind (A, B, C, 特种作业 or their codes), course, hours (1–200), completed_on
/// (YYYY-MM-DD, not in the future) and passed (是/否, 合格/不合格, true/false), and category
/// (required for 特种作业). At most 2 MB; larger files in parts.
#[utoipa::path(post, path = "/continuing-education/import", tag = "training", security(("bearer" = [])),
    request_body(content((String = "text/csv"), (crate::platform::imports::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "CSV with a header row, in UTF-8 or GB18030, or an XLSX workbook whose first sheet has the header row"),
    responses((status = 200, body = ContinuingEducationImportReport), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn import_records(
    State(state): State<AppState>,
    AnyCaller(caller): AnyCaller,
    act: Act,
    body: Bytes,
) -> ApiResult<Json<ContinuingEducationImportReport>> {
    let institution = institution(&caller)?;
    act.set_target(format!("continuing-education-import:{institution}"));
    let table = Table::parse(&body, &rules::COLUMNS)?;
    let today = today(&state);
    let mut report = ContinuingEducationImportReport {
        created: 0,
        refused: 0,
        rows: Vec::new(),
    };
    let mut checked = Vec::new();
    for (line, fields) in &table.rows {
        let cell = |name: &str| table.cell(fields, name);
        let (hours, passed) = (cell("hours"), cell("passed"));
        let given = Given {
            id_number: &cell("id_number"),
            name: &cell("name"),
            certificate_kind: &cell("certificate_kind"),
            category: &cell("category"),
            course: &cell("course"),
            hours: hours.parse().ok(),
            completed_on: &cell("completed_on"),
            passed: rules::parse_passed(&passed),
        };
        match rules::check(&given, today) {
            Ok(record) => checked.push((*line, Sealed::of(&state.keys, record))),
            Err(error) => report.refuse(*line, &error),
        }
    }
    let now = state.clock.now_ms();
    let mut first_line: HashMap<(String, &str, &str, String, String), usize> = HashMap::new();
    let mut tx = act.begin().await?;
    for (line, sealed) in &checked {
        let new = sealed.new_record(institution);
        let key = (
            new.holder_hash.to_owned(),
            new.kind.as_str(),
            new.category,
            new.course.to_owned(),
            new.completed_on.to_owned(),
        );
        if let Some(first) = first_line.get(&key) {
            report.refuse(*line, &duplicate_in_file(*first));
            continue;
        }
        first_line.insert(key, *line);
        if store::exists(&mut *tx, &new).await? {
            report.refuse(*line, &duplicate());
            continue;
        }
        store::insert(&mut *tx, &new, now).await?;
        report.created += 1;
    }
    act.commit(tx, format!("continuing-education-import:{institution}"))
        .await?;
    report.rows.sort_by_key(|r| r.line);
    Ok(Json(report))
}
