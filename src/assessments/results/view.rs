//! One subject's result as answered and exported: what `routes` computes and `export` writes.

use serde::Serialize;
use utoipa::ToSchema;

use super::grading::{self, Adjustment, Category, Computed, Grade, Input, Inputs, Rule};
use super::store::{AdjustmentRow, Subject};

/// One subject's result.
#[derive(Serialize, ToSchema)]
pub struct ResultRow {
    #[serde(flatten)]
    pub subject: Subject,
    pub inputs: Inputs,
    /// `null` while an input is missing.
    pub score: Option<f64>,
    pub computed_grade: Option<Grade>,
    /// The approved assessments still missing.
    pub missing: Vec<Input>,
    /// Every adjustment, oldest first.
    pub adjustments: Vec<AdjustmentRow>,
    /// The computed grade after the adjustments.
    pub final_grade: Option<Grade>,
}

impl ResultRow {
    /// Grades the subject's inputs by the category's rule, then applies its adjustments.
    pub fn compute(
        category: Category,
        subject: Subject,
        inputs: Inputs,
        rule: &Rule,
        adjustments: Vec<AdjustmentRow>,
    ) -> ResultRow {
        let (score, computed_grade, missing) = match grading::compute(category, &inputs, rule) {
            Computed::Graded { score, grade } => (Some(score), Some(grade), Vec::new()),
            Computed::Incomplete { missing } => (None, None, missing),
        };
        let actions = adjustments.iter().filter_map(|a| Adjustment::parse(&a.action));
        let final_grade = computed_grade.map(|g| grading::final_grade(g, actions));
        ResultRow {
            subject,
            inputs,
            score,
            computed_grade,
            missing,
            adjustments,
            final_grade,
        }
    }
}
