//! Head turns made from a frontal photo, for tests and benchmarks of the liveness check where
//! no photos of the same person in several poses are at hand. The head is modelled as an
//! ellipsoid (with the nose standing out of it) around the landmarks, rotated about the
//! vertical axis and drawn back into the photo, nearest surface in front; the background
//! stays where it was. It is a crude render, but the parallax between nose and eyes, which
//! the pose estimate reads, is the real one for that shape.

use image::{Rgb, RgbImage};

use crate::shape::Landmarks;

/// The head's shape, in eye spans, around the eyes' midpoint.
struct Head {
    centre: (f64, f64),
    span: f64,
    nose: (f64, f64),
}

impl Head {
    fn of(landmarks: &Landmarks) -> Head {
        let p = |i: usize| (landmarks[i].0 as f64, landmarks[i].1 as f64);
        let (right, left, nose) = (p(0), p(2), p(4));
        let span = (right.0 - left.0).hypot(right.1 - left.1);
        let middle = ((right.0 + left.0) / 2.0, (right.1 + left.1) / 2.0);
        Head {
            centre: (middle.0, middle.1 + 0.35 * span),
            span,
            nose,
        }
    }

    /// Depth of the surface in front of the head's centre plane at (x, y), and how much of
    /// the turn applies there (1 on the face, fading to 0 around it).
    fn depth(&self, x: f64, y: f64) -> (f64, f64) {
        let (u, v) = (
            (x - self.centre.0) / (0.95 * self.span),
            (y - self.centre.1) / (1.45 * self.span),
        );
        let r2 = u * u + v * v;
        let ellipsoid = (1.0 - r2).max(0.0).sqrt() * 0.75 * self.span;
        let (nu, nv) = (
            (x - self.nose.0) / (0.22 * self.span),
            (y - self.nose.1 + 0.25 * self.span) / (0.4 * self.span),
        );
        let nose = 0.22 * self.span * (-(nu * nu + nv * nv)).exp();
        let weight = (1.35 - r2.sqrt()).clamp(0.0, 0.35) / 0.35;
        (ellipsoid + nose, weight)
    }
}

/// The photo with the head turned by `degrees` about the vertical axis (positive: the face
/// points further to the photo's right), given its 5 landmarks.
pub fn turn_head(img: &RgbImage, landmarks: &Landmarks, degrees: f64) -> RgbImage {
    let head = Head::of(landmarks);
    let (s, c) = degrees.to_radians().sin_cos();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut out = img.clone();
    let mut nearest = vec![f64::NEG_INFINITY; w];
    let mut moved = vec![(0.0f64, 0.0f64); w];
    for y in 0..h {
        let yf = y as f64;
        // Where each source pixel of the row lands, and its depth after the turn.
        for (x, m) in moved.iter_mut().enumerate() {
            let xf = x as f64;
            let (z, weight) = head.depth(xf, yf);
            let dx = xf - head.centre.0;
            let turned = head.centre.0 + dx * c + z * s;
            *m = (xf + weight * (turned - xf), weight * (z * c - dx * s));
        }
        nearest.fill(f64::NEG_INFINITY);
        let row: Vec<Rgb<u8>> = (0..w).map(|x| *img.get_pixel(x as u32, y as u32)).collect();
        for x in 0..w.saturating_sub(1) {
            let ((a, za), (b, zb)) = (moved[x], moved[x + 1]);
            let (lo, hi) = (a.min(b), a.max(b));
            let first = lo.ceil().max(0.0) as usize;
            let last = (hi.floor() as usize).min(w - 1);
            for target in first..=last {
                if (target as f64) < lo || (target as f64) > hi {
                    continue;
                }
                let t = if hi > lo { (target as f64 - a) / (b - a) } else { 0.0 };
                let z = za + t * (zb - za);
                if z > nearest[target] {
                    nearest[target] = z;
                    let mix = |p: u8, q: u8| (f64::from(p) * (1.0 - t) + f64::from(q) * t).round() as u8;
                    let (p, q) = (row[x].0, row[x + 1].0);
                    out.put_pixel(
                        target as u32,
                        y as u32,
                        Rgb([mix(p[0], q[0]), mix(p[1], q[1]), mix(p[2], q[2])]),
                    );
                }
            }
        }
    }
    out
}
