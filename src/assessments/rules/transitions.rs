//! The record's lifecycle (DOMAIN.md §6; seed 000 §2.2–2.3, seed 001 §3.3.1): its states, what
//! happens to it, and the transitions allowed.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Outcome;

/// A self-assessment's states (DOMAIN.md §6: draft → submitted → under review → approved, or
/// returned to the enterprise). `deleted` records are kept but no longer listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    Submitted,
    UnderReview,
    Approved,
    Returned,
    Deleted,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::UnderReview => "under_review",
            State::Approved => "approved",
            State::Returned => "returned",
            State::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        [
            State::Draft,
            State::Submitted,
            State::UnderReview,
            State::Approved,
            State::Returned,
            State::Deleted,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    fn zh(self) -> &'static str {
        match self {
            State::Draft => "草稿",
            State::Submitted => "已提交",
            State::UnderReview => "审核中",
            State::Approved => "审核通过",
            State::Returned => "已退回",
            State::Deleted => "已删除",
        }
    }
}

/// What happens to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The enterprise changes scores, evidence, people or notes.
    Edit,
    Delete,
    Submit,
    /// A reviewer scores or decides an item.
    Review,
    Finish(Outcome),
}

impl Event {
    fn zh(self) -> &'static str {
        match self {
            Event::Edit => "修改",
            Event::Delete => "删除",
            Event::Submit => "提交",
            Event::Review => "审核",
            Event::Finish(_) => "完成审核",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Event::Edit => "edited",
            Event::Delete => "deleted",
            Event::Submit => "submitted",
            Event::Review => "reviewed",
            Event::Finish(_) => "finished",
        }
    }
}

/// A transition the lifecycle does not allow, with the rule that forbids it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAllowed {
    pub state: State,
    pub event: Event,
}

impl NotAllowed {
    /// The rule in words (seed 000 §2.2–2.3: only drafts and records returned by the authority
    /// may be edited or deleted; seed 001 §3.3.1: only submitted records are reviewed).
    pub fn message(&self) -> (String, String) {
        let (zh, en) = match self.event {
            Event::Edit | Event::Delete | Event::Submit => (
                "只有草稿和被退回的考核可以修改、删除或提交",
                "only drafts and returned assessments can be edited, deleted or submitted",
            ),
            Event::Review | Event::Finish(_) => (
                "只有已提交、待审核的考核可以审核",
                "only submitted assessments awaiting review can be reviewed",
            ),
        };
        (
            format!("该考核为“{}”状态，不能{}：{zh}", self.state.zh(), self.event.zh()),
            format!(
                "This assessment is {} and cannot be {}: {en}",
                self.state.as_str(),
                self.event.en()
            ),
        )
    }
}

/// The lifecycle: drafts and returned records are edited, deleted and submitted; submitted
/// records are reviewed, item by item, until the review is finished, which approves the
/// record or returns it (rejected items, or rectification).
pub fn transition(state: State, event: Event) -> Result<State, NotAllowed> {
    use Event::*;
    use State::*;
    match (state, event) {
        (Draft | Returned, Edit) => Ok(state),
        (Draft | Returned, Delete) => Ok(Deleted),
        (Draft | Returned, Submit) => Ok(Submitted),
        (Submitted | UnderReview, Review) => Ok(UnderReview),
        (Submitted | UnderReview, Finish(Outcome::Approved)) => Ok(Approved),
        (Submitted | UnderReview, Finish(Outcome::Returned | Outcome::Rectification)) => Ok(Returned),
        _ => Err(NotAllowed { state, event }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_drafts_and_returned_records_are_edited_deleted_or_submitted() {
        for state in [State::Draft, State::Returned] {
            assert_eq!(transition(state, Event::Edit), Ok(state));
            assert_eq!(transition(state, Event::Delete), Ok(State::Deleted));
            assert_eq!(transition(state, Event::Submit), Ok(State::Submitted));
            assert!(transition(state, Event::Review).is_err());
        }
        for state in [State::Submitted, State::UnderReview, State::Approved, State::Deleted] {
            for event in [Event::Edit, Event::Delete, Event::Submit] {
                assert_eq!(transition(state, event), Err(NotAllowed { state, event }));
            }
        }
    }

    #[test]
    fn reviews_end_in_approval_or_a_return() {
        assert_eq!(transition(State::Submitted, Event::Review), Ok(State::UnderReview));
        assert_eq!(
            transition(State::UnderReview, Event::Finish(Outcome::Approved)),
            Ok(State::Approved)
        );
        assert_eq!(
            transition(State::UnderReview, Event::Finish(Outcome::Rectification)),
            Ok(State::Returned)
        );
        assert!(transition(State::Approved, Event::Review).is_err());
        assert!(transition(State::Draft, Event::Finish(Outcome::Approved)).is_err());
    }
}
