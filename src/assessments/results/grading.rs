//! Final scores and grades (seed 001 §3.3.2), as pure functions: one per category, each taking
//! the approved scores and daily points of one subject and the category's rule from
//! configuration (`grading_rules`, editable by city staff).
//!
//! The formula: a weighted sum of the approved assessments' scores, each as a percentage of its
//! template's maximum, plus the daily points times the daily weight, clamped to 0–100 and
//! rounded to a tenth. The grade is the highest band whose lower bound the score reaches
//! (bounds included); below the last band a result is unqualified.
//!
//! Seeded defaults (the Qingdao guide's figures are not available; city staff set the real
//! ones): safety director 0.3 × general conditions + 0.7 × director assessment + daily points;
//! licence 1.0 × general conditions; construction enterprise 0.5 × general conditions + 0.5 ×
//! director assessment + daily points; project 1.0 × project assessment + the project's daily
//! points. Bands: excellent from 90, good from 80, qualified from 60.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::assessments::rules::tenths;

/// The four result categories of seed 001 §3.3.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 企业安全总监考核
    SafetyDirector,
    /// 安全生产许可证动态考核
    Licence,
    /// 施工企业监管等次评定
    ConstructionEnterprise,
    /// 工程项目等次评定
    Project,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::SafetyDirector,
        Category::Licence,
        Category::ConstructionEnterprise,
        Category::Project,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::SafetyDirector => "safety_director",
            Category::Licence => "licence",
            Category::ConstructionEnterprise => "construction_enterprise",
            Category::Project => "project",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The inputs the category's formula weighs.
    pub fn inputs(self) -> &'static [Input] {
        match self {
            Category::SafetyDirector | Category::ConstructionEnterprise => {
                &[Input::GeneralConditions, Input::SafetyDirector, Input::Daily]
            }
            Category::Licence => &[Input::GeneralConditions],
            Category::Project => &[Input::Project, Input::Daily],
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Category::SafetyDirector => "企业安全总监考核",
            Category::Licence => "安全生产许可证动态考核",
            Category::ConstructionEnterprise => "施工企业监管等次评定",
            Category::Project => "工程项目等次评定",
        }
    }
}

/// What a formula weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// The approved general safety production conditions assessment, in % of its maximum.
    GeneralConditions,
    /// The approved safety director assessment, in % of its maximum.
    SafetyDirector,
    /// The passed project assessment, in % of its maximum.
    Project,
    /// The passed daily assessment points.
    Daily,
}

impl Input {
    pub fn as_str(self) -> &'static str {
        match self {
            Input::GeneralConditions => "general_conditions",
            Input::SafetyDirector => "safety_director",
            Input::Project => "project",
            Input::Daily => "daily",
        }
    }
}

/// Grades from best to worst (等次).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 优秀
    Excellent,
    /// 良好
    Good,
    /// 合格
    Qualified,
    /// 不合格
    Unqualified,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Excellent => "excellent",
            Grade::Good => "good",
            Grade::Qualified => "qualified",
            Grade::Unqualified => "unqualified",
        }
    }

    pub fn parse(s: &str) -> Option<Grade> {
        [Grade::Excellent, Grade::Good, Grade::Qualified, Grade::Unqualified]
            .into_iter()
            .find(|g| g.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Good => "良好",
            Grade::Qualified => "合格",
            Grade::Unqualified => "不合格",
        }
    }

    /// One grade up; the best stays where it is (`None`).
    pub fn promoted(self) -> Option<Grade> {
        match self {
            Grade::Excellent => None,
            Grade::Good => Some(Grade::Excellent),
            Grade::Qualified => Some(Grade::Good),
            Grade::Unqualified => Some(Grade::Qualified),
        }
    }
}

/// The lower bounds of the bands, in points (0–100), best first.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Bands {
    pub excellent_from: f64,
    pub good_from: f64,
    pub qualified_from: f64,
}

/// A category's rule: the weight of each of its inputs, and the bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Rule {
    pub weights: BTreeMap<Input, f64>,
    pub bands: Bands,
}

impl Rule {
    pub fn weight(&self, input: Input) -> f64 {
        self.weights.get(&input).copied().unwrap_or(0.0)
    }
}

/// The seeded rule of each category (see the module documentation).
pub fn default_rule(category: Category) -> Rule {
    let weights = match category {
        Category::SafetyDirector => vec![
            (Input::GeneralConditions, 0.3),
            (Input::SafetyDirector, 0.7),
            (Input::Daily, 1.0),
        ],
        Category::Licence => vec![(Input::GeneralConditions, 1.0)],
        Category::ConstructionEnterprise => vec![
            (Input::GeneralConditions, 0.5),
            (Input::SafetyDirector, 0.5),
            (Input::Daily, 1.0),
        ],
        Category::Project => vec![(Input::Project, 1.0), (Input::Daily, 1.0)],
    };
    Rule {
        weights: weights.into_iter().collect(),
        bands: Bands {
            excellent_from: 90.0,
            good_from: 80.0,
            qualified_from: 60.0,
        },
    }
}

