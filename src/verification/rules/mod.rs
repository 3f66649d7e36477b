//! Verification rules, as pure functions. Each names the sentence of seed 004 it implements.

use crate::platform::ids::EmploymentId;
use crate::platform::types::Date;

/// The two kinds of task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// 告知承诺制: the enterprise must start within ten months of the certificate's issue date.
    FirstTime,
    /// 存量 (targeted enterprises): start within one month of the notice.
    Routine,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::FirstTime => "first_time",
            TaskKind::Routine => "routine",
        }
    }

    pub fn parse(s: &str) -> Option<TaskKind> {
        [TaskKind::FirstTime, TaskKind::Routine]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The last day to start (submit the check-in personnel) (seed 004 二(一)1: 企业应在资质证书
/// 发证日期起十个月内发起人员打卡; routine tasks: one month from the notice).
pub fn start_deadline(kind: TaskKind, certificate_issued: Date, notice: Date) -> Date {
    match kind {
        TaskKind::FirstTime => certificate_issued.add_months(10),
        TaskKind::Routine => notice.add_months(1),
    }
}

/// Why a task cannot be opened with these dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpeningRule {
    /// A notice is dated the day it is sent, not later.
    NoticeInFuture,
    /// The enterprise's time to start would already be over: the task would lapse at once.
    DeadlinePassed { deadline: Date },
}

/// The start deadline of a task opened `today` (China) with this notice date, or why it cannot
/// be opened: a deadline already passed protects no one and would close the task within the
/// hour.
pub fn opening_deadline(
    kind: TaskKind,
    certificate_issued: Date,
    notice: Date,
    today: Date,
) -> Result<Date, OpeningRule> {
    if notice > today {
        return Err(OpeningRule::NoticeInFuture);
    }
    let deadline = start_deadline(kind, certificate_issued, notice);
    if deadline < today {
        return Err(OpeningRule::DeadlinePassed { deadline });
    }
    Ok(deadline)
}

/// The last day of the check-in window: one calendar month after the approval (seed 004:
/// 在审核通过之日起一个月内完成打卡).
pub fn window_end(approved: Date) -> Date {
    approved.add_months(1)
}

/// One of the enterprise's current staff, as the selection rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub employment_id: EmploymentId,
    /// Holds a registration certificate (注册证) with its scan.
    pub registered: bool,
    /// Holds a professional title (职称) with its scan.
    pub titled: bool,
    pub technical_lead: bool,
}

/// What the qualification standard requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Required {
    pub registered: u32,
    pub titled: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectionRule {
    /// 所选人员必须为注册人员或职称技术人员 / 未上传证件无法勾选该人员.
    NotQualified(EmploymentId),
    /// 技术负责人必选.
    TechnicalLeadMissing,
    /// With a licence: at least half the required total (注册人员和职称技术人员总和的50%).
    TooFewInTotal {
        selected: u32,
        needed: u32,
    },
    /// With a licence, half the required registered staff; without, all of them.
    TooFewRegistered {
        selected: u32,
        needed: u32,
    },
    /// With a licence, half the required titled staff; without, all of them.
    TooFewTitled {
        selected: u32,
        needed: u32,
    },
    Duplicate(EmploymentId),
}

fn half_rounded_up(n: u32) -> u32 {
    n.div_ceil(2)
}

/// Checks a selection of check-in personnel (seed 004 二(一)2):
/// - every selected person is registered staff or titled staff, with the certificate uploaded;
/// - the technical lead is always included;
/// - with a safety production licence: at least 50 % of the required total, 50 % of the
///   required registered staff and 50 % of the required titled staff;
/// - without one: every required registered and titled person.
///
/// A person holding both a registration and a title counts towards both figures and once in
/// the total. The first rule broken is the API's refusal (`selection_violations` lists all).
pub fn check_selection(
    selected: &[Candidate],
    has_safety_licence: bool,
    required: Required,
) -> Result<(), SelectionRule> {
    match selection_violations(selected, has_safety_licence, required)
        .into_iter()
        .next()
    {
        Some(rule) => Err(rule),
        None => Ok(()),
    }
}

