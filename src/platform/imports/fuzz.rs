//! Property tests of the CSV reader (issue 14, item 8): any text reads without panicking into
//! records with increasing line numbers; what the product's own CSV writer writes reads back
//! field for field; any bytes give a table or a typed 422.

use proptest::prelude::*;

use super::{records, Table};
use crate::platform::csv::Csv;
use crate::platform::fuzzing::{config, hostile_text};
use crate::platform::xlsx::Cell;

/// Cells as spreadsheets hold them: separators, quotes, line breaks, Chinese, blanks.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z张三0-9 ,\"\r\n;'=+@-]{0,12}",
        1 => hostile_text(),
        1 => Just(String::new()),
    ]
}

/// The writer guards a formula-like text with a leading quote (OWASP CSV injection).
fn as_written(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn any_text_reads_into_records(text in prop_oneof![hostile_text(), "[a,\"\r\n ]{0,60}", any::<String>()]) {
        let rows = records(&text);
        let mut last = 0;
        for (line, fields) in &rows {
            prop_assert!(*line > last, "line numbers increase");
            prop_assert!(*line <= text.matches('\n').count() + 1);
            prop_assert!(fields.iter().any(|f| !f.trim().is_empty()), "blank records are skipped");
            last = *line;
        }
    }

    #[test]
    fn what_the_csv_writer_writes_reads_back(rows in proptest::collection::vec(proptest::collection::vec(cell(), 1..6), 1..8)) {
        let cells: Vec<Vec<Cell>> = rows.iter().map(|r| r.iter().map(|c| Cell::Text(c.clone())).collect()).collect();
        let text = String::from_utf8(Csv::of_table(&cells).into_bytes()).unwrap();
        let mut want = Vec::new();
        let mut line = 1;
        for row in &rows {
            let written: Vec<String> = row.iter().map(|c| as_written(c)).collect();
            let breaks: usize = written.iter().map(|c| c.matches('\n').count()).sum();
            if written.iter().any(|f| !f.trim().is_empty()) {
                want.push((line, written));
            }
            line += 1 + breaks;
        }
        prop_assert_eq!(records(&text), want);
    }

    #[test]
    fn any_bytes_give_a_table_or_a_typed_refusal(bytes in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        "(credit_code|name|NAME|名称|,| |\r\n|\"){0,12}[^\u{0}]{0,40}".prop_map(String::into_bytes),
        // What looks like a zip (an XLSX workbook) and is not one.
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(|tail| [b"PK\x03\x04".as_slice(), &tail].concat()),
    ]) {
        let required = ["credit_code", "name"];
        match Table::parse(&bytes, &required) {
            Ok(table) => {
                for (_, fields) in &table.rows {
                    for column in required {
                        let _ = table.cell(fields, column);
                    }
                    prop_assert_eq!(table.cell(fields, "absent"), "");
                }
            }
            Err(e) => {
                prop_assert_eq!(e.status.as_u16(), 422);
                prop_assert!(
                    ["import.encoding_unknown", "import.columns_missing", "import.workbook_unreadable"].contains(&e.code),
                    "{}",
                    e.code
                );
            }
        }
    }
}