/// A subject's approved scores (in % of their maximum) and daily points for one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct Inputs {
    pub general_conditions: Option<f64>,
    pub safety_director: Option<f64>,
    pub project: Option<f64>,
    /// Passed daily points (0 when none).
    pub daily: f64,
}

/// A computed result: the score and grade, or the inputs still missing.
#[derive(Debug, Clone, PartialEq)]
pub enum Computed {
    Graded { score: f64, grade: Grade },
    Incomplete { missing: Vec<Input> },
}

/// The grade of a score: the best band whose lower bound it reaches.
pub fn grade_of(score: f64, bands: &Bands) -> Grade {
    let reaches = |bound: f64| tenths(score) >= tenths(bound);
    if reaches(bands.excellent_from) {
        Grade::Excellent
    } else if reaches(bands.good_from) {
        Grade::Good
    } else if reaches(bands.qualified_from) {
        Grade::Qualified
    } else {
        Grade::Unqualified
    }
}

/// The weighted sum over `required` scored inputs plus daily points, when every required input
/// is there.
fn weighted(rule: &Rule, inputs: &Inputs, required: &[(Input, Option<f64>)], daily: bool) -> Computed {
    let missing: Vec<Input> = required.iter().filter(|(_, v)| v.is_none()).map(|(i, _)| *i).collect();
    if !missing.is_empty() {
        return Computed::Incomplete { missing };
    }
    let mut score: f64 = required
        .iter()
        .map(|(i, v)| rule.weight(*i) * v.unwrap_or_default())
        .sum();
    if daily {
        score += rule.weight(Input::Daily) * inputs.daily;
    }
    let score = tenths(score.clamp(0.0, 100.0)) as f64 / 10.0;
    Computed::Graded {
        score,
        grade: grade_of(score, &rule.bands),
    }
}

/// 企业安全总监考核: general conditions and the director assessment, plus daily points.
pub fn safety_director(inputs: &Inputs, rule: &Rule) -> Computed {
    let required = [
        (Input::GeneralConditions, inputs.general_conditions),
        (Input::SafetyDirector, inputs.safety_director),
    ];
    weighted(rule, inputs, &required, true)
}

/// 安全生产许可证动态考核: the general conditions assessment (seed 001 §3.3.2.2).
pub fn licence(inputs: &Inputs, rule: &Rule) -> Computed {
    weighted(
        rule,
        inputs,
        &[(Input::GeneralConditions, inputs.general_conditions)],
        false,
    )
}

/// 施工企业监管等次评定: general conditions and the director assessment, plus daily points.
pub fn construction_enterprise(inputs: &Inputs, rule: &Rule) -> Computed {
    let required = [
        (Input::GeneralConditions, inputs.general_conditions),
        (Input::SafetyDirector, inputs.safety_director),
    ];
    weighted(rule, inputs, &required, true)
}

/// 工程项目等次评定: the project assessment plus the project's daily points.
pub fn project(inputs: &Inputs, rule: &Rule) -> Computed {
    weighted(rule, inputs, &[(Input::Project, inputs.project)], true)
}

/// One input's part in a score: its value (a score in % of its maximum, or daily points), its
/// weight in the rule, and what it adds to the score (before clamping and rounding).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Part {
    pub input: Input,
    pub value: Option<f64>,
    pub weight: f64,
    pub adds: Option<f64>,
}

/// The parts of a subject's score, one per input the category counts: what `compute` sums.
pub fn breakdown(category: Category, inputs: &Inputs, rule: &Rule) -> Vec<Part> {
    category
        .inputs()
        .iter()
        .map(|&input| {
            let value = match input {
                Input::GeneralConditions => inputs.general_conditions,
                Input::SafetyDirector => inputs.safety_director,
                Input::Project => inputs.project,
                Input::Daily => Some(inputs.daily),
            };
            let weight = rule.weight(input);
            Part {
                input,
                value,
                weight,
                adds: value.map(|v| weight * v),
            }
        })
        .collect()
}

/// The category's function.
pub fn compute(category: Category, inputs: &Inputs, rule: &Rule) -> Computed {
    match category {
        Category::SafetyDirector => safety_director(inputs, rule),
        Category::Licence => licence(inputs, rule),
        Category::ConstructionEnterprise => construction_enterprise(inputs, rule),
        Category::Project => project(inputs, rule),
    }
}

/// A dynamic adjustment (动态调整, seed 001 §3.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    /// 晋升一个等次
    Promote,
    /// 直接判定为不合格
    Unqualified,
}

impl Adjustment {
    pub fn as_str(self) -> &'static str {
        match self {
            Adjustment::Promote => "promote",
            Adjustment::Unqualified => "unqualified",
        }
    }

    pub fn parse(s: &str) -> Option<Adjustment> {
        [Adjustment::Promote, Adjustment::Unqualified]
            .into_iter()
            .find(|a| a.as_str() == s)
    }

    /// The grade after this adjustment; `None` when it would change nothing (promoting the
    /// best grade, or declaring unqualified what already is).
    pub fn apply(self, grade: Grade) -> Option<Grade> {
        match self {
            Adjustment::Promote => grade.promoted(),
            Adjustment::Unqualified if grade == Grade::Unqualified => None,
            Adjustment::Unqualified => Some(Grade::Unqualified),
        }
    }
}