/// Every rule of `check_selection` the selection breaks, in the order it checks them: each
/// person in turn (twice selected, not qualified), then the technical lead, the total, the
/// registered and the titled staff. The enterprise portal shows them all before submitting.
pub fn selection_violations(
    selected: &[Candidate],
    has_safety_licence: bool,
    required: Required,
) -> Vec<SelectionRule> {
    let mut broken = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in selected {
        if !seen.insert(&c.employment_id) {
            broken.push(SelectionRule::Duplicate(c.employment_id.clone()));
        } else if !c.registered && !c.titled {
            broken.push(SelectionRule::NotQualified(c.employment_id.clone()));
        }
    }
    if !selected.iter().any(|c| c.technical_lead) {
        broken.push(SelectionRule::TechnicalLeadMissing);
    }
    let registered = selected.iter().filter(|c| c.registered).count() as u32;
    let titled = selected.iter().filter(|c| c.titled).count() as u32;
    let total = selected.len() as u32;
    let (need_total, need_registered, need_titled) = if has_safety_licence {
        (
            half_rounded_up(required.registered + required.titled),
            half_rounded_up(required.registered),
            half_rounded_up(required.titled),
        )
    } else {
        (0, required.registered, required.titled)
    };
    if total < need_total {
        broken.push(SelectionRule::TooFewInTotal {
            selected: total,
            needed: need_total,
        });
    }
    if registered < need_registered {
        broken.push(SelectionRule::TooFewRegistered {
            selected: registered,
            needed: need_registered,
        });
    }
    if titled < need_titled {
        broken.push(SelectionRule::TooFewTitled {
            selected: titled,
            needed: need_titled,
        });
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn person(id: &str, registered: bool, titled: bool, lead: bool) -> Candidate {
        Candidate {
            employment_id: id.into(),
            registered,
            titled,
            technical_lead: lead,
        }
    }

    #[test]
    fn deadlines_are_calendar_months() {
        assert_eq!(
            start_deadline(TaskKind::FirstTime, d("2026-03-31"), d("2026-11-21")),
            d("2027-01-31")
        );
        assert_eq!(
            start_deadline(TaskKind::Routine, d("2020-01-01"), d("2026-01-31")),
            d("2026-02-28")
        );
        assert_eq!(window_end(d("2026-11-21")), d("2026-12-21"));
    }

    #[test]
    fn a_task_cannot_open_with_its_deadline_behind_it() {
        let today = d("2026-12-01");
        let first = TaskKind::FirstTime;
        assert_eq!(
            opening_deadline(first, d("2026-03-01"), today, today),
            Ok(d("2027-01-01"))
        );
        assert_eq!(
            opening_deadline(first, d("2026-01-31"), today, today),
            Err(OpeningRule::DeadlinePassed {
                deadline: d("2026-11-30")
            })
        );
        // The last day itself still counts.
        assert_eq!(
            opening_deadline(first, d("2026-02-01"), today, today),
            Ok(d("2026-12-01"))
        );
        let routine = TaskKind::Routine;
        assert_eq!(
            opening_deadline(routine, d("2020-01-01"), d("1990-01-01"), today),
            Err(OpeningRule::DeadlinePassed {
                deadline: d("1990-02-01")
            })
        );
        assert_eq!(
            opening_deadline(routine, d("2020-01-01"), d("2026-12-02"), today),
            Err(OpeningRule::NoticeInFuture)
        );
    }

    #[test]
    fn with_a_licence_half_of_each_is_enough() {
        let required = Required {
            registered: 4,
            titled: 3,
        };
        let lead = person("lead", false, true, true);
        let picks = vec![
            lead.clone(),
            person("r1", true, false, false),
            person("r2", true, false, false),
            person("t1", false, true, false),
        ];
        assert_eq!(check_selection(&picks, true, required), Ok(()));
        // 4 of 7 in total is needed; 3 is too few.
        let three = &picks[..3];
        assert_eq!(
            check_selection(three, true, required),
            Err(SelectionRule::TooFewInTotal { selected: 3, needed: 4 })
        );
        let titled_short = vec![
            lead.clone(),
            person("r1", true, false, false),
            person("r2", true, false, false),
            person("r3", true, false, false),
        ];
        assert_eq!(
            check_selection(&titled_short, true, required),
            Err(SelectionRule::TooFewTitled { selected: 1, needed: 2 })
        );
        let registered_short = vec![
            lead,
            person("t1", false, true, false),
            person("t2", false, true, false),
            person("r1", true, false, false),
        ];
        assert_eq!(
            check_selection(&registered_short, true, required),
            Err(SelectionRule::TooFewRegistered { selected: 1, needed: 2 })
        );
    }

    #[test]
    fn without_a_licence_everyone_required() {
        let required = Required {
            registered: 2,
            titled: 1,
        };
        let picks = vec![person("lead", false, true, true), person("r1", true, false, false)];
        assert_eq!(
            check_selection(&picks, false, required),
            Err(SelectionRule::TooFewRegistered { selected: 1, needed: 2 })
        );
        let all = vec![
            person("lead", false, true, true),
            person("r1", true, false, false),
            person("r2", true, true, false),
        ];
        assert_eq!(check_selection(&all, false, required), Ok(()));
    }

    #[test]
    fn every_broken_rule_is_listed_the_first_being_the_refusal() {
        let required = Required {
            registered: 2,
            titled: 1,
        };
        let picks = vec![person("t1", false, true, false), person("x", false, false, false)];
        let broken = selection_violations(&picks, true, required);
        assert_eq!(
            broken,
            vec![
                SelectionRule::NotQualified("x".into()),
                SelectionRule::TechnicalLeadMissing,
                SelectionRule::TooFewRegistered { selected: 0, needed: 1 },
            ]
        );
        assert_eq!(check_selection(&picks, true, required), Err(broken[0].clone()));
        let fine = vec![person("lead", true, false, true), person("t1", false, true, false)];
        assert!(selection_violations(&fine, true, required).is_empty());
    }

    #[test]
    fn the_lead_is_mandatory_and_everyone_qualified() {
        let required = Required {
            registered: 0,
            titled: 0,
        };
        assert_eq!(
            check_selection(&[person("r1", true, false, false)], true, required),
            Err(SelectionRule::TechnicalLeadMissing)
        );
        let unqualified = vec![person("lead", true, false, true), person("x", false, false, false)];
        assert_eq!(
            check_selection(&unqualified, true, required),
            Err(SelectionRule::NotQualified("x".into()))
        );
        let twice = vec![person("lead", true, false, true), person("lead", true, false, true)];
        assert_eq!(
            check_selection(&twice, true, required),
            Err(SelectionRule::Duplicate("lead".into()))
        );
    }
}

pub mod check_in;
mod lifecycle;
mod replacement;
pub mod review;

pub use lifecycle::{transition, NotAllowed, TaskEvent, TaskState};
pub use replacement::{check_replacement, ReplacementRule, Selected};
