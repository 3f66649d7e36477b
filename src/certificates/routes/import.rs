//! The import of historical certificate records (CSV or XLSX) with its per-row report. Rows
//! are checked first; then, a chunk at a time, the records they name are looked up and the new
//! ones inserted in batches, all in the act's one transaction. Idempotent per (kind, number):
//! a row naming a record that exists with the same data is `unchanged`; with other data it is
//! refused (a correction goes through the correction service, never an import).

use std::collections::HashMap;

use axum::{body::Bytes, extract::State};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{context, name_hash};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::certificates::import::{self, Row};
use crate::certificates::kinds::Kind;
use crate::certificates::store::import::{self as store, Existing, NewCertificate};
use crate::platform::crypto::Keys;
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::ids::CertificateId;
use crate::platform::imports::{errors_of, ImportError, Table};
use crate::platform::web::Json;
use crate::state::AppState;

/// Who imports historical records: the city station and system administrators (a data
/// migration; the report names no person).
const IMPORTERS: &[Role] = &[Role::City, Role::Sysadmin];

/// Rows looked up and inserted together.
const CHUNK: usize = 5000;

#[derive(Serialize, ToSchema)]
#[schema(as = HolderCertificateImportRow)]
pub struct ReportRow {
    /// The file's line (CSV) or row (XLSX) the record starts on.
    pub line: usize,
    pub kind: String,
    pub number: String,
    /// unchanged | refused
    pub outcome: &'static str,
    /// The existing record, for an unchanged row.
    #[schema(value_type = Option<String>)]
    pub certificate_id: Option<CertificateId>,
    pub errors: Vec<ImportError>,
}

/// The import's outcome: every row counted; rows not created listed with why.
#[derive(Serialize, ToSchema)]
#[schema(as = HolderCertificateImportReport)]
pub struct Report {
    pub created: usize,
    /// Rows naming a record already imported with the same data (nothing written).
    pub unchanged: usize,
    pub refused: usize,
    /// The rows that were not created, in file order.
    pub rows: Vec<ReportRow>,
}

impl Report {
    fn refuse(&mut self, line: usize, kind: String, number: String, error: &ApiError) {
        self.refused += 1;
        self.rows.push(ReportRow {
            line,
            kind,
            number,
            outcome: "refused",
            certificate_id: None,
            errors: errors_of(error),
        });
    }
}

fn duplicate_in_file(first: usize) -> ApiError {
    ApiError::conflict(
        "certificate.duplicate_in_file",
        format!("与第 {first} 行的证书类别和编号重复"),
        format!("Same kind and number as line {first}"),
    )
}

fn conflicting(fields: &[&str]) -> ApiError {
    ApiError::conflict(
        "certificate.import_conflict",
        format!(
            "该证书已导入，且以下信息不同：{}；更正须办理证书纠错",
            fields.join("、")
        ),
        format!(
            "This certificate was imported with other data ({}); a correction goes through the correction service",
            fields.join(", ")
        ),
    )
}

/// The fields in which a row differs from the record it names.
fn differences(keys: &Keys, row: &Row, existing: &Existing) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut differ = |field, same: bool| {
        if !same {
            fields.push(field);
        }
    };
    differ("category", existing.category == row.category);
    differ(
        "id_number",
        existing.holder_hash == crate::people::id_number_key(keys, row.id_number.as_str()),
    );
    differ("name", existing.holder_name_hash == name_hash(keys, &row.name));
    differ(
        "enterprise_credit_code",
        existing.enterprise_credit_code == row.enterprise_credit_code,
    );
    differ("enterprise_name", existing.enterprise_name == row.enterprise_name);
    differ("issued_on", existing.issued_on == row.issued_on.to_string());
    differ("expires_on", existing.expires_on == row.expires_on.to_string());
    differ("origin", existing.origin == row.origin);
    fields
}

