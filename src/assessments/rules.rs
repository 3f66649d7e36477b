//! Assessment rules, as pure functions: the record's lifecycle (DOMAIN.md §6; seed 000 §2.2–2.5,
//! seed 001 §3.3.1), score ranges, what a submission needs, and how a review ends.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The four assessment templates of the manuals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// 企业一般安全生产条件动态考核 (enterprise self-assessment)
    GeneralConditions,
    /// 安全生产总监专项考核 (enterprise self-assessment)
    SafetyDirector,
    /// 项目安全生产条件考核 (filled by a supervisor)
    Project,
    /// 安许证动态考核, Jinan (enterprise self-assessment)
    LicenceDynamic,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 4] = [
        TemplateKind::GeneralConditions,
        TemplateKind::SafetyDirector,
        TemplateKind::Project,
        TemplateKind::LicenceDynamic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::GeneralConditions => "general_conditions",
            TemplateKind::SafetyDirector => "safety_director",
            TemplateKind::Project => "project",
            TemplateKind::LicenceDynamic => "licence_dynamic",
        }
    }

    pub fn parse(s: &str) -> Option<TemplateKind> {
        TemplateKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether enterprises fill this template themselves (the project one is a supervisor's).
    pub fn is_self_assessment(self) -> bool {
        self != TemplateKind::Project
    }
}

/// What an item asks for: a self-score, a list of people, or a list of named attachments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Scored,
    People,
    Attachments,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Scored => "scored",
            ItemKind::People => "people",
            ItemKind::Attachments => "attachments",
        }
    }

    pub fn parse(s: &str) -> Option<ItemKind> {
        [ItemKind::Scored, ItemKind::People, ItemKind::Attachments]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The people lists of the Jinan licence assessment (seed 000 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// 企业负责人
    EnterprisePrincipal,
    /// 项目负责人
    ProjectLeader,
    /// 特种作业人员
    SpecialOperations,
    /// 专职安全生产管理人员
    SafetyManager,
}

impl PersonRole {
    pub const ALL: [PersonRole; 4] = [
        PersonRole::EnterprisePrincipal,
        PersonRole::ProjectLeader,
        PersonRole::SpecialOperations,
        PersonRole::SafetyManager,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PersonRole::EnterprisePrincipal => "enterprise_principal",
            PersonRole::ProjectLeader => "project_leader",
            PersonRole::SpecialOperations => "special_operations",
            PersonRole::SafetyManager => "safety_manager",
        }
    }

    pub fn parse(s: &str) -> Option<PersonRole> {
        PersonRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

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

/// How a finished review ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every item passed and the result is qualified.
    Approved,
    /// Some items were rejected: back to the enterprise with those items listed.
    Returned,
    /// Every item passed but the result is basically qualified or unqualified: back to the
    /// enterprise for rectification (整改).
    Rectification,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Returned => "returned",
            Outcome::Rectification => "rectification",
        }
    }
}

/// The result of an assessment (合格 / 基本合格 / 不合格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultLevel {
    Qualified,
    BasicallyQualified,
    Unqualified,
}

