//! Head pose from the 5-point landmarks: how far the head is turned left or right (yaw) and
//! tilted (roll). The 5 points are the outer and inner corners of each eye and the base of
//! the nose. The nose base stands in front of the eye corners, so when the head turns it
//! moves sideways relative to the eyes (parallax) while the eye span shrinks: for a turn of
//! θ, the nose's offset from the eyes' midpoint, along the eye line and divided by the span,
//! is `NOSE_DEPTH · tan θ`.

use crate::shape::Landmarks;

/// Depth of the nose base in front of the outer eye corners, as a fraction of their span
/// (about 2.7 cm for a 9 cm span: adult anthropometry). It scales the yaw estimate only; the
/// liveness thresholds are set on the estimate itself.
pub const NOSE_DEPTH: f64 = 0.3;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    /// Degrees; positive when the face points to the photo's right, which on a photo as the
    /// camera saw it (not mirrored) is the person turning to their own left.
    pub yaw: f64,
    /// Degrees; the eye line's angle to the horizontal, positive clockwise on the photo.
    pub roll: f64,
}

/// The pose of a face from its 5 landmarks (points 0 and 1: the eye on the photo's right,
/// outer and inner corner; 2 and 3: the eye on the photo's left; 4: the base of the nose).
pub fn estimate(landmarks: &Landmarks) -> Option<Pose> {
    if landmarks.len() != 5 {
        return None;
    }
    let point = |i: usize| (landmarks[i].0 as f64, landmarks[i].1 as f64);
    let (right_eye, left_eye, nose) = (point(0), point(2), point(4));
    let (dx, dy) = (right_eye.0 - left_eye.0, right_eye.1 - left_eye.1);
    let span = dx.hypot(dy);
    if span < 1.0 {
        return None;
    }
    let middle = ((right_eye.0 + left_eye.0) / 2.0, (right_eye.1 + left_eye.1) / 2.0);
    // The nose's offset from the eyes' midpoint along the eye line, in spans.
    let along = ((nose.0 - middle.0) * dx + (nose.1 - middle.1) * dy) / (span * span);
    Some(Pose {
        yaw: (along / NOSE_DEPTH).atan().to_degrees(),
        roll: dy.atan2(dx).to_degrees(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The landmarks of a head turned by `yaw` degrees: eye corners at ±0.5 and ±0.17 of the
    /// span (depth 0), the nose base `NOSE_DEPTH` in front, seen from straight ahead.
    fn turned(yaw: f64, roll: f64) -> Landmarks {
        let (s, c) = yaw.to_radians().sin_cos();
        let points: [(f64, f64, f64); 5] = [
            (0.5, 0.0, 0.0),
            (0.17, 0.0, -0.03),
            (-0.5, 0.0, 0.0),
            (-0.17, 0.0, -0.03),
            (0.0, 0.55, NOSE_DEPTH),
        ];
        let (rs, rc) = roll.to_radians().sin_cos();
        points
            .iter()
            .map(|&(x, y, z)| {
                let x = x * c + z * s;
                let (x, y) = (x * rc - y * rs, x * rs + y * rc);
                ((500.0 + 200.0 * x).round() as i64, (400.0 + 200.0 * y).round() as i64)
            })
            .collect()
    }

    #[test]
    fn yaw_follows_the_turn_and_its_side() {
        for yaw in [-40.0, -25.0, -10.0, 0.0, 10.0, 25.0, 40.0] {
            let pose = estimate(&turned(yaw, 0.0)).unwrap();
            assert!((pose.yaw - yaw).abs() < 2.5, "{yaw}: {pose:?}");
        }
    }

    #[test]
    fn roll_does_not_change_the_yaw() {
        for roll in [-20.0, 0.0, 15.0] {
            let pose = estimate(&turned(30.0, roll)).unwrap();
            assert!((pose.yaw - 30.0).abs() < 2.5, "{roll}: {pose:?}");
            assert!((pose.roll - roll).abs() < 1.0, "{roll}: {pose:?}");
        }
    }

    #[test]
    fn a_mirrored_face_turns_the_other_way() {
        let mirrored: Landmarks = {
            let l = turned(30.0, 0.0);
            // Mirroring swaps the eyes: the right-hand eye's points are the left eye's, mirrored.
            let flip = |p: (i64, i64)| (1000 - p.0, p.1);
            vec![flip(l[2]), flip(l[3]), flip(l[0]), flip(l[1]), flip(l[4])]
        };
        assert!((estimate(&mirrored).unwrap().yaw + 30.0).abs() < 2.5);
    }

    #[test]
    fn degenerate_landmarks_have_no_pose() {
        assert_eq!(estimate(&vec![(0, 0); 5]), None);
        assert_eq!(estimate(&vec![(0, 0); 4]), None);
    }
}
