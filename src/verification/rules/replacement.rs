//! Replacing selected people whose employment ended during check-in. The enterprise may swap
//! out only those people: everyone still employed stays selected, so a replacement can never
//! be used to dodge a check-in. The new selection is then checked like any other.

use crate::platform::ids::EmploymentId;

/// One person of the current selection, as the replacement rule sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub employment_id: EmploymentId,
    /// The employment is still active.
    pub employed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplacementRule {
    /// Nobody selected has left: there is nothing to replace.
    NothingToReplace,
    /// A person still employed was left out of the new selection.
    DropsEmployed(EmploymentId),
    /// A person whose employment ended is still in the new selection.
    KeepsEnded(EmploymentId),
}

/// Checks a proposed selection against the current one: at least one selected person has
/// left, every one who left is gone from the proposal, and everyone still employed remains.
pub fn check_replacement(current: &[Selected], proposed: &[EmploymentId]) -> Result<(), ReplacementRule> {
    if current.iter().all(|s| s.employed) {
        return Err(ReplacementRule::NothingToReplace);
    }
    for s in current {
        let kept = proposed.contains(&s.employment_id);
        match (s.employed, kept) {
            (true, false) => return Err(ReplacementRule::DropsEmployed(s.employment_id.clone())),
            (false, true) => return Err(ReplacementRule::KeepsEnded(s.employment_id.clone())),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selected(id: &str, employed: bool) -> Selected {
        Selected {
            employment_id: id.into(),
            employed,
        }
    }

    fn ids(list: &[&str]) -> Vec<EmploymentId> {
        list.iter().map(|&id| id.into()).collect()
    }

    #[test]
    fn only_those_who_left_are_replaced() {
        let current = [selected("lead", true), selected("gone", false)];
        assert_eq!(check_replacement(&current, &ids(&["lead", "new"])), Ok(()));
        assert_eq!(
            check_replacement(&current, &ids(&["new"])),
            Err(ReplacementRule::DropsEmployed("lead".into()))
        );
        assert_eq!(
            check_replacement(&current, &ids(&["lead", "gone", "new"])),
            Err(ReplacementRule::KeepsEnded("gone".into()))
        );
    }

    #[test]
    fn nothing_to_replace_while_everyone_is_employed() {
        let current = [selected("lead", true), selected("b", true)];
        assert_eq!(
            check_replacement(&current, &ids(&["lead", "c"])),
            Err(ReplacementRule::NothingToReplace)
        );
    }

    #[test]
    fn dropping_the_one_who_left_without_a_successor_is_a_replacement_too() {
        // Whether the smaller selection still meets the standard is `check_selection`'s call.
        let current = [selected("lead", true), selected("gone", false)];
        assert_eq!(check_replacement(&current, &ids(&["lead"])), Ok(()));
    }
}
