//! The check-in decision as one pure function over facts loaded beforehand. The order is the
//! order a person can fix things in: the task and their entitlement first, then their
//! position, then their photo. The face comparison, the one costly fact, is only asked for
//! once everything before it has passed.

use crate::photos::Flow;
use crate::verification::signals::{self, Signals};

/// Where the position lies relative to the enterprise's fence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub inside: bool,
    /// From the site (centre or boundary), metres.
    pub distance_m: f64,
}

/// The selfie compared with the enrolled face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceMatch {
    pub matched: bool,
    pub distance: f32,
}

/// Everything a check-in is decided on.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// The task takes check-ins and today is inside its window.
    pub window_open: bool,
    /// The person's employment with the task's enterprise is active.
    pub employed: bool,
    /// The person already has a valid check-in in the round.
    pub already_checked_in: bool,
    /// `None` when the enterprise's site has no coordinates.
    pub placement: Option<Placement>,
    /// As the client reported it, metres.
    pub accuracy_m: f64,
    /// The kind of earlier photo the selfie repeats, if it repeats one.
    pub reused_photo: Option<Flow>,
    /// `None` until the face has been compared.
    pub face: Option<FaceMatch>,
    pub signals: Signals,
}

/// The configured limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub max_accuracy_m: f64,
    pub max_speed_kmh: f64,
}

