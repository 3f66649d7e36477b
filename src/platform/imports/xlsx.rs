//! Import files saved as XLSX workbooks: the records of the first sheet, as text, in the shape
//! the CSV reader gives. A workbook is a zip of XML, and a few kilobytes of zip can inflate to
//! gigabytes: every part is inflated once into nothing, up to `MAX_INFLATED` in all, before the
//! workbook is opened, and the sheet is read cell by cell up to `MAX_CELLS`, so neither the
//! time nor the memory an upload costs grows past those bounds.

use std::io::{Cursor, Read};

use axum::http::StatusCode;
use calamine::{DataRef, Reader, Xlsx};

use crate::platform::clock::civil_from_days;
use crate::platform::error::{ApiError, ApiResult};

/// What the parts of a workbook may inflate to, together.
const MAX_INFLATED: u64 = 64 * 1024 * 1024;
/// Cells read from the sheet (a 20,000-row import of 50 columns).
const MAX_CELLS: usize = 1_000_000;
/// Columns kept per row; an import names a dozen at most.
const MAX_COLUMNS: usize = 100;

/// Whether `body` is a zip file (an XLSX workbook), by its signature.
pub fn is_workbook(body: &[u8]) -> bool {
    body.starts_with(b"PK\x03\x04")
}

/// The non-blank records of the workbook's first sheet, each with its row number (1-based,
/// as the spreadsheet shows it).
pub fn records(body: &[u8]) -> ApiResult<Vec<(usize, Vec<String>)>> {
    check_inflated_size(body)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(body)).map_err(|_| unreadable())?;
    let first = book.sheet_names().into_iter().next().ok_or_else(unreadable)?;
    let mut cells = book.worksheet_cells_reader(&first).map_err(|_| unreadable())?;
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut read = 0;
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        read += 1;
        if read > MAX_CELLS {
            return Err(too_large());
        }
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize + 1, column as usize);
        let text = text_of(cell.get_value());
        if column >= MAX_COLUMNS || text.trim().is_empty() {
            continue;
        }
        if rows.last().is_none_or(|(r, _)| *r != row) {
            rows.push((row, Vec::new()));
        }
        let fields = &mut rows.last_mut().expect("a row was just pushed").1;
        if fields.len() <= column {
            fields.resize(column + 1, String::new());
        }
        fields[column] = text;
    }
    Ok(rows)
}

/// Inflates every part into nothing, refusing the workbook once `MAX_INFLATED` bytes came out
/// (whatever sizes its directory declares).
fn check_inflated_size(body: &[u8]) -> ApiResult<()> {
    let mut archive = zip::ZipArchive::new(Cursor::new(body)).map_err(|_| unreadable())?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(|_| unreadable())?;
        let room = MAX_INFLATED - total;
        total += std::io::copy(&mut part.take(room + 1), &mut std::io::sink()).map_err(|_| unreadable())?;
        if total > MAX_INFLATED {
            return Err(too_large());
        }
    }
    Ok(())
}

/// A cell as the text a person typed: whole numbers without a decimal point (Excel keeps a
/// phone number or a district code as a number), dates as YYYY-MM-DD.
fn text_of(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => date_text(d.as_f64()),
        DataRef::DateTime(d) => number_text(d.as_f64()),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// The date of an Excel serial day number (days since 1899-12-30, the 1900 system; the time
/// of day is dropped).
fn date_text(serial: f64) -> String {
    let days = serial.floor() as i64 - 25_569; // 1970-01-01 is serial 25569
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn unreadable() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "import.workbook_unreadable",
        "无法读取该 XLSX 工作簿，请用 Excel 或 WPS 另存为 .xlsx 或 CSV 后重试",
        "The XLSX workbook cannot be read; save it again as .xlsx or CSV from Excel or WPS",
    )
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "import.workbook_too_large",
        "工作簿过大（解压后最多 64 MB、100 万个单元格），请分批导入",
        "The workbook is too large (at most 64 MB unpacked and a million cells); import it in parts",
    )
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::platform::xlsx::{workbook, Cell, Sheet};

    #[test]
    fn a_workbook_reads_as_csv_would() {
        let sheet = Sheet {
            name: "企业".into(),
            rows: vec![
                vec![Cell::Text("credit_code".into()), Cell::Text("contact_phone".into())],
                vec![Cell::Empty, Cell::Empty],
                vec![Cell::Text("91350100M000100Y43".into()), Cell::Number(13812345678.0)],
                vec![Cell::Text("x".into()), Cell::Number(2.5)],
            ],
        };
        let rows = records(&workbook(&[sheet])).unwrap();
        assert_eq!(
            rows,
            vec![
                (1, vec!["credit_code".to_owned(), "contact_phone".into()]),
                (3, vec!["91350100M000100Y43".into(), "13812345678".into()]),
                (4, vec!["x".into(), "2.5".into()]),
            ]
        );
    }

    #[test]
    fn excel_serial_days_are_dates() {
        assert_eq!(date_text(25_569.0), "1970-01-01");
        assert_eq!(date_text(46_357.75), "2026-12-01");
        assert_eq!(date_text(36_526.0), "2000-01-01");
        assert_eq!(number_text(370_102.0), "370102");
    }

    /// A zip whose one part inflates past the bound: refused, after inflating only the bound.
    #[test]
    fn a_zip_bomb_is_refused() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        let block = vec![b'a'; 1 << 20];
        for _ in 0..(MAX_INFLATED >> 20) + 1 {
            zip.write_all(&block).unwrap();
        }
        let body = zip.finish().unwrap().into_inner();
        assert!(body.len() < 1 << 20, "the bomb is small: {} bytes", body.len());
        let error = records(&body).err().expect("refused");
        assert_eq!(
            (error.status, error.code),
            (StatusCode::PAYLOAD_TOO_LARGE, "import.workbook_too_large")
        );
    }

    #[test]
    fn what_is_not_a_workbook_is_refused() {
        for body in [b"PK\x03\x04 not really".to_vec(), b"PK\x03\x04".to_vec()] {
            assert_eq!(records(&body).err().unwrap().code, "import.workbook_unreadable");
        }
    }
}
