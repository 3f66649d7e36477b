//! The rules of exam registration (考试报名), from the 安管人员 manual §1.4: who may be
//! registered for a batch, and when a batch takes registrations. Pure functions of facts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::platform::types::Date;

/// The exam types a batch is for: the three safety-management certificates (安管人员 A/B/C)
/// and special operations (特种作业).
pub const EXAM_TYPES: [&str; 4] = ["safety_a", "safety_b", "safety_c", "special"];

/// A no-show after an approved registration bars registration for this many months.
pub const ABSENCE_BAR_MONTHS: u32 = 6;
/// Cheating bars registration for this many months (a year).
pub const CHEATING_BAR_MONTHS: u32 = 12;

/// What is known of a person when an enterprise registers them for a batch.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    /// Real-name registration done, and not held for review.
    pub real_name: bool,
    /// An ID portrait (证件照) is on file.
    pub portrait: bool,
    /// Employed now by the registering enterprise.
    pub employed_here: bool,
    /// The latest exam date at which they did not show up after an approved registration.
    pub last_absence: Option<Date>,
    /// The latest exam date at which they were found cheating.
    pub last_cheating: Option<Date>,
    /// Already registered for this batch (and not rejected).
    pub in_this_batch: bool,
    /// Registered for another batch of the same exam type that has no outcome yet.
    pub pending_same_type: bool,
}

/// One condition a candidate fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bar {
    NotRealName,
    NoPortrait,
    NotEmployedHere,
    AbsentRecently,
    CheatedRecently,
    AlreadyRegistered,
}

impl Bar {
    /// The stable error code the API reports for this condition.
    pub fn code(self) -> &'static str {
        match self {
            Bar::NotRealName => "exam.not_real_name",
            Bar::NoPortrait => "exam.no_portrait",
            Bar::NotEmployedHere => "exam.not_employed_here",
            Bar::AbsentRecently => "exam.absent_recently",
            Bar::CheatedRecently => "exam.cheated_recently",
            Bar::AlreadyRegistered => "exam.already_registered",
        }
    }

    /// What a clerk reads: (Chinese, English).
    pub fn message(self) -> (&'static str, &'static str) {
        match self {
            Bar::NotRealName => ("未完成实名注册", "Has not completed real-name registration"),
            Bar::NoPortrait => ("未上传个人证件照片", "Has no ID portrait on file"),
            Bar::NotEmployedHere => ("不是本企业在职人员", "Is not employed by this enterprise"),
            Bar::AbsentRecently => (
                "报名审核通过后无故缺考，半年内不能参加考试报名",
                "Missed an exam after approval: barred from registering for 6 months",
            ),
            Bar::CheatedRecently => (
                "考试作弊，一年内不准参加考试报名",
                "Cheated in an exam: barred from registering for a year",
            ),
            Bar::AlreadyRegistered => (
                "已报名本批次或同类型考试尚无结果",
                "Already registered for this batch, or for an exam of this type without an outcome yet",
            ),
        }
    }
}

/// Every condition the candidate fails on `today`, in the manual's order; empty when they may
/// be registered.
pub fn bars(candidate: &Candidate, today: Date) -> Vec<Bar> {
    let barred = |last: Option<Date>, months: u32| last.is_some_and(|day| today < day.add_months(months));
    let checks = [
        (!candidate.real_name, Bar::NotRealName),
        (!candidate.portrait, Bar::NoPortrait),
        (!candidate.employed_here, Bar::NotEmployedHere),
        (barred(candidate.last_absence, ABSENCE_BAR_MONTHS), Bar::AbsentRecently),
        (
            barred(candidate.last_cheating, CHEATING_BAR_MONTHS),
            Bar::CheatedRecently,
        ),
        (
            candidate.in_this_batch || candidate.pending_same_type,
            Bar::AlreadyRegistered,
        ),
    ];
    checks
        .into_iter()
        .filter(|(fails, _)| *fails)
        .map(|(_, bar)| bar)
        .collect()
}

/// When a batch takes registrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    NotYetOpen,
    Open,
    Closed,
}

