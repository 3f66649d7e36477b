//! The liveness decision as pure functions: which head poses a challenge asks for, and whether
//! the frames a person sent follow them. The frames are judged step by step in order; the
//! first failing step is named, so the person knows which photo to take again.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A head pose a challenge asks for, as the person sees it: turn *your* head left or right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Pose {
    Front,
    Left,
    Right,
}

impl Pose {
    pub fn as_str(self) -> &'static str {
        match self {
            Pose::Front => "front",
            Pose::Left => "left",
            Pose::Right => "right",
        }
    }

    pub fn parse(raw: &str) -> Option<Pose> {
        Some(match raw {
            "front" => Pose::Front,
            "left" => Pose::Left,
            "right" => Pose::Right,
            _ => return None,
        })
    }

    /// The sign of the yaw a turn to this side gives (`zhujian_face::pose`: positive when the
    /// face points to the photo's right, which is the person's own left on a photo as the
    /// camera saw it).
    fn yaw_sign(self) -> f64 {
        match self {
            Pose::Front => 0.0,
            Pose::Left => 1.0,
            Pose::Right => -1.0,
        }
    }
}

/// The sequences a challenge draws from: always front first (the frame compared with the
/// enrolled face), then a turn, then front again or the other turn. Four sequences, so a
/// person cannot have the frames ready before asking.
pub const SEQUENCES: [[Pose; 3]; 4] = [
    [Pose::Front, Pose::Left, Pose::Front],
    [Pose::Front, Pose::Right, Pose::Front],
    [Pose::Front, Pose::Left, Pose::Right],
    [Pose::Front, Pose::Right, Pose::Left],
];

/// The sequence for a random draw.
pub fn sequence(draw: u32) -> Vec<Pose> {
    SEQUENCES[draw as usize % SEQUENCES.len()].to_vec()
}

/// The poses as stored with a challenge: comma-separated names.
pub fn to_text(poses: &[Pose]) -> String {
    poses.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(",")
}

pub fn from_text(text: &str) -> Option<Vec<Pose>> {
    text.split(',').map(Pose::parse).collect()
}

/// Largest move, in pixels, of any landmark between two photos that are one shot (the same
/// photo re-encoded or resized slightly moves them by a pixel at most; a head that turned
/// away and back never lands within it).
pub const SAME_SHOT_PX: i64 = 2;

/// Whether two frames whose pictures hash alike are one shot: their face landmarks sit where
/// they were. Two frontal frames of a still scene can hash alike (the hash sees the whole
/// picture at 9×8); their faces, taken seconds apart around a head turn, do not sit still.
pub fn same_shot(a: &[(i64, i64)], b: &[(i64, i64)]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(p, q)| (p.0 - q.0).abs() <= SAME_SHOT_PX && (p.1 - q.1).abs() <= SAME_SHOT_PX)
}

/// What was measured on one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// Degrees (`zhujian_face::pose::Pose::yaw`).
    pub yaw: f64,
    /// Descriptor distance to the first frame (0 for the first frame itself).
    pub distance_to_first: f32,
    /// An earlier frame this one is the same shot as (alike to the photo hash, landmarks
    /// where they were: `same_shot`).
    pub repeats: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Largest |yaw| of a frontal frame, degrees.
    pub front_max_yaw: f64,
    /// Smallest turn, degrees, from the first (frontal) frame's yaw toward the side asked.
    pub turn_min_yaw: f64,
    /// Largest descriptor distance between two frames of the same person.
    pub same_person: f32,
}

/// Why the frames do not show a live person following the challenge. `step` counts from 0.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The challenge asks for `expected` frames; `got` came.
    FrameCount { expected: usize, got: usize },
    /// Frame `step` is the same image as frame `of`.
    Repeated { step: usize, of: usize },
    /// Frame `step` shows someone else than the first frame.
    NotSamePerson { step: usize, distance: f32 },
    /// Frame `step` does not show the pose asked.
    WrongPose { step: usize, wanted: Pose, yaw: f64 },
}

