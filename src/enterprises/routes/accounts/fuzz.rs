//! Property tests of the enterprise CSV import's rows (issue 14, item 8): a valid row reads as
//! the form's body with its values; any row (hostile text in every column, missing columns)
//! is read or refused with 400/422 and a code, never a panic.

use proptest::prelude::*;

use super::{import_row, IMPORT_COLUMNS};
use crate::platform::fuzzing::{clean_text, config, credit_code, csv_table, hostile_text};
use crate::platform::imports::Table;

const HEADER: [&str; 7] = [
    "credit_code",
    "name",
    "district_code",
    "contact_name",
    "contact_phone",
    "registered_address",
    "locality",
];

fn table(rows: &[Vec<String>]) -> Table {
    csv_table(&HEADER, &IMPORT_COLUMNS, rows)
}

fn any_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        hostile_text(),
        "[0-9A-Z]{0,20}",
        "1[3-9][0-9]{9}",
        Just(String::new()),
        any::<String>()
    ]
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn valid_rows_read_as_written(
        code in credit_code(),
        name in clean_text(),
        district in 110_000u32..660_000,
        contact in clean_text(),
        phone in "1[3-9][0-9]{9}",
        address in proptest::option::of(clean_text()),
    ) {
        let row = vec![code.clone(), name.clone(), district.to_string(), contact.clone(), phone.clone(), address.clone().unwrap_or_default(), String::new()];
        let t = table(&[row]);
        let body = import_row(&t, &t.rows[0].1).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(body.credit_code.as_str(), code.as_str());
        prop_assert_eq!(body.name.as_str(), name.as_str());
        prop_assert_eq!(body.district_code.as_str(), district.to_string());
        prop_assert_eq!(body.contact_name.as_str(), contact.as_str());
        prop_assert_eq!(body.contact_phone.as_str(), phone.as_str());
        prop_assert_eq!(body.registered_address.as_ref().map(|a| a.as_str()), address.as_deref());
    }

    #[test]
    fn any_row_is_read_or_refused_with_a_code(row in proptest::collection::vec(any_cell(), 0..9)) {
        let t = table(&[row]);
        for (_, fields) in &t.rows {
            if let Err(e) = import_row(&t, fields) {
                prop_assert!(matches!(e.status.as_u16(), 400 | 422), "{:?}", e);
                prop_assert!(!e.code.is_empty());
            }
        }
    }
}
