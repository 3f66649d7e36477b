//! The rules of training institutions and continuing-education records (pure): the sign-in
//! name, and one record checked field by field, shared by the form (`POST
//! /continuing-education`) and each row of the CSV import, so both refuse alike and the
//! refusal names every field at fault.

use crate::certificates::kinds::{self, Kind};
use crate::platform::error::{ApiResult, Invalid};
use crate::platform::types::{Date, IdNumber, Text};

/// The fewest and most hours one record may count (a course of at most 200 hours).
pub const HOURS: std::ops::RangeInclusive<i64> = 1..=200;

/// The columns a continuing-education import needs; `category` (required for special
/// operations) is optional.
pub const COLUMNS: [&str; 7] = [
    "id_number",
    "name",
    "certificate_kind",
    "course",
    "hours",
    "completed_on",
    "passed",
];

/// A training institution's sign-in name: 3–32 letters, digits, `.`, `_` or `-`, compared
/// in lower case (as staff usernames).
pub fn username(raw: &str) -> Option<String> {
    let name = raw.trim().to_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then_some(name)
}

/// Whether a record was passed, as an import writes it: 是/否, 合格/不合格, 通过/未通过,
/// true/false, yes/no, passed/failed, 1/0.
pub fn parse_passed(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "是" | "合格" | "通过" | "true" | "yes" | "passed" | "1" => Some(true),
        "否" | "不合格" | "未通过" | "false" | "no" | "failed" | "0" => Some(false),
        _ => None,
    }
}

/// A record as given, every field still text (or `None` where the form's value or the
/// import's cell did not read as its type).
pub struct Given<'a> {
    pub id_number: &'a str,
    pub name: &'a str,
    pub certificate_kind: &'a str,
    pub category: &'a str,
    pub course: &'a str,
    pub hours: Option<i64>,
    pub completed_on: &'a str,
    pub passed: Option<bool>,
}

/// A checked record.
#[derive(Debug, Clone)]
pub struct Record {
    pub id_number: IdNumber,
    pub name: String,
    pub kind: Kind,
    /// The category code; "" for safety-management certificates.
    pub category: &'static str,
    pub course: String,
    pub hours: i64,
    pub completed_on: Date,
    pub passed: bool,
}

