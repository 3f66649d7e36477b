//! What a submission needs (seed 000: required material; seed 001: every item has a
//! self-score; seed 000 §2.5: rectification material before resubmission).

use super::ItemKind;

/// What one item holds at submission, for `missing_for_submission`.
#[derive(Debug, Clone)]
pub struct ItemFill<'a> {
    pub number: &'a str,
    pub kind: ItemKind,
    pub evidence_required: bool,
    /// Named attachments (attachment items) that need a document each.
    pub slots: &'a [String],
    pub self_score: Option<f64>,
    /// The slot of each evidence document ("" for unnamed evidence).
    pub evidence: Vec<&'a str>,
    /// The role of each listed person (people items).
    pub people: Vec<&'a str>,
    /// The item lost points in a round returned for rectification.
    pub needs_rectification: bool,
    pub rectification_documents: usize,
}

/// Why an item blocks a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    NoSelfScore,
    NoEvidence,
    /// An attachment list lacks a document for this named attachment.
    MissingAttachment(String),
    /// A people list has no one in this role.
    NoPeople(String),
    NoRectificationMaterial,
}

/// The items that cannot be submitted as they are (seed 000: required material; seed 001:
/// every item has a self-score; seed 000 §2.5: rectification material before resubmission).
pub fn missing_for_submission(items: &[ItemFill<'_>]) -> Vec<(String, Gap)> {
    let mut gaps = Vec::new();
    for item in items {
        let mut gap = |g: Gap| gaps.push((item.number.to_owned(), g));
        match item.kind {
            ItemKind::Scored => {
                if item.self_score.is_none() {
                    gap(Gap::NoSelfScore);
                }
                if item.evidence_required && item.evidence.is_empty() {
                    gap(Gap::NoEvidence);
                }
            }
            ItemKind::People if item.evidence_required => {
                for role in item.slots {
                    if !item.people.contains(&role.as_str()) {
                        gap(Gap::NoPeople(role.clone()));
                    }
                }
            }
            ItemKind::Attachments if item.evidence_required => {
                for slot in item.slots {
                    if !item.evidence.contains(&slot.as_str()) {
                        gap(Gap::MissingAttachment(slot.clone()));
                    }
                }
            }
            ItemKind::People | ItemKind::Attachments => {}
        }
        if item.needs_rectification && item.rectification_documents == 0 {
            gap(Gap::NoRectificationMaterial);
        }
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submissions_name_what_each_item_lacks() {
        let slots = vec!["花名册".to_owned(), "制度".to_owned()];
        let roles = vec!["enterprise_principal".to_owned(), "safety_manager".to_owned()];
        let base = ItemFill {
            number: "1",
            kind: ItemKind::Scored,
            evidence_required: true,
            slots: &[],
            self_score: None,
            evidence: vec![],
            people: vec![],
            needs_rectification: false,
            rectification_documents: 0,
        };
        let items = [
            base.clone(),
            ItemFill {
                number: "2",
                self_score: Some(3.0),
                evidence: vec![""],
                ..base.clone()
            },
            ItemFill {
                number: "9",
                kind: ItemKind::People,
                slots: &roles,
                people: vec!["enterprise_principal"],
                ..base.clone()
            },
            ItemFill {
                number: "10",
                kind: ItemKind::Attachments,
                slots: &slots,
                evidence: vec!["制度"],
                ..base.clone()
            },
            ItemFill {
                number: "11",
                self_score: Some(1.0),
                evidence: vec![""],
                needs_rectification: true,
                ..base.clone()
            },
        ];
        assert_eq!(
            missing_for_submission(&items),
            vec![
                ("1".to_owned(), Gap::NoSelfScore),
                ("1".to_owned(), Gap::NoEvidence),
                ("9".to_owned(), Gap::NoPeople("safety_manager".into())),
                ("10".to_owned(), Gap::MissingAttachment("花名册".into())),
                ("11".to_owned(), Gap::NoRectificationMaterial),
            ]
        );
    }
}
