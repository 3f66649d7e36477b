//! Score ranges: scores are given in steps of 0.1 between 0 and the item's maximum, and summed
//! in tenths.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
