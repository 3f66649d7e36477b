//! The task lifecycle (seed 004 二) as a state machine.

use super::TaskKind;

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Waiting for the enterprise to select its check-in personnel.
    Open,
    /// The selection awaits the authority's review.
    SelectionSubmitted,
    /// Approved: the selected people check in within the window.
    CheckingIn,
    /// A selected person's employment ended during check-in; the enterprise's replacement
    /// awaits review. Everyone else keeps checking in meanwhile.
    ReplacementSubmitted,
    Passed,
    /// A first-time task not completed in time: the qualification lapses.
    Lapsed,
    /// A routine task not completed in time: a rectification notice (责令整改通知书) is issued.
    Rectification,
    /// Failed again after rectification: the qualification is to be withdrawn.
    Withdrawn,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::SelectionSubmitted => "selection_submitted",
            TaskState::CheckingIn => "checking_in",
            TaskState::ReplacementSubmitted => "replacement_submitted",
            TaskState::Passed => "passed",
            TaskState::Lapsed => "lapsed",
            TaskState::Rectification => "rectification",
            TaskState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<TaskState> {
        use TaskState::*;
        [
            Open,
            SelectionSubmitted,
            CheckingIn,
            ReplacementSubmitted,
            Passed,
            Lapsed,
            Rectification,
            Withdrawn,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    /// Whether selected people can check in: while the window is open, including while a
    /// replacement is under review.
    pub fn takes_check_ins(self) -> bool {
        matches!(self, TaskState::CheckingIn | TaskState::ReplacementSubmitted)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskEvent {
    SubmitSelection,
    /// A new selection replacing people whose employment ended during check-in.
    SubmitReplacement,
    Approve,
    Reject,
    EveryoneCheckedIn,
    WindowExpired,
    SubmitRectification,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAllowed {
    pub state: TaskState,
    pub event: TaskEvent,
}

/// The task's lifecycle (seed 004 二): select → review (rejected: select again; approved: the
/// selection is frozen and the window opens) → everyone checked in: passed; window expired:
/// first-time tasks lapse, routine tasks get a rectification notice, answered by a
/// rectification report and a new round; a second failure means withdrawal. A selected
/// person whose employment ends during check-in must be replaced: the replacement is reviewed
/// like a selection, and either way check-in resumes (the window stays as approved).
pub fn transition(state: TaskState, event: TaskEvent, kind: TaskKind, round: u32) -> Result<TaskState, NotAllowed> {
    use TaskEvent::*;
    use TaskState::*;
    match (state, event) {
        (Open, SubmitSelection) => Ok(SelectionSubmitted),
        (SelectionSubmitted, Approve) => Ok(CheckingIn),
        (SelectionSubmitted, Reject) => Ok(Open),
        (CheckingIn, SubmitReplacement) => Ok(ReplacementSubmitted),
        (ReplacementSubmitted, Approve | Reject) => Ok(CheckingIn),
        (CheckingIn, EveryoneCheckedIn) => Ok(Passed),
        (CheckingIn | ReplacementSubmitted, WindowExpired) => Ok(match (kind, round) {
            (TaskKind::FirstTime, _) => Lapsed,
            (TaskKind::Routine, 1) => Rectification,
            (TaskKind::Routine, _) => Withdrawn,
        }),
        (Rectification, SubmitRectification) => Ok(Open),
        _ => Err(NotAllowed { state, event }),
    }
}

#[cfg(test)]
mod lifecycle_tests {
    use super::*;
    use TaskEvent::*;
    use TaskState::*;

    #[test]
    fn routine_tasks_get_one_rectification_round() {
        let k = TaskKind::Routine;
        assert_eq!(transition(Open, SubmitSelection, k, 1), Ok(SelectionSubmitted));
        assert_eq!(transition(SelectionSubmitted, Reject, k, 1), Ok(Open));
        assert_eq!(transition(SelectionSubmitted, Approve, k, 1), Ok(CheckingIn));
        assert_eq!(transition(CheckingIn, EveryoneCheckedIn, k, 1), Ok(Passed));
        assert_eq!(transition(CheckingIn, WindowExpired, k, 1), Ok(Rectification));
        assert_eq!(transition(Rectification, SubmitRectification, k, 1), Ok(Open));
        assert_eq!(transition(CheckingIn, WindowExpired, k, 2), Ok(Withdrawn));
    }

    #[test]
    fn first_time_tasks_lapse_and_frozen_selections_stay_frozen() {
        assert_eq!(
            transition(CheckingIn, WindowExpired, TaskKind::FirstTime, 1),
            Ok(Lapsed)
        );
        assert_eq!(
            transition(CheckingIn, SubmitSelection, TaskKind::FirstTime, 1),
            Err(NotAllowed {
                state: CheckingIn,
                event: SubmitSelection
            })
        );
        assert!(transition(Passed, Reject, TaskKind::Routine, 1).is_err());
        assert!(transition(Open, SubmitReplacement, TaskKind::Routine, 1).is_err());
        assert!(transition(Lapsed, SubmitRectification, TaskKind::FirstTime, 1).is_err());
    }
}

#[cfg(test)]
mod replacement_tests {
    use super::*;
    use TaskEvent::*;
    use TaskState::*;

    #[test]
    fn a_replacement_is_reviewed_and_check_in_resumes_either_way() {
        let k = TaskKind::FirstTime;
        assert_eq!(
            transition(CheckingIn, SubmitReplacement, k, 1),
            Ok(ReplacementSubmitted)
        );
        assert_eq!(transition(ReplacementSubmitted, Approve, k, 1), Ok(CheckingIn));
        assert_eq!(transition(ReplacementSubmitted, Reject, k, 1), Ok(CheckingIn));
        assert!(ReplacementSubmitted.takes_check_ins() && CheckingIn.takes_check_ins());
        assert!(!SelectionSubmitted.takes_check_ins());
    }

    #[test]
    fn a_pending_replacement_blocks_passing_but_not_the_deadline() {
        let k = TaskKind::Routine;
        assert!(transition(ReplacementSubmitted, EveryoneCheckedIn, k, 1).is_err());
        assert!(transition(ReplacementSubmitted, SubmitReplacement, k, 1).is_err());
        assert_eq!(transition(ReplacementSubmitted, WindowExpired, k, 1), Ok(Rectification));
        assert_eq!(transition(ReplacementSubmitted, WindowExpired, k, 2), Ok(Withdrawn));
    }
}