/// The registration window on `today`: open from the opening day to the closing day, both
/// included.
pub fn window(opens_on: Date, closes_on: Date, today: Date) -> Window {
    if today < opens_on {
        Window::NotYetOpen
    } else if today > closes_on {
        Window::Closed
    } else {
        Window::Open
    }
}

/// Why a batch's dates are not a possible schedule, if they are not: registration opens no
/// later than it closes, and closes before the exam day.
pub fn schedule_error(opens_on: Date, closes_on: Date, exam_on: Date) -> Option<&'static str> {
    if opens_on > closes_on {
        Some("registration_closes_on")
    } else if closes_on >= exam_on {
        Some("exam_on")
    } else {
        None
    }
}

/// An outcome may be recorded for an approved registration from the exam day on.
pub fn outcome_allowed(state: &str, exam_on: Date, today: Date) -> bool {
    state == "approved" && today >= exam_on
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn eligible() -> Candidate {
        Candidate {
            real_name: true,
            portrait: true,
            employed_here: true,
            ..Candidate::default()
        }
    }

    #[test]
    fn an_eligible_candidate_has_no_bar() {
        assert!(bars(&eligible(), day("2026-12-01")).is_empty());
    }

    #[test]
    fn every_failing_condition_is_named_in_order() {
        let nobody = Candidate {
            last_absence: Some(day("2026-10-01")),
            last_cheating: Some(day("2026-01-01")),
            in_this_batch: true,
            ..Candidate::default()
        };
        assert_eq!(
            bars(&nobody, day("2026-12-01")),
            vec![
                Bar::NotRealName,
                Bar::NoPortrait,
                Bar::NotEmployedHere,
                Bar::AbsentRecently,
                Bar::CheatedRecently,
                Bar::AlreadyRegistered
            ]
        );
    }

    #[test]
    fn a_no_show_bars_for_six_months_to_the_day() {
        let absent = Candidate {
            last_absence: Some(day("2026-06-15")),
            ..eligible()
        };
        assert_eq!(bars(&absent, day("2026-12-14")), vec![Bar::AbsentRecently]);
        assert!(bars(&absent, day("2026-12-15")).is_empty());
    }

    #[test]
    fn cheating_bars_for_a_year_to_the_day() {
        let cheat = Candidate {
            last_cheating: Some(day("2025-12-02")),
            ..eligible()
        };
        assert_eq!(bars(&cheat, day("2026-12-01")), vec![Bar::CheatedRecently]);
        assert!(bars(&cheat, day("2026-12-02")).is_empty());
    }

    #[test]
    fn a_pending_registration_of_the_same_type_bars_a_second() {
        let pending = Candidate {
            pending_same_type: true,
            ..eligible()
        };
        assert_eq!(bars(&pending, day("2026-12-01")), vec![Bar::AlreadyRegistered]);
    }

    #[test]
    fn the_window_includes_both_ends() {
        let (opens, closes) = (day("2026-12-01"), day("2026-12-10"));
        assert_eq!(window(opens, closes, day("2026-11-30")), Window::NotYetOpen);
        assert_eq!(window(opens, closes, day("2026-12-01")), Window::Open);
        assert_eq!(window(opens, closes, day("2026-12-10")), Window::Open);
        assert_eq!(window(opens, closes, day("2026-12-11")), Window::Closed);
    }

    #[test]
    fn a_schedule_closes_before_the_exam() {
        let d = day;
        assert_eq!(schedule_error(d("2026-12-01"), d("2026-12-10"), d("2026-12-20")), None);
        assert_eq!(
            schedule_error(d("2026-12-11"), d("2026-12-10"), d("2026-12-20")),
            Some("registration_closes_on")
        );
        assert_eq!(
            schedule_error(d("2026-12-01"), d("2026-12-20"), d("2026-12-20")),
            Some("exam_on")
        );
    }

    #[test]
    fn outcomes_wait_for_the_exam_day_and_an_approval() {
        let exam = day("2026-12-20");
        assert!(!outcome_allowed("approved", exam, day("2026-12-19")));
        assert!(outcome_allowed("approved", exam, exam));
        assert!(!outcome_allowed("submitted", exam, day("2026-12-21")));
        assert!(!outcome_allowed("rejected", exam, day("2026-12-21")));
    }
}