/// Checks a record given on `today` (in China): the holder's ID number (GB 11643) and name,
/// the kind of certificate the education counts for, its category (required for special
/// operations, none otherwise), the course, 1–200 hours, a completion date not in the future,
/// and whether it was passed. Every field at fault is named.
pub fn check(given: &Given<'_>, today: Date) -> ApiResult<Record> {
    let mut invalid = Invalid::default();
    let id_number = IdNumber::parse(given.id_number);
    if let Err(e) = &id_number {
        invalid.push("id_number", e.code, e.message.clone());
    }
    let name = Text::<50>::parse(given.name);
    if name.is_err() {
        invalid.field(
            "name",
            "certificate.holder_name_invalid",
            "请填写持证人姓名（最多 50 个字符）",
            "Enter the holder's name (at most 50 characters)",
        );
    }
    let kind = Kind::parse(given.certificate_kind);
    if kind.is_none() {
        invalid.field(
            "certificate_kind",
            "certificate.kind_unknown",
            "证书类别须为 A、B、C（安管人员）或 特种作业",
            "The kind is A, B, C (safety management) or 特种作业 (special operations)",
        );
    }
    let category = match (kind, given.category.trim()) {
        (Some(Kind::Special), raw) => kinds::parse_category(raw),
        (Some(_), "") | (None, _) => Some(""),
        (Some(_), _) => None,
    };
    if category.is_none() {
        invalid.field(
            "category",
            "certificate.category_invalid",
            "特种作业证书须填写操作类别（建筑电工、建筑架子工等规定类别之一）；安管人员证书不填",
            "A special-operations certificate names its operation category from the fixed list; a safety-management one names none",
        );
    }
    let course = Text::<200>::parse(given.course);
    if course.is_err() {
        invalid.field(
            "course",
            "education.course_invalid",
            "请填写课程名称（最多 200 个字符）",
            "Enter the course title (at most 200 characters)",
        );
    }
    let hours = given.hours.filter(|h| HOURS.contains(h));
    if hours.is_none() {
        invalid.field(
            "hours",
            "education.hours_invalid",
            "学时须为 1 至 200 的整数",
            "The hours are a whole number from 1 to 200",
        );
    }
    let completed_on = Date::parse(given.completed_on);
    match &completed_on {
        Err(e) => invalid.push("completed_on", e.code, e.message.clone()),
        Ok(date) if *date > today => invalid.field(
            "completed_on",
            "education.completed_in_future",
            "结业日期不能晚于今天",
            "The completion date cannot be in the future",
        ),
        Ok(_) => {}
    }
    if given.passed.is_none() {
        invalid.field(
            "passed",
            "education.passed_invalid",
            "是否合格须填写 是 或 否（合格 / 不合格）",
            "Whether it was passed: 是 or 否 (yes or no)",
        );
    }
    invalid.finish()?;
    let missing = || crate::platform::error::ApiError::internal("checked above");
    Ok(Record {
        id_number: id_number.map_err(|_| missing())?,
        name: name.map_err(|_| missing())?.as_str().to_owned(),
        kind: kind.ok_or_else(missing)?,
        category: category.ok_or_else(missing)?,
        course: course.map_err(|_| missing())?.as_str().to_owned(),
        hours: hours.ok_or_else(missing)?,
        completed_on: completed_on.map_err(|_| missing())?,
        passed: given.passed.ok_or_else(missing)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "11010519491231002X";

    fn today() -> Date {
        Date::parse("2026-06-30").unwrap()
    }

    fn good() -> Given<'static> {
        Given {
            id_number: ID,
            name: "张三",
            certificate_kind: "special",
            category: "建筑电工",
            course: "建筑电工继续教育",
            hours: Some(24),
            completed_on: "2026-06-30",
            passed: Some(true),
        }
    }

    fn codes(given: &Given<'_>) -> Vec<(String, &'static str)> {
        check(given, today())
            .err()
            .unwrap()
            .fields
            .iter()
            .map(|f| (f.field.clone(), f.code))
            .collect()
    }

    #[test]
    fn a_good_record_reads() {
        let r = check(&good(), today()).unwrap();
        assert_eq!(
            (r.kind, r.category, r.hours, r.passed),
            (Kind::Special, "electrician", 24, true)
        );
        assert_eq!(r.completed_on.to_string(), "2026-06-30");
        let r = check(
            &Given {
                certificate_kind: "B",
                category: " ",
                hours: Some(200),
                passed: Some(false),
                ..good()
            },
            today(),
        )
        .unwrap();
        assert_eq!((r.kind, r.category, r.hours, r.passed), (Kind::SafetyB, "", 200, false));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = Given {
            id_number: "11010519491231002Y",
            name: "",
            certificate_kind: "D",
            category: "建筑电工",
            course: " ",
            hours: Some(0),
            completed_on: "2026-02-30",
            passed: None,
        };
        assert_eq!(
            codes(&bad),
            vec![
                ("id_number".into(), "id_number.format"),
                ("name".into(), "certificate.holder_name_invalid"),
                ("certificate_kind".into(), "certificate.kind_unknown"),
                ("course".into(), "education.course_invalid"),
                ("hours".into(), "education.hours_invalid"),
                ("completed_on".into(), "date.format"),
                ("passed".into(), "education.passed_invalid"),
            ]
        );
    }

    #[test]
    fn categories_hours_and_dates_have_their_bounds() {
        let category = |kind, category| {
            codes(&Given {
                certificate_kind: kind,
                category,
                ..good()
            })
        };
        let refused = vec![("category".to_string(), "certificate.category_invalid")];
        assert_eq!(category("special", ""), refused);
        assert_eq!(category("special", "焊工"), refused);
        assert_eq!(category("A", "建筑电工"), refused);
        for hours in [None, Some(-1), Some(0), Some(201)] {
            assert_eq!(
                codes(&Given { hours, ..good() }),
                vec![("hours".to_string(), "education.hours_invalid")]
            );
        }
        assert_eq!(
            codes(&Given {
                completed_on: "2026-07-01",
                ..good()
            }),
            vec![("completed_on".to_string(), "education.completed_in_future")]
        );
    }

    #[test]
    fn usernames_and_passed_values() {
        assert_eq!(username(" Train-01 "), Some("train-01".into()));
        assert_eq!(username("ab"), None);
        assert_eq!(username("培训机构"), None);
        for (raw, passed) in [
            ("是", Some(true)),
            ("不合格", Some(false)),
            ("TRUE", Some(true)),
            ("0", Some(false)),
            ("maybe", None),
            ("", None),
        ] {
            assert_eq!(parse_passed(raw), passed, "{raw}");
        }
    }
}
