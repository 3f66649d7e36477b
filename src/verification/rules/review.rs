//! Staff review of flagged check-ins and the enterprise's appeal of refused ones, as pure
//! rules (issue 12, item 6): which outcomes count, which can be reviewed, which refusals can
//! be appealed, and what each decision turns an attempt's outcome into.

use serde::Deserialize;
use utoipa::ToSchema;

use super::TaskState;

/// The outcome of one check-in attempt, as `check_in_attempts.outcome` stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = AttemptOutcome)]
pub enum Outcome {
    /// Counts toward passing the task.
    Accepted,
    /// Accepted by the rules but carrying review flags: waits for staff, holds the person's
    /// place in the round, and does not count until confirmed.
    Flagged,
    /// Refused by a rule; the reason says which.
    Refused,
    /// A flagged attempt staff voided: it no longer counts nor holds the round.
    Voided,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Flagged => "flagged",
            Outcome::Refused => "refused",
            Outcome::Voided => "voided",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Accepted, Outcome::Flagged, Outcome::Refused, Outcome::Voided]
            .into_iter()
            .find(|o| o.as_str() == s)
    }

    /// Only an accepted attempt counts toward passing the task.
    pub fn counts(self) -> bool {
        self == Outcome::Accepted
    }

    /// An accepted or flagged attempt holds the person's place in the round: no second
    /// check-in (the partial unique index `check_in_attempts_once` says the same).
    pub fn holds_round(self) -> bool {
        matches!(self, Outcome::Accepted | Outcome::Flagged)
    }
}

/// Staff's decision on a flagged attempt.
#[derive(Debug, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[schema(as = CheckInReviewDecision)]
pub enum ReviewDecision {
    /// The attempt was genuine: it is accepted (its flags kept) and counts.
    Confirm,
    /// The attempt is not believed: it is voided and the person may check in again.
    Void,
}

impl ReviewDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewDecision::Confirm => "confirm",
            ReviewDecision::Void => "void",
        }
    }
}

/// Why a review is refused: only a flagged attempt waits for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUnderReview(pub Outcome);

/// The outcome a review turns a flagged attempt into.
pub fn review(outcome: Outcome, decision: ReviewDecision) -> Result<Outcome, NotUnderReview> {
    if outcome != Outcome::Flagged {
        return Err(NotUnderReview(outcome));
    }
    Ok(match decision {
        ReviewDecision::Confirm => Outcome::Accepted,
        ReviewDecision::Void => Outcome::Voided,
    })
}

/// Refusals that are a judgement about the evidence, which staff may look at again on appeal.
/// Refusals about the facts (not selected, not employed, outside the window, already checked
/// in, an impossible accuracy reading) are not appealable: the record already shows them.
pub const APPEALABLE_REASONS: &[&str] = &[
    "check_in.outside",
    "check_in.poor_accuracy",
    "check_in.reused_photo",
    "photo.reused",
    "face.mismatch",
];

/// What an appeal is judged on.
#[derive(Debug, Clone, Copy)]
pub struct AppealFacts<'a> {
    pub outcome: Outcome,
    pub reason: Option<&'a str>,
    pub attempt_round: i64,
    pub task_round: i64,
    pub task_state: TaskState,
    pub already_appealed: bool,
}

/// Why an appeal is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealRule {
    /// Only a refused attempt can be appealed.
    NotRefused(Outcome),
    /// The refusal's reason is not a judgement about the evidence.
    ReasonNotAppealable,
    /// The task no longer takes check-ins.
    TaskClosed(TaskState),
    /// The attempt belongs to an earlier round.
    EarlierRound,
    /// Each attempt is appealed at most once.
    AlreadyAppealed,
}

/// The enterprise may appeal a refused attempt of the current round once, while the task
/// still takes check-ins, when the refusal judged the evidence.
pub fn check_appeal(f: AppealFacts<'_>) -> Result<(), AppealRule> {
    if f.outcome != Outcome::Refused {
        return Err(AppealRule::NotRefused(f.outcome));
    }
    if f.already_appealed {
        return Err(AppealRule::AlreadyAppealed);
    }
    if !f.reason.is_some_and(|r| APPEALABLE_REASONS.contains(&r)) {
        return Err(AppealRule::ReasonNotAppealable);
    }
    if !f.task_state.takes_check_ins() {
        return Err(AppealRule::TaskClosed(f.task_state));
    }
    if f.attempt_round != f.task_round {
        return Err(AppealRule::EarlierRound);
    }
    Ok(())
}

/// Staff's decision on an appeal.
#[derive(Debug, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AppealDecision {
    /// The refusal was wrong: the attempt is accepted and counts.
    Grant,
    /// The refusal stands.
    Dismiss,
}

impl AppealDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            AppealDecision::Grant => "grant",
            AppealDecision::Dismiss => "dismiss",
        }
    }
}

/// Why an appeal decision is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealDecisionRule {
    /// Nothing was appealed.
    NoAppeal,
    /// The appeal was already decided.
    AlreadyDecided,
}

/// The outcome an appeal decision turns a refused, appealed attempt into.
pub fn decide_appeal(appealed: bool, decided: bool, decision: AppealDecision) -> Result<Outcome, AppealDecisionRule> {
    if !appealed {
        return Err(AppealDecisionRule::NoAppeal);
    }
    if decided {
        return Err(AppealDecisionRule::AlreadyDecided);
    }
    Ok(match decision {
        AppealDecision::Grant => Outcome::Accepted,
        AppealDecision::Dismiss => Outcome::Refused,
    })
}

