//! What the property tests (`mod fuzz` beside each parser of untrusted input; `cargo test --lib
//! fuzz` runs them all) share: the case count, raised for a longer hunt with `PROPTEST_CASES`,
//! and generators of valid and hostile input.

use proptest::prelude::*;

use crate::platform::csv::Csv;
use crate::platform::imports::Table;
use crate::platform::xlsx::Cell;

/// What an import reads from `rows` of text, written as CSV under `header` (by the product's
/// own CSV writer) and read back requiring the `required` columns.
pub fn csv_table(header: &[&str], required: &[&str], rows: &[Vec<String>]) -> Table {
    let mut csv = Csv::new(header);
    for row in rows {
        csv.row(&row.iter().map(|c| Cell::Text(c.clone())).collect::<Vec<_>>());
    }
    Table::parse(&csv.into_bytes(), required).unwrap()
}

/// `cases` per property unless `PROPTEST_CASES` says otherwise; failures are not written to
/// regression files (a failure prints its minimal input: make it a unit test beside the parser).
pub fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

pub const ID_CHECK: &[u8] = b"10X98765432";
pub const CREDIT_CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

pub fn id_check(digits: &str) -> char {
    let sum: u64 = digits
        .bytes()
        .enumerate()
        .map(|(i, b)| u64::from(b - b'0') * ((1u64 << (17 - i)) % 11))
        .sum();
    ID_CHECK[(sum % 11) as usize] as char
}

pub fn credit_check(prefix: &[u8]) -> u8 {
    let sum: u64 = prefix
        .iter()
        .enumerate()
        .map(|(i, c)| CREDIT_CHARSET.iter().position(|x| x == c).unwrap() as u64 * (3u64.pow(i as u32) % 31))
        .sum();
    CREDIT_CHARSET[((31 - sum % 31) % 31) as usize]
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A valid ID number: any address code, a real birth date from 1900 to 2100, any sequence.
pub fn id_number() -> impl Strategy<Value = String> {
    (100_000u32..1_000_000, 1900u32..=2100, 1u32..=12, 1u32..=31, 0u32..1000).prop_map(|(area, y, m, d, seq)| {
        let digits = format!("{area}{y:04}{m:02}{:02}{seq:03}", d.min(days_in(y, m)));
        format!("{digits}{}", id_check(&digits))
    })
}

/// A valid credit code: registration authority and type, a 6-digit division, any 9 characters.
pub fn credit_code() -> impl Strategy<Value = String> {
    let charset = || proptest::sample::select(CREDIT_CHARSET);
    (
        proptest::collection::vec(charset(), 2),
        100_000u32..1_000_000,
        proptest::collection::vec(charset(), 9),
    )
        .prop_map(move |(head, division, body)| {
            let mut code = head;
            code.extend_from_slice(division.to_string().as_bytes());
            code.extend_from_slice(&body);
            code.push(credit_check(&code));
            String::from_utf8(code).unwrap()
        })
}

/// Any text, weighted towards what attackers send: control characters, invisible characters,
/// line breaks, Chinese, and long runs.
pub fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<char>().prop_map(String::from),
        2 => proptest::sample::select(vec![
            "\u{0}", "\u{7}", "\u{1b}", "\u{7f}", "\u{85}", "\n", "\r", "\r\n", "\t", " ", "\u{200B}", "\u{200D}",
            "\u{FEFF}", "\u{202E}", "\u{3000}", "\u{E0041}", "\u{AD}", "张", "三", "a", "\"", "'", "\\", "%",
        ])
        .prop_map(String::from),
        1 => "[a-z张三李四]{1,30}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

/// Visible, line-free text of 1 to 30 characters (letters, digits, CJK, punctuation), not
/// beginning like a spreadsheet formula.
pub fn clean_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9张三李四王五建筑工程有限公司·（）()#]([a-zA-Z0-9 张三李四王五建筑工程有限公司·（）()#-]{0,28}[a-zA-Z0-9张三李四王五·）)#-])?"
}
