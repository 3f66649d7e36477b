//! Which detector runs on which copy of a photo: pure functions of the photo's size, the
//! smallest face that must be seen, the limits and what the first pass found, so that their
//! promises are tested directly:
//! - the HOG detector (cheap per pixel, frontal faces) runs first and counts faces on a copy
//!   where a face `min_face_px` wide in the original is at least its window wide (both
//!   detectors find faces from about their window up, nothing smaller), whenever that copy
//!   fits its budget; the faces it finds are the answer (a selfie or portrait costs one pass);
//! - only when it finds none does the CNN detector (any pose, costly per pixel) look for a
//!   face turned or tilted away, on a 240-pixel copy, then on the largest copy its budget
//!   allows;
//! - no pass is given more pixels than its budget, so a photo's detection cost (time and
//!   memory) is bounded whatever its size, and a photo without a face costs the sum of the
//!   budgets at most.

/// A copy of the photo for one detection pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copy {
    pub width: u32,
    pub height: u32,
}

impl Copy {
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    /// How many pixels of this copy one pixel of an original `width` wide is.
    pub fn scale(&self, width: u32) -> f64 {
        f64::from(self.width) / f64::from(width)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Smallest face box, in pixels, the HOG detector finds (its window).
    pub hog_window: u32,
    /// Most pixels the HOG pass is given (about 50 ns of CPU and 15 bytes a pixel). The
    /// default covers a face of 90 pixels in every photo a face check takes (at most
    /// `engine::DEFAULT_MAX_PIXELS`, scaled by 80/90 on each side).
    pub hog_max_pixels: u64,
    /// Longest side of the first CNN copy: cheap, and enough for the face of a selfie or an
    /// ID portrait.
    pub first_side: u32,
    /// Most pixels a CNN pass is given: the CNN costs about 2 µs and 1 kB a pixel. Its
    /// larger copy only serves faces the HOG pass cannot see (turned away, tilted); frontal
    /// faces the CNN copies are too small for are counted and described from the HOG box.
    pub cnn_max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            hog_window: 80,
            hog_max_pixels: 9_500_000,
            first_side: 240,
            cnn_max_pixels: 100_000,
        }
    }
}

/// The detection passes for one photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The HOG copy, on which every frontal face is counted.
    pub hog: Copy,
    /// CNN copies, smallest first: each is tried until one shows a face.
    pub cnn: Vec<Copy>,
    /// Width, in pixels of the original, of the narrowest face the HOG pass still sees: at
    /// most `min_face_px` when the promise holds for this photo.
    pub smallest_face_seen: f64,
}

/// The copy of a `width`×`height` photo scaled by `scale` (at most 1), each side rounded up
/// so that a face is never narrower in the copy than `scale` times its width.
fn scaled(width: u32, height: u32, scale: f64) -> Copy {
    if scale >= 1.0 {
        return Copy { width, height };
    }
    let side = |v: u32| ((f64::from(v) * scale).ceil() as u32).clamp(1, v);
    Copy {
        width: side(width),
        height: side(height),
    }
}

/// The largest scale (at most `wanted`) whose copy has at most `budget` pixels.
fn within_budget(width: u32, height: u32, wanted: f64, budget: u64) -> f64 {
    let pixels = f64::from(width) * f64::from(height);
    let mut scale = wanted.min((budget as f64 / pixels).sqrt());
    // Rounding sides up may overshoot the budget by a row or column: step down until it fits.
    while scale > 0.0 && scaled(width, height, scale).pixels() > budget {
        scale *= 0.995;
    }
    scale
}

/// Whether the CNN passes run after the HOG pass found `frontal_faces`: only when it found
/// none. A frontal face is the usual selfie and portrait, described from the HOG box (dlib's
/// 5-point landmark model is trained on both detectors' boxes); two or more are "several
/// faces" whatever else the photo shows.
pub fn needs_cnn(frontal_faces: usize) -> bool {
    frontal_faces == 0
}