/// The final grade: the computed one after every adjustment in order; adjustments that change
/// nothing any more (the computed grade moved since) are skipped.
pub fn final_grade(computed: Grade, adjustments: impl IntoIterator<Item = Adjustment>) -> Grade {
    adjustments
        .into_iter()
        .fold(computed, |grade, a| a.apply(grade).unwrap_or(grade))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graded(c: Computed) -> (f64, Grade) {
        match c {
            Computed::Graded { score, grade } => (score, grade),
            other => panic!("not graded: {other:?}"),
        }
    }

    #[test]
    fn the_breakdown_adds_up_to_the_score() {
        let rule = default_rule(Category::SafetyDirector);
        let inputs = Inputs {
            general_conditions: Some(80.0),
            safety_director: Some(90.0),
            project: None,
            daily: 2.0,
        };
        let parts = breakdown(Category::SafetyDirector, &inputs, &rule);
        assert_eq!(parts.len(), 3);
        let sum: f64 = parts.iter().filter_map(|p| p.adds).sum();
        let (score, _) = graded(compute(Category::SafetyDirector, &inputs, &rule));
        assert!((sum - score).abs() < 0.05, "{sum} vs {score}");
        let missing = breakdown(Category::Project, &Inputs::default(), &default_rule(Category::Project));
        assert_eq!(missing[0].adds, None, "a missing assessment adds nothing yet");
    }

    #[test]
    fn every_band_includes_its_lower_bound() {
        let bands = default_rule(Category::Licence).bands;
        for (score, grade) in [
            (100.0, Grade::Excellent),
            (90.0, Grade::Excellent),
            (89.9, Grade::Good),
            (80.0, Grade::Good),
            (79.9, Grade::Qualified),
            (60.0, Grade::Qualified),
            (59.9, Grade::Unqualified),
            (0.0, Grade::Unqualified),
        ] {
            assert_eq!(grade_of(score, &bands), grade, "{score}");
        }
    }

    #[test]
    fn each_category_weighs_its_own_inputs() {
        let inputs = Inputs {
            general_conditions: Some(80.0),
            safety_director: Some(90.0),
            project: Some(70.0),
            daily: 3.0,
        };
        let rule = |c| default_rule(c);
        assert_eq!(
            graded(safety_director(&inputs, &rule(Category::SafetyDirector))),
            (90.0, Grade::Excellent)
        );
        assert_eq!(graded(licence(&inputs, &rule(Category::Licence))), (80.0, Grade::Good));
        assert_eq!(
            graded(construction_enterprise(
                &inputs,
                &rule(Category::ConstructionEnterprise)
            )),
            (88.0, Grade::Good)
        );
        assert_eq!(
            graded(project(&inputs, &rule(Category::Project))),
            (73.0, Grade::Qualified)
        );
    }

    #[test]
    fn scores_are_clamped_and_missing_inputs_named() {
        let full = Inputs {
            general_conditions: Some(100.0),
            safety_director: Some(100.0),
            daily: 5.0,
            ..Inputs::default()
        };
        assert_eq!(
            graded(safety_director(&full, &default_rule(Category::SafetyDirector))).0,
            100.0
        );
        let penalised = Inputs {
            project: Some(3.0),
            daily: -10.0,
            ..Inputs::default()
        };
        assert_eq!(
            graded(project(&penalised, &default_rule(Category::Project))),
            (0.0, Grade::Unqualified)
        );
        let partial = Inputs {
            general_conditions: Some(95.0),
            ..Inputs::default()
        };
        assert_eq!(
            construction_enterprise(&partial, &default_rule(Category::ConstructionEnterprise)),
            Computed::Incomplete {
                missing: vec![Input::SafetyDirector]
            }
        );
        assert_eq!(
            graded(licence(&partial, &default_rule(Category::Licence))),
            (95.0, Grade::Excellent)
        );
    }

    #[test]
    fn adjustments_promote_one_grade_or_declare_unqualified() {
        use Adjustment::*;
        assert_eq!(final_grade(Grade::Qualified, [Promote]), Grade::Good);
        assert_eq!(final_grade(Grade::Qualified, [Promote, Promote]), Grade::Excellent);
        assert_eq!(final_grade(Grade::Excellent, [Promote]), Grade::Excellent);
        assert_eq!(final_grade(Grade::Excellent, [Unqualified]), Grade::Unqualified);
        assert_eq!(final_grade(Grade::Good, [Unqualified, Promote]), Grade::Qualified);
        assert_eq!(Promote.apply(Grade::Excellent), None);
        assert_eq!(Unqualified.apply(Grade::Unqualified), None);
    }
}
