//! Replay and spoofing signals for check-in, as pure functions.

use image::imageops::{resize, FilterType};
use image::RgbImage;

/// A 64-bit difference hash: the photo shrunk to 9×8 grey pixels, one bit per horizontal
/// neighbour pair (is the left one brighter?). Re-encoding, resizing or small edits change few
/// bits; a different photo changes about half.
pub fn difference_hash(photo: &RgbImage) -> u64 {
    let small = resize(photo, 9, 8, FilterType::Triangle);
    let grey = |x: u32, y: u32| {
        let p = small.get_pixel(x, y).0;
        u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114
    };
    let mut hash = 0u64;
    for y in 0..8 {
        for x in 0..8 {
            hash = (hash << 1) | u64::from(grey(x, y) > grey(x + 1, y));
        }
    }
    hash
}

pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

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
    use image::{Rgb, RgbImage};

    fn scene(seed: u32) -> RgbImage {
        RgbImage::from_fn(200, 150, |x, y| {
            let v = ((x * 7 + y * 13 + seed * 31) % 255) as u8;
            Rgb([v, ((x * y + seed) % 255) as u8, (255 - v) / 2])
        })
    }

    #[test]
    fn near_copies_hash_alike_and_other_photos_do_not() {
        let a = scene(1);
        let resized = resize(&a, 180, 135, FilterType::Triangle);
        let mut edited = a.clone();
        for x in 0..10 {
            edited.put_pixel(x, 0, Rgb([0, 0, 0]));
        }
        let ha = difference_hash(&a);
        assert!(hamming(ha, difference_hash(&resized)) <= 6);
        assert!(hamming(ha, difference_hash(&edited)) <= 6);
        assert!(hamming(ha, difference_hash(&scene(40))) > 6);
    }

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