impl ResultLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultLevel::Qualified => "qualified",
            ResultLevel::BasicallyQualified => "basically_qualified",
            ResultLevel::Unqualified => "unqualified",
        }
    }

    pub fn parse(s: &str) -> Option<ResultLevel> {
        [
            ResultLevel::Qualified,
            ResultLevel::BasicallyQualified,
            ResultLevel::Unqualified,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
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

/// Scores are kept to one decimal place; this is a score in tenths of a point.
pub fn tenths(score: f64) -> i64 {
    (score * 10.0).round() as i64
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScoreRule {
    NotANumber,
    OutOfRange { max: f64 },
    TooPrecise,
}

/// A score given to an item must lie between 0 and the item's maximum, in steps of 0.1.
pub fn check_score(score: f64, max: f64) -> Result<(), ScoreRule> {
    if !score.is_finite() {
        return Err(ScoreRule::NotANumber);
    }
    if score < 0.0 || tenths(score) > tenths(max) {
        return Err(ScoreRule::OutOfRange { max });
    }
    if (score * 10.0 - (score * 10.0).round()).abs() > 1e-6 {
        return Err(ScoreRule::TooPrecise);
    }
    Ok(())
}

/// Sums scores without floating-point drift (to the tenth).
pub fn total(scores: impl IntoIterator<Item = f64>) -> f64 {
    scores.into_iter().map(tenths).sum::<i64>() as f64 / 10.0
}

/// The score share, in percent of the maximum, from which a result is qualified or basically
/// qualified; below the second it is unqualified.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ResultBands {
    pub qualified_from_percent: f64,
    pub basically_qualified_from_percent: f64,
}

/// The result of a reviewed assessment from its assessed total against its maximum total.
/// Bands include their lower bound: exactly `qualified_from_percent` is qualified.
pub fn result_level(assessed: f64, maximum: f64, bands: &ResultBands) -> ResultLevel {
    if maximum <= 0.0 {
        return ResultLevel::Qualified;
    }
    // Compared in hundredths of a percent so that 80 of 100 is exactly 80 %.
    let share = (assessed * 10_000.0 / maximum).round() as i64;
    let at_least = |percent: f64| share >= (percent * 100.0).round() as i64;
    if at_least(bands.qualified_from_percent) {
        ResultLevel::Qualified
    } else if at_least(bands.basically_qualified_from_percent) {
        ResultLevel::BasicallyQualified
    } else {
        ResultLevel::Unqualified
    }
}

/// One item's review as the end of a review sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemReview {
    Pending,
    Passed,
    Rejected,
}

impl ItemReview {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemReview::Pending => "pending",
            ItemReview::Passed => "passed",
            ItemReview::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ItemReview> {
        [ItemReview::Pending, ItemReview::Passed, ItemReview::Rejected]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// How a review ends (seed 001 §3.3.1): every item must be decided; any rejected item returns
/// the record with those items; otherwise a qualified result approves it and a basically
/// qualified or unqualified one returns it for rectification (seed 000 §2.5).
/// `Err` lists the items not yet decided.
pub fn finish<'a>(
    items: impl IntoIterator<Item = (&'a str, ItemReview)>,
    result: ResultLevel,
) -> Result<Outcome, Vec<String>> {
    let mut pending = Vec::new();
    let mut rejected = false;
    for (number, review) in items {
        match review {
            ItemReview::Pending => pending.push(number.to_owned()),
            ItemReview::Rejected => rejected = true,
            ItemReview::Passed => {}
        }
    }
    if !pending.is_empty() {
        return Err(pending);
    }
    Ok(if rejected {
        Outcome::Returned
    } else if result == ResultLevel::Qualified {
        Outcome::Approved
    } else {
        Outcome::Rectification
    })
}

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

    #[test]
    fn scores_lie_within_the_item_in_tenths() {
        assert_eq!(check_score(0.0, 10.0), Ok(()));
        assert_eq!(check_score(10.0, 10.0), Ok(()));
        assert_eq!(check_score(7.5, 10.0), Ok(()));
        assert_eq!(check_score(10.1, 10.0), Err(ScoreRule::OutOfRange { max: 10.0 }));
        assert_eq!(check_score(-0.1, 10.0), Err(ScoreRule::OutOfRange { max: 10.0 }));
        assert_eq!(check_score(7.25, 10.0), Err(ScoreRule::TooPrecise));
        assert_eq!(check_score(f64::NAN, 10.0), Err(ScoreRule::NotANumber));
        assert_eq!(total([0.1, 0.2, 0.3]), 0.6);
    }

    #[test]
    fn result_bands_include_their_lower_bound() {
        let bands = ResultBands {
            qualified_from_percent: 80.0,
            basically_qualified_from_percent: 60.0,
        };
        assert_eq!(result_level(80.0, 100.0, &bands), ResultLevel::Qualified);
        assert_eq!(result_level(79.9, 100.0, &bands), ResultLevel::BasicallyQualified);
        assert_eq!(result_level(60.0, 100.0, &bands), ResultLevel::BasicallyQualified);
        assert_eq!(result_level(59.9, 100.0, &bands), ResultLevel::Unqualified);
        assert_eq!(result_level(88.0, 110.0, &bands), ResultLevel::Qualified);
    }

    #[test]
    fn a_review_finishes_only_when_every_item_is_decided() {
        use ItemReview::*;
        let q = ResultLevel::Qualified;
        assert_eq!(finish([("1", Passed), ("2", Pending)], q), Err(vec!["2".to_owned()]));
        assert_eq!(finish([("1", Passed), ("2", Rejected)], q), Ok(Outcome::Returned));
        assert_eq!(finish([("1", Passed)], q), Ok(Outcome::Approved));
        assert_eq!(
            finish([("1", Passed)], ResultLevel::BasicallyQualified),
            Ok(Outcome::Rectification)
        );
        assert_eq!(
            finish([("1", Passed)], ResultLevel::Unqualified),
            Ok(Outcome::Rectification)
        );
    }

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
