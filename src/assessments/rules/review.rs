//! How a review ends (seed 001 §3.3.1, seed 000 §2.5): the result level of the assessed score,
//! each item's review, and the outcome once every item is decided.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// The score share, in percent of the maximum, from which a result is qualified or basically
/// qualified; below the second it is unqualified.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ResultBands {
    pub qualified_from_percent: f64,
    pub basically_qualified_from_percent: f64,
}

impl ResultBands {
    pub fn of(settings: &crate::platform::config::AssessmentSettings) -> ResultBands {
        ResultBands {
            qualified_from_percent: settings.qualified_from_percent,
            basically_qualified_from_percent: settings.basically_qualified_from_percent,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