pub fn plan(width: u32, height: u32, min_face_px: u32, limits: &Limits) -> Plan {
    let longest = width.max(height).max(1);
    let first = (f64::from(limits.first_side) / f64::from(longest)).min(1.0);
    // The last CNN copy is as large as the budget allows (the photo itself when it fits).
    let last = within_budget(width, height, 1.0, limits.cnn_max_pixels).max(first);
    let mut cnn = vec![scaled(width, height, first)];
    let last_copy = scaled(width, height, last);
    if last_copy != cnn[0] {
        cnn.push(last_copy);
    }
    let hog_window = f64::from(limits.hog_window);
    let covering = (hog_window / f64::from(min_face_px.max(1))).min(1.0);
    let hog = scaled(
        width,
        height,
        within_budget(width, height, covering, limits.hog_max_pixels),
    );
    Plan {
        hog,
        cnn,
        smallest_face_seen: hog_window / hog.scale(width),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes() -> Vec<(u32, u32)> {
        let mut out = vec![
            (1, 1),
            (80, 80),
            (296, 400),
            (400, 216),
            (1280, 960),
            (960, 1280),
            (6000, 4000),
            (20000, 300),
        ];
        for w in (100..5000).step_by(373) {
            for h in (100..5000).step_by(419) {
                out.push((w, h));
            }
        }
        out
    }

    #[test]
    fn no_pass_exceeds_its_budget() {
        let limits = Limits::default();
        for (w, h) in sizes() {
            let p = plan(w, h, 90, &limits);
            assert!(p.hog.pixels() <= limits.hog_max_pixels && p.hog.width <= w && p.hog.height <= h);
            assert!(!p.cnn.is_empty() && p.cnn.len() <= 2, "{w}×{h}: {p:?}");
            for copy in &p.cnn {
                assert!(copy.width <= w && copy.height <= h, "{w}×{h}: {copy:?}");
                assert!(copy.pixels() <= limits.cnn_max_pixels, "{w}×{h}: {copy:?}");
            }
            assert!(p.cnn.windows(2).all(|c| c[0].pixels() < c[1].pixels()), "{p:?}");
        }
    }

    #[test]
    fn faces_of_min_face_px_are_looked_for_wherever_the_budget_allows() {
        let limits = Limits::default();
        for (w, h) in sizes() {
            for min_face in [90u32, 120, 150] {
                let p = plan(w, h, min_face, &limits);
                // The face as wide as the window in the HOG copy, in original pixels.
                let seen = f64::from(limits.hog_window) / p.hog.scale(w);
                assert!((seen - p.smallest_face_seen).abs() < 1e-9);
                let covering = f64::from(limits.hog_window) / f64::from(min_face);
                let fits = scaled(w, h, covering.min(1.0)).pixels() <= limits.hog_max_pixels;
                if fits {
                    assert!(
                        p.smallest_face_seen <= f64::from(min_face) + 1e-9,
                        "{w}×{h} {min_face}: {p:?}"
                    );
                    // …and no larger than needed.
                    assert!(p.hog.scale(w) <= covering + 1.0 / f64::from(w), "{w}×{h}: {p:?}");
                } else {
                    // Over budget, the pass uses all of it.
                    assert!(p.hog.pixels() * 100 >= limits.hog_max_pixels * 97, "{w}×{h}: {p:?}");
                }
            }
        }
    }

    #[test]
    fn a_face_of_90_pixels_is_looked_for_in_every_photo_a_check_takes() {
        let limits = Limits::default();
        let max = crate::engine::DEFAULT_MAX_PIXELS;
        let mut shapes = vec![
            (4000u32, 3000u32),
            (3000, 4000),
            (3464, 3464),
            (12_000, 1000),
            (1000, 12_000),
        ];
        shapes.extend(sizes());
        for (w, h) in shapes.into_iter().filter(|(w, h)| u64::from(*w) * u64::from(*h) <= max) {
            let p = plan(w, h, 90, &limits);
            assert!(p.smallest_face_seen <= 90.0 + 1e-9, "{w}×{h}: {p:?}");
        }
    }

    #[test]
    fn the_cnn_runs_only_when_no_frontal_face_was_found() {
        assert!(needs_cnn(0));
        assert!(!needs_cnn(1));
        assert!(!needs_cnn(2));
    }

    #[test]
    fn small_photos_are_searched_as_they_are() {
        let p = plan(240, 320, 90, &Limits::default());
        // Frontal faces are counted on the photo at 80/90 of its size.
        assert_eq!(
            p.hog,
            Copy {
                width: 214,
                height: 285
            }
        );
        // 240 on the longest side first, then the photo as it is.
        assert_eq!(
            p.cnn[0],
            Copy {
                width: 180,
                height: 240
            }
        );
        assert_eq!(
            p.cnn[1],
            Copy {
                width: 240,
                height: 320
            }
        );
        let p = plan(200, 150, 90, &Limits::default());
        assert_eq!(
            p.cnn,
            vec![Copy {
                width: 200,
                height: 150
            }]
        );
        // A selfie: 240 first, then as much as the budget allows.
        let p = plan(1280, 960, 90, &Limits::default());
        assert_eq!(
            p.hog,
            Copy {
                width: 1138,
                height: 854
            }
        );
        assert_eq!(
            p.cnn[0],
            Copy {
                width: 240,
                height: 180
            }
        );
        assert!(p.cnn[1].width > 350 && p.cnn[1].pixels() <= 100_000, "{p:?}");
    }
}