/// Why a check-in is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    OutsideWindow,
    NotEmployed,
    AlreadyCheckedIn,
    SiteMissing,
    /// Zero, negative or not a number: a broken or spoofed client.
    AccuracyInvalid,
    PoorAccuracy {
        accuracy_m: f64,
        max_m: f64,
    },
    Outside {
        distance_m: f64,
    },
    ReusedPhoto {
        earlier: Flow,
    },
    FaceMismatch {
        distance: f32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Judgement {
    Refused(Refusal),
    /// Everything else passed: compare the face and judge again.
    NeedsFace,
    /// Accepted; with flags it waits for staff review.
    Accepted {
        flags: Vec<&'static str>,
    },
}

/// Decides a check-in, rule by rule in a fixed order; the first failing rule refuses it.
pub fn judge(f: &Facts, limits: &Limits) -> Judgement {
    match first_refusal(f, limits) {
        Some(refusal) => Judgement::Refused(refusal),
        None if f.face.is_none() => Judgement::NeedsFace,
        None => Judgement::Accepted {
            flags: signals::flags(&f.signals, limits.max_speed_kmh),
        },
    }
}

fn first_refusal(f: &Facts, limits: &Limits) -> Option<Refusal> {
    if !f.window_open {
        return Some(Refusal::OutsideWindow);
    }
    if !f.employed {
        return Some(Refusal::NotEmployed);
    }
    if f.already_checked_in {
        return Some(Refusal::AlreadyCheckedIn);
    }
    let Some(placement) = f.placement else {
        return Some(Refusal::SiteMissing);
    };
    // No real fix is perfectly precise.
    if !(f.accuracy_m > 0.0 && f.accuracy_m.is_finite()) {
        return Some(Refusal::AccuracyInvalid);
    }
    if f.accuracy_m > limits.max_accuracy_m {
        return Some(Refusal::PoorAccuracy {
            accuracy_m: f.accuracy_m,
            max_m: limits.max_accuracy_m,
        });
    }
    if !placement.inside {
        return Some(Refusal::Outside {
            distance_m: placement.distance_m,
        });
    }
    if let Some(earlier) = f.reused_photo {
        return Some(Refusal::ReusedPhoto { earlier });
    }
    match f.face {
        Some(face) if !face.matched => Some(Refusal::FaceMismatch {
            distance: face.distance,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_accuracy_m: 50.0,
        max_speed_kmh: 300.0,
    };

    /// A check-in that passes every rule.
    fn good() -> Facts {
        Facts {
            window_open: true,
            employed: true,
            already_checked_in: false,
            placement: Some(Placement {
                inside: true,
                distance_m: 20.0,
            }),
            accuracy_m: 15.0,
            reused_photo: None,
            face: Some(FaceMatch {
                matched: true,
                distance: 0.35,
            }),
            signals: Signals::default(),
        }
    }

    fn refused(f: Facts) -> Refusal {
        match judge(&f, &LIMITS) {
            Judgement::Refused(r) => r,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_good_check_in_is_accepted_without_flags() {
        assert_eq!(judge(&good(), &LIMITS), Judgement::Accepted { flags: vec![] });
    }

    #[test]
    fn the_face_is_asked_for_only_when_everything_else_passed() {
        let no_face = Facts { face: None, ..good() };
        assert_eq!(judge(&no_face, &LIMITS), Judgement::NeedsFace);
        let outside = Facts {
            face: None,
            placement: Some(Placement {
                inside: false,
                distance_m: 900.0,
            }),
            ..good()
        };
        assert_eq!(refused(outside), Refusal::Outside { distance_m: 900.0 });
    }

    #[test]
    fn each_rule_refuses_on_its_own() {
        assert_eq!(
            refused(Facts {
                window_open: false,
                ..good()
            }),
            Refusal::OutsideWindow
        );
        assert_eq!(
            refused(Facts {
                employed: false,
                ..good()
            }),
            Refusal::NotEmployed
        );
        assert_eq!(
            refused(Facts {
                already_checked_in: true,
                ..good()
            }),
            Refusal::AlreadyCheckedIn
        );
        assert_eq!(
            refused(Facts {
                placement: None,
                ..good()
            }),
            Refusal::SiteMissing
        );
        for accuracy_m in [0.0, -5.0, f64::NAN, f64::INFINITY] {
            assert_eq!(refused(Facts { accuracy_m, ..good() }), Refusal::AccuracyInvalid);
        }
        assert_eq!(
            refused(Facts {
                accuracy_m: 80.0,
                ..good()
            }),
            Refusal::PoorAccuracy {
                accuracy_m: 80.0,
                max_m: 50.0
            }
        );
        assert_eq!(
            refused(Facts {
                reused_photo: Some(Flow::RegistrationSelfie),
                ..good()
            }),
            Refusal::ReusedPhoto {
                earlier: Flow::RegistrationSelfie
            }
        );
        let stranger = Facts {
            face: Some(FaceMatch {
                matched: false,
                distance: 0.8,
            }),
            ..good()
        };
        assert_eq!(refused(stranger), Refusal::FaceMismatch { distance: 0.8 });
    }

    #[test]
    fn entitlement_comes_before_position_and_photo() {
        let everything_wrong = Facts {
            employed: false,
            accuracy_m: -1.0,
            placement: Some(Placement {
                inside: false,
                distance_m: 5000.0,
            }),
            reused_photo: Some(Flow::IdPortrait),
            ..good()
        };
        assert_eq!(refused(everything_wrong), Refusal::NotEmployed);
        let bad_fix_far_away = Facts {
            accuracy_m: 500.0,
            placement: Some(Placement {
                inside: false,
                distance_m: 5000.0,
            }),
            ..good()
        };
        assert!(matches!(refused(bad_fix_far_away), Refusal::PoorAccuracy { .. }));
    }

    #[test]
    fn suspicious_signals_flag_but_do_not_refuse() {
        let suspicious = Facts {
            signals: Signals {
                mock_location: true,
                repeated_position: true,
                speed_kmh: Some(900.0),
            },
            ..good()
        };
        assert_eq!(
            judge(&suspicious, &LIMITS),
            Judgement::Accepted {
                flags: vec!["mock_location", "repeated_position", "impossible_speed"]
            }
        );
        let plausible = Facts {
            signals: Signals {
                speed_kmh: Some(120.0),
                ..Signals::default()
            },
            ..good()
        };
        assert_eq!(judge(&plausible, &LIMITS), Judgement::Accepted { flags: vec![] });
    }
}
