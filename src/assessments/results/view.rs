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

/// What a table of results can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultSort {
    Subject,
    Code,
    District,
    Score,
    Grade,
}

impl ResultSort {
    pub const ALL: [ResultSort; 5] = [
        ResultSort::Subject,
        ResultSort::Code,
        ResultSort::District,
        ResultSort::Score,
        ResultSort::Grade,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResultSort::Subject => "subject",
            ResultSort::Code => "code",
            ResultSort::District => "district",
            ResultSort::Score => "score",
            ResultSort::Grade => "grade",
        }
    }

    pub fn parse(raw: &str) -> Option<ResultSort> {
        ResultSort::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// Sorts results by `key`, ties by subject id so pages never overlap. Ascending means the
/// lowest score first and the best grade first; results without a score or grade (inputs
/// missing) come last either way.
pub fn sort(rows: &mut [ResultRow], key: ResultSort, descending: bool) {
    use std::cmp::Ordering;
    let flip = |o: Ordering| if descending { o.reverse() } else { o };
    // `None` last whatever the direction.
    fn present_first<T>(a: &Option<T>, b: &Option<T>, by: impl Fn(&T, &T) -> Ordering) -> Option<Ordering> {
        match (a, b) {
            (Some(a), Some(b)) => Some(by(a, b)),
            (Some(_), None) => Some(Ordering::Less),
            (None, Some(_)) => Some(Ordering::Greater),
            (None, None) => None,
        }
    }
    rows.sort_by(|a, b| {
        let primary = match key {
            ResultSort::Subject => flip(a.subject.subject_name.cmp(&b.subject.subject_name)),
            ResultSort::Code => flip(a.subject.subject_code.cmp(&b.subject.subject_code)),
            ResultSort::District => flip(a.subject.district_code.cmp(&b.subject.district_code)),
            ResultSort::Score => {
                present_first(&a.score, &b.score, |x, y| flip(x.total_cmp(y))).unwrap_or(Ordering::Equal)
            }
            ResultSort::Grade => {
                present_first(&a.final_grade, &b.final_grade, |x, y| flip(x.cmp(y))).unwrap_or(Ordering::Equal)
            }
        };
        primary.then_with(|| flip(a.subject.subject_id.cmp(&b.subject.subject_id)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::ids::EnterpriseId;

    fn row(id: &str, name: &str, score: Option<f64>, grade: Option<Grade>) -> ResultRow {
        ResultRow {
            subject: Subject {
                subject_id: id.into(),
                subject_name: name.into(),
                subject_code: format!("C{id}"),
                enterprise_id: EnterpriseId::new(),
                enterprise_name: name.into(),
                district_code: "370102".into(),
                locality: "local".into(),
            },
            inputs: Inputs::default(),
            score,
            computed_grade: grade,
            missing: Vec::new(),
            adjustments: Vec::new(),
            final_grade: grade,
        }
    }

    fn ids(rows: &[ResultRow]) -> Vec<&str> {
        rows.iter().map(|r| r.subject.subject_id.as_str()).collect()
    }

    #[test]
    fn scores_sort_both_ways_with_the_ungraded_last() {
        let mut rows = vec![
            row("a", "甲", Some(80.0), Some(Grade::Good)),
            row("b", "乙", None, None),
            row("c", "丙", Some(95.0), Some(Grade::Excellent)),
            row("d", "丁", Some(80.0), Some(Grade::Good)),
        ];
        sort(&mut rows, ResultSort::Score, false);
        assert_eq!(ids(&rows), ["a", "d", "c", "b"]);
        sort(&mut rows, ResultSort::Score, true);
        assert_eq!(ids(&rows), ["c", "d", "a", "b"]);
        sort(&mut rows, ResultSort::Grade, false);
        assert_eq!(ids(&rows), ["c", "a", "d", "b"], "the best grade first");
        assert_eq!(ResultSort::parse("grade"), Some(ResultSort::Grade));
        assert_eq!(ResultSort::parse("opinion"), None);
    }
}