/// A new record of a row: the ID number and name sealed, both hashed for look-ups.
fn record(keys: &Keys, line: usize, row: &Row) -> NewCertificate {
    let id = CertificateId::new();
    NewCertificate {
        holder_hash: crate::people::id_number_key(keys, row.id_number.as_str()),
        holder_id_sealed: keys.seal(&context(&id, "id_number"), row.id_number.as_str().as_bytes()),
        holder_id_masked: row.id_number.masked(),
        holder_name_sealed: keys.seal(&context(&id, "name"), row.name.as_bytes()),
        holder_name_hash: name_hash(keys, &row.name),
        kind: row.kind,
        category: row.category,
        number: row.number.clone(),
        enterprise_credit_code: row.enterprise_credit_code.clone(),
        enterprise_name: row.enterprise_name.clone(),
        issued_on: row.issued_on.to_string(),
        expires_on: row.expires_on.to_string(),
        origin: row.origin,
        detail: json!({"line": line, "origin": row.origin.as_str()}).to_string(),
        id,
    }
}

/// Imports historical certificate records from CSV (UTF-8 or GB18030) or an XLSX workbook
/// (first sheet): a header row naming at least kind, number, id_number, name,
/// enterprise_credit_code, enterprise_name, issued_on, expires_on; optionally category (the
/// special-operations category, required for kind 特种作业) and origin (empty: historical;
/// 新增归档 / supplement; 进赣换证 / transfer_in; issued). Kinds: A, B, C, 特种作业 (or their
/// codes). Dates YYYY-MM-DD. Importing the same file again changes nothing.
#[utoipa::path(post, path = "/certificates/import", tag = "certificates", security(("bearer" = [])),
    request_body(content((String = "text/csv"), (crate::platform::imports::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "CSV with a header row, in UTF-8 or GB18030, or an XLSX workbook whose first sheet has the header row; at most 32 MB (import larger files in parts)"),
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn import_certificates(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    body: Bytes,
) -> ApiResult<Json<Report>> {
    caller.require(IMPORTERS)?;
    act.set_target("certificate-import");
    let table = Table::parse(&body, &import::COLUMNS)?;
    let mut report = Report {
        created: 0,
        unchanged: 0,
        refused: 0,
        rows: Vec::new(),
    };
    let mut first_line: HashMap<(Kind, String), usize> = HashMap::new();
    let mut rows = Vec::new();
    for (line, fields) in &table.rows {
        let cell = |name: &str| table.cell(fields, name);
        match import::read(&table, fields) {
            Ok(row) => match first_line.get(&(row.kind, row.number.clone())) {
                Some(first) => report.refuse(*line, cell("kind"), cell("number"), &duplicate_in_file(*first)),
                None => {
                    first_line.insert((row.kind, row.number.clone()), *line);
                    rows.push((*line, row));
                }
            },
            Err(error) => report.refuse(*line, cell("kind"), cell("number"), &error),
        }
    }
    drop(first_line);
    let keys = &state.keys;
    let now = state.clock.now_ms();
    let mut tx = act.begin().await?;
    store::refresh_statistics(&mut tx).await?;
    let mut outcomes: Vec<ReportRow> = Vec::new();
    for chunk in rows.chunks(CHUNK) {
        let numbers: Vec<&str> = chunk.iter().map(|(_, row)| row.number.as_str()).collect();
        let existing: HashMap<(Kind, String), Existing> = store::existing(&mut tx, &numbers)
            .await?
            .into_iter()
            .map(|e| ((e.kind, e.number.clone()), e))
            .collect();
        let mut new = Vec::with_capacity(chunk.len());
        for (line, row) in chunk {
            let Some(found) = existing.get(&(row.kind, row.number.clone())) else {
                new.push(record(keys, *line, row));
                continue;
            };
            let fields = differences(keys, row, found);
            let (outcome, errors, certificate_id) = if fields.is_empty() {
                report.unchanged += 1;
                ("unchanged", Vec::new(), Some(found.id.clone()))
            } else {
                report.refused += 1;
                ("refused", errors_of(&conflicting(&fields)), None)
            };
            outcomes.push(ReportRow {
                line: *line,
                kind: row.kind.as_str().to_owned(),
                number: row.number.clone(),
                outcome,
                certificate_id,
                errors,
            });
        }
        store::insert(&mut tx, &new, "staff", &caller.account_id, now).await?;
        report.created += new.len();
    }
    act.commit(tx, "certificate-import").await?;
    report.rows.extend(outcomes);
    report.rows.sort_by_key(|r| r.line);
    Ok(Json(report))
}
