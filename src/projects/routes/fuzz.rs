//! Property tests of the project CSV import's rows (issue 14, item 8): a valid row reads as the
//! form's body with its values; any row (hostile text, numbers out of range, missing columns)
//! is read or refused with 400/422 and a code, never a panic.

use proptest::prelude::*;

use super::{import_row, IMPORT_COLUMNS};
use crate::platform::fuzzing::{clean_text, config, credit_code, csv_table, hostile_text};
use crate::platform::imports::Table;

const HEADER: [&str; 7] = [
    "permit_number",
    "name",
    "location",
    "district_code",
    "enterprise_credit_code",
    "project_manager",
    "building_area",
];

fn table(rows: &[Vec<String>]) -> Table {
    csv_table(&HEADER, &IMPORT_COLUMNS, rows)
}

fn any_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        hostile_text(),
        "-?[0-9]{0,400}(\\.[0-9]{0,5})?(e[0-9]{1,4})?",
        Just("NaN".to_owned()),
        Just("inf".to_owned()),
        Just(String::new()),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn valid_rows_read_as_written(
        permit in "[0-9]{18}",
        name in clean_text(),
        location in clean_text(),
        district in 110_000u32..660_000,
        code in credit_code(),
        manager in clean_text(),
        area in proptest::option::of(0.0f64..1e7),
    ) {
        let row = vec![permit.clone(), name.clone(), location.clone(), district.to_string(), code.clone(), manager.clone(), area.map_or(String::new(), |a| a.to_string())];
        let t = table(&[row]);
        let body = import_row(&t, &t.rows[0].1).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(body.permit_number.as_str(), permit.as_str());
        prop_assert_eq!(body.name.as_str(), name.as_str());
        prop_assert_eq!(body.location.as_str(), location.as_str());
        prop_assert_eq!(body.district_code.as_str(), district.to_string());
        prop_assert_eq!(body.enterprise_credit_code.as_str(), code.as_str());
        prop_assert_eq!(body.project_manager.as_str(), manager.as_str());
        // Through JSON a float comes back to within one ulp (serde_json's float_roundtrip is off).
        match (body.building_area, area) {
            (Some(read), Some(written)) => prop_assert!((read - written).abs() <= f64::EPSILON * written.abs(), "{} read as {}", written, read),
            (read, written) => prop_assert_eq!(read, written),
        }
    }

    #[test]
    fn any_row_is_read_or_refused_with_a_code(row in proptest::collection::vec(any_cell(), 0..9)) {
        let t = table(&[row]);
        for (_, fields) in &t.rows {
            match import_row(&t, fields) {
                Ok(body) => prop_assert!(body.building_area.is_none_or(f64::is_finite)),
                Err(e) => {
                    prop_assert!(matches!(e.status.as_u16(), 400 | 422), "{:?}", e);
                    prop_assert!(!e.code.is_empty());
                }
            }
        }
    }
}