/// What an attempt waits for from staff, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = AttemptAwaiting)]
pub enum Awaiting {
    /// A flagged attempt: confirm or void.
    Review,
    /// A refused attempt under appeal: grant or dismiss.
    AppealDecision,
}

impl Awaiting {
    pub fn as_str(self) -> &'static str {
        match self {
            Awaiting::Review => "review",
            Awaiting::AppealDecision => "appeal_decision",
        }
    }
}

pub fn awaiting(outcome: Outcome, appealed: bool, appeal_decided: bool) -> Option<Awaiting> {
    match outcome {
        Outcome::Flagged => Some(Awaiting::Review),
        Outcome::Refused if appealed && !appeal_decided => Some(Awaiting::AppealDecision),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_and_only_accepted_counts() {
        for o in [Outcome::Accepted, Outcome::Flagged, Outcome::Refused, Outcome::Voided] {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(Outcome::parse("passed"), None);
        assert!(Outcome::Accepted.counts());
        assert!(!Outcome::Flagged.counts(), "a flagged attempt waits for staff");
        assert!(!Outcome::Voided.counts());
        assert!(!Outcome::Refused.counts());
        assert!(Outcome::Flagged.holds_round() && Outcome::Accepted.holds_round());
        assert!(!Outcome::Voided.holds_round() && !Outcome::Refused.holds_round());
    }

    #[test]
    fn only_a_flagged_attempt_is_reviewed() {
        assert_eq!(review(Outcome::Flagged, ReviewDecision::Confirm), Ok(Outcome::Accepted));
        assert_eq!(review(Outcome::Flagged, ReviewDecision::Void), Ok(Outcome::Voided));
        for o in [Outcome::Accepted, Outcome::Refused, Outcome::Voided] {
            assert_eq!(review(o, ReviewDecision::Confirm), Err(NotUnderReview(o)));
            assert_eq!(review(o, ReviewDecision::Void), Err(NotUnderReview(o)));
        }
    }

    fn facts(reason: &str) -> AppealFacts<'_> {
        AppealFacts {
            outcome: Outcome::Refused,
            reason: Some(reason),
            attempt_round: 1,
            task_round: 1,
            task_state: TaskState::CheckingIn,
            already_appealed: false,
        }
    }

    #[test]
    fn judgements_about_the_evidence_can_be_appealed() {
        for reason in [
            "check_in.outside",
            "check_in.poor_accuracy",
            "face.mismatch",
            "check_in.reused_photo",
            "photo.reused",
        ] {
            assert_eq!(check_appeal(facts(reason)), Ok(()), "{reason}");
        }
    }

    #[test]
    fn facts_cannot_be_appealed() {
        for reason in [
            "verification.not_selected",
            "check_in.not_employed",
            "verification.outside_window",
            "verification.already_checked_in",
            "check_in.accuracy_invalid",
            "challenge.used",
            "face.busy",
        ] {
            assert_eq!(
                check_appeal(facts(reason)),
                Err(AppealRule::ReasonNotAppealable),
                "{reason}"
            );
        }
        let no_reason = AppealFacts {
            reason: None,
            ..facts("check_in.outside")
        };
        assert_eq!(check_appeal(no_reason), Err(AppealRule::ReasonNotAppealable));
    }

    #[test]
    fn an_appeal_is_once_for_a_refusal_of_the_open_round() {
        let base = facts("face.mismatch");
        for o in [Outcome::Accepted, Outcome::Flagged, Outcome::Voided] {
            let f = AppealFacts { outcome: o, ..base };
            assert_eq!(check_appeal(f), Err(AppealRule::NotRefused(o)));
        }
        let again = AppealFacts {
            already_appealed: true,
            ..base
        };
        assert_eq!(check_appeal(again), Err(AppealRule::AlreadyAppealed));
        for state in [TaskState::Passed, TaskState::Rectification, TaskState::Open] {
            let f = AppealFacts {
                task_state: state,
                ..base
            };
            assert_eq!(check_appeal(f), Err(AppealRule::TaskClosed(state)));
        }
        let earlier = AppealFacts { task_round: 2, ..base };
        assert_eq!(check_appeal(earlier), Err(AppealRule::EarlierRound));
    }

    #[test]
    fn an_appeal_is_decided_once() {
        assert_eq!(decide_appeal(true, false, AppealDecision::Grant), Ok(Outcome::Accepted));
        assert_eq!(
            decide_appeal(true, false, AppealDecision::Dismiss),
            Ok(Outcome::Refused)
        );
        assert_eq!(
            decide_appeal(false, false, AppealDecision::Grant),
            Err(AppealDecisionRule::NoAppeal)
        );
        assert_eq!(
            decide_appeal(true, true, AppealDecision::Dismiss),
            Err(AppealDecisionRule::AlreadyDecided)
        );
    }

    #[test]
    fn what_waits_for_staff() {
        assert_eq!(awaiting(Outcome::Flagged, false, false), Some(Awaiting::Review));
        assert_eq!(awaiting(Outcome::Refused, true, false), Some(Awaiting::AppealDecision));
        assert_eq!(awaiting(Outcome::Refused, true, true), None);
        assert_eq!(awaiting(Outcome::Refused, false, false), None);
        assert_eq!(awaiting(Outcome::Accepted, true, true), None, "a granted appeal");
        assert_eq!(awaiting(Outcome::Voided, false, false), None);
    }
}