/// Judges the frames against the poses asked, step by step.
pub fn judge(poses: &[Pose], readings: &[Reading], limits: &Limits) -> Result<(), Failure> {
    if poses.len() != readings.len() || poses.is_empty() {
        return Err(Failure::FrameCount {
            expected: poses.len(),
            got: readings.len(),
        });
    }
    let first_yaw = readings[0].yaw;
    for (step, (pose, reading)) in poses.iter().zip(readings).enumerate() {
        if let Some(of) = reading.repeats {
            return Err(Failure::Repeated { step, of });
        }
        if step > 0 && reading.distance_to_first >= limits.same_person {
            return Err(Failure::NotSamePerson {
                step,
                distance: reading.distance_to_first,
            });
        }
        let follows = match pose {
            Pose::Front => reading.yaw.abs() <= limits.front_max_yaw,
            // The first frame is frontal: a turn is measured from it.
            turn => (reading.yaw - first_yaw) * turn.yaw_sign() >= limits.turn_min_yaw,
        };
        if !follows {
            return Err(Failure::WrongPose {
                step,
                wanted: *pose,
                yaw: reading.yaw,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        front_max_yaw: 15.0,
        turn_min_yaw: 12.0,
        same_person: 0.6,
    };

    fn first(yaw: f64) -> Reading {
        Reading {
            yaw,
            distance_to_first: 0.0,
            repeats: None,
        }
    }

    /// A later frame of the same person.
    fn frame(yaw: f64) -> Reading {
        Reading {
            distance_to_first: 0.3,
            ..first(yaw)
        }
    }

    const LEFT_THEN_FRONT: [Pose; 3] = [Pose::Front, Pose::Left, Pose::Front];

    #[test]
    fn frames_following_the_poses_pass() {
        assert_eq!(
            judge(&LEFT_THEN_FRONT, &[first(2.0), frame(25.0), frame(-4.0)], &LIMITS),
            Ok(())
        );
        let right_then_left = [Pose::Front, Pose::Right, Pose::Left];
        assert_eq!(
            judge(&right_then_left, &[first(2.0), frame(-20.0), frame(18.0)], &LIMITS),
            Ok(())
        );
    }

    #[test]
    fn a_turn_is_measured_from_the_first_frame() {
        // 14° is not 12° more than the first frame's 5°.
        let failure = judge(&LEFT_THEN_FRONT, &[first(5.0), frame(14.0), frame(0.0)], &LIMITS);
        assert!(
            matches!(
                failure,
                Err(Failure::WrongPose {
                    step: 1,
                    wanted: Pose::Left,
                    ..
                })
            ),
            "{failure:?}"
        );
    }

    #[test]
    fn a_turn_to_the_wrong_side_or_frames_in_the_wrong_order_fail_at_their_step() {
        let wrong_side = judge(&LEFT_THEN_FRONT, &[first(2.0), frame(-25.0), frame(0.0)], &LIMITS);
        assert!(
            matches!(wrong_side, Err(Failure::WrongPose { step: 1, .. })),
            "{wrong_side:?}"
        );
        // Asked front, right, left; sent front, left, right.
        let swapped = judge(
            &[Pose::Front, Pose::Right, Pose::Left],
            &[first(2.0), frame(22.0), frame(-22.0)],
            &LIMITS,
        );
        assert!(
            matches!(
                swapped,
                Err(Failure::WrongPose {
                    step: 1,
                    wanted: Pose::Right,
                    ..
                })
            ),
            "{swapped:?}"
        );
        // The turn sent first: the first frame is not frontal.
        let turned_first = judge(&LEFT_THEN_FRONT, &[first(25.0), frame(2.0), frame(0.0)], &LIMITS);
        assert!(
            matches!(turned_first, Err(Failure::WrongPose { step: 0, .. })),
            "{turned_first:?}"
        );
    }

    #[test]
    fn a_single_photo_repeated_or_missing_frames_fail() {
        let mut again = frame(2.0);
        again.repeats = Some(0);
        let repeated = judge(&LEFT_THEN_FRONT, &[first(2.0), again, frame(0.0)], &LIMITS);
        assert_eq!(repeated, Err(Failure::Repeated { step: 1, of: 0 }));
        let single = judge(&LEFT_THEN_FRONT, &[frame(2.0)], &LIMITS);
        assert_eq!(single, Err(Failure::FrameCount { expected: 3, got: 1 }));
    }

    #[test]
    fn another_person_in_a_frame_fails() {
        let mut stranger = frame(25.0);
        stranger.distance_to_first = 0.7;
        let failure = judge(&LEFT_THEN_FRONT, &[first(2.0), stranger, frame(0.0)], &LIMITS);
        assert!(
            matches!(failure, Err(Failure::NotSamePerson { step: 1, .. })),
            "{failure:?}"
        );
    }

    #[test]
    fn one_shot_keeps_its_landmarks_and_a_new_one_does_not() {
        let shot = [(400, 300), (360, 302), (240, 300), (280, 302), (320, 380)];
        let reencoded = shot.map(|(x, y)| (x + 1, y - 1));
        assert!(same_shot(&shot, &reencoded));
        let head_back = shot.map(|(x, y)| (x + 6, y + 2));
        assert!(!same_shot(&shot, &head_back));
        assert!(!same_shot(&shot, &shot[..4]));
    }

    #[test]
    fn sequences_start_frontal_and_turn_once_at_least() {
        for draw in 0..8 {
            let poses = sequence(draw);
            assert_eq!(poses[0], Pose::Front);
            assert!(poses.iter().any(|p| *p != Pose::Front));
            assert_eq!(from_text(&to_text(&poses)), Some(poses));
        }
        assert_eq!(from_text("front,up"), None);
    }
}
