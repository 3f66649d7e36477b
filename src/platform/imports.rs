//! Bulk imports (enterprise accounts, projects) from CSV or an XLSX workbook: a small CSV reader
//! (RFC 4180: commas, quoted fields with doubled quotes and line breaks), the workbook reader
//! (`xlsx`: its first sheet, bounded), the header check, and the per-row report of refusals.
//! CSV text is UTF-8 (with or without a byte-order mark) or, failing that, GB18030: what Excel
//! and WPS save as "CSV" on Chinese Windows.

use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::platform::error::{ApiError, ApiResult};

mod xlsx;

/// An XLSX workbook, as the OpenAPI document describes an import's body.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Workbook(pub Vec<u8>);

/// A CSV file read against its header row.
pub struct Table {
    header: Vec<String>,
    /// Each record with the line it starts on (1-based).
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// Reads CSV or a workbook whose header (case-insensitive) names at least the `required`
    /// columns.
    pub fn parse(body: &[u8], required: &[&str]) -> ApiResult<Table> {
        let mut rows = if xlsx::is_workbook(body) {
            xlsx::records(body)?
        } else {
            let text = decode(body).ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "import.encoding_unknown",
                    "CSV 文件须为 UTF-8 或 GB18030 编码",
                    "The CSV must be encoded in UTF-8 or GB18030",
                )
            })?;
            records(&text)
        };
        let header: Vec<String> = if rows.is_empty() {
            Vec::new()
        } else {
            rows.remove(0).1.iter().map(|c| c.trim().to_lowercase()).collect()
        };
        let missing: Vec<&str> = required
            .iter()
            .filter(|c| !header.iter().any(|h| h == *c))
            .copied()
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import.columns_missing",
                format!("CSV 表头缺少列：{}", missing.join(", ")),
                format!("The CSV header lacks the columns: {}", missing.join(", ")),
            ));
        }
        Ok(Table { header, rows })
    }

    /// The trimmed value of column `name` in `fields` ("" when absent).
    pub fn cell(&self, fields: &[String], name: &str) -> String {
        self.header
            .iter()
            .position(|h| h == name)
            .and_then(|i| fields.get(i))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    }
}

/// The text of a CSV file: UTF-8 when it is valid UTF-8, otherwise GB18030 when it is valid
/// GB18030 (a superset of GBK and GB2312), otherwise nothing.
fn decode(body: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    match std::str::from_utf8(body) {
        Ok(text) => Some(text.into()),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(body),
    }
}

/// Why a row was refused, per field where one is at fault.
#[derive(Serialize, ToSchema)]
pub struct ImportError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// The refusal of one row, in the report's words (Chinese, as the consoles show it).
pub fn errors_of(error: &ApiError) -> Vec<ImportError> {
    if error.fields.is_empty() {
        return vec![ImportError {
            field: String::new(),
            code: error.code.into(),
            message: error.message.zh.to_string(),
        }];
    }
    error
        .fields
        .iter()
        .map(|f| ImportError {
            field: f.field.clone(),
            code: f.code.into(),
            message: f.message.zh.to_string(),
        })
        .collect()
}

/// The records of a CSV text, each with the line it starts on (1-based).
pub fn records(text: &str) -> Vec<(usize, Vec<String>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => quoted = true,
            ',' if !quoted => record.push(std::mem::take(&mut field)),
            '\r' if !quoted => {}
            '\n' if !quoted => {
                record.push(std::mem::take(&mut field));
                if record.iter().any(|f| !f.trim().is_empty()) {
                    out.push((start_line, std::mem::take(&mut record)));
                }
                record.clear();
                line += 1;
                start_line = line;
            }
            '\n' => {
                field.push(c);
                line += 1;
            }
            _ => field.push(c),
        }
    }
    record.push(field);
    if record.iter().any(|f| !f.trim().is_empty()) {
        out.push((start_line, record));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_saved_by_excel_on_chinese_windows_reads_as_gb18030() {
        let text = "credit_code,name\n91350100M000100Y43,\u{5efa}\u{8bbe}\u{6709}\u{9650}\u{516c}\u{53f8}\n";
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
        assert!(!unmappable);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "the sample must not be UTF-8 by chance"
        );
        let table = Table::parse(&bytes, &["credit_code", "name"]).unwrap();
        assert_eq!(table.rows.len(), 1);
        assert_eq!(
            table.cell(&table.rows[0].1, "name"),
            "\u{5efa}\u{8bbe}\u{6709}\u{9650}\u{516c}\u{53f8}"
        );
        // Bytes that are neither UTF-8 nor GB18030 are refused, not guessed at.
        let error = Table::parse(b"name\n\x80\xff\n", &["name"]).err().unwrap();
        assert_eq!(error.code, "import.encoding_unknown");
    }

    #[test]
    fn quoted_fields_line_breaks_and_blank_lines() {
        let text = "\u{feff}a,b,c\r\n1,\"two, with comma\",3\n\n\"say \"\"hi\"\"\",\"multi\nline\",x\n";
        let rows = records(text);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], (1, vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(rows[1].1, vec!["1".to_string(), "two, with comma".into(), "3".into()]);
        assert_eq!(
            rows[2],
            (4, vec!["say \"hi\"".into(), "multi\nline".into(), "x".into()])
        );
    }
}

#[cfg(test)]
mod fuzz;
