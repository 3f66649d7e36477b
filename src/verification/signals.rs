//! Replay and spoofing signals for check-in, as pure functions. (A reused photo is refused by
//! the face photo registry, `crate::photos`.)

/// What is flagged for staff review but does not refuse a check-in.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Signals {
    /// The client reported a mock (simulated) location.
    pub mock_location: bool,
    /// The exact same coordinates, to the digit, as an earlier check-in: a replayed position.
    pub repeated_position: bool,
    /// Speed needed since the person's previous check-in, in km/h.
    pub speed_kmh: Option<f64>,
}

/// The flags raised by the signals (seed-free: our own policy, documented in ARCHITECTURE.md).
pub fn flags(signals: &Signals, max_speed_kmh: f64) -> Vec<&'static str> {
    let mut out = Vec::new();
    if signals.mock_location {
        out.push("mock_location");
    }
    if signals.repeated_position {
        out.push("repeated_position");
    }
    if signals.speed_kmh.is_some_and(|v| v > max_speed_kmh) {
        out.push("impossible_speed");
    }
    out
}

/// Speed in km/h to cover `distance_m` in `elapsed_ms` (an instant move is infinitely fast).
pub fn speed_kmh(distance_m: f64, elapsed_ms: i64) -> f64 {
    if elapsed_ms <= 0 {
        return if distance_m > 0.0 { f64::INFINITY } else { 0.0 };
    }
    distance_m / 1000.0 / (elapsed_ms as f64 / 3_600_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_for_review() {
        assert!(flags(&Signals::default(), 300.0).is_empty());
        let s = Signals {
            mock_location: true,
            repeated_position: true,
            speed_kmh: Some(900.0),
        };
        assert_eq!(
            flags(&s, 300.0),
            ["mock_location", "repeated_position", "impossible_speed"]
        );
        assert!((speed_kmh(100_000.0, 3_600_000) - 100.0).abs() < 1e-9);
        assert_eq!(speed_kmh(10.0, 0), f64::INFINITY);
    }
}
