//! Liveness: the time to judge a 3-frame challenge as the server does (decode, hash, examine
//! each frame, then the rule), and how often frames are accepted or refused. The deepface
//! photos show no head turns, so the frames are built from each frontal photo with the face
//! engine's synthetic head turn (`zhujian_face::synthetic`), 30° to a side; a second frontal
//! shot is the photo moved by 2% of its width (a hand-held phone between shots).

use std::time::{Duration, Instant};

use image::imageops::flip_horizontal;
use image::RgbImage;
use zhujian::liveness::rules::{self, Limits, Pose, Reading, SEQUENCES};
use zhujian_face::{Engine, Quality};

use super::{encode_jpeg, faces_dir, load_photo, percentiles};

const TURN: f64 = 30.0;

/// A frame's bytes as the client sends them.
type Frame = Vec<u8>;

/// The photo in `pose`, from its frontal landmarks; `mirror` mirrors the turned photo.
fn posed(engine: &Engine, photo: &RgbImage, pose: Pose, mirror: bool) -> RgbImage {
    let face = engine.single_face(photo, &Quality::default()).unwrap();
    let turned = match pose {
        Pose::Front => return photo.clone(),
        Pose::Left => zhujian_face::synthetic::turn_head(photo, &face.landmarks, TURN),
        Pose::Right => zhujian_face::synthetic::turn_head(photo, &face.landmarks, -TURN),
    };
    if mirror {
        flip_horizontal(&turned)
    } else {
        turned
    }
}

/// Another frontal shot: the picture moved 2% of its width right and 1% of its height down
/// (a hand-held phone between two shots), the edge it uncovers repeating the border pixels.
fn another_shot(photo: &RgbImage) -> RgbImage {
    let (w, h) = photo.dimensions();
    let (dx, dy) = ((w / 50).max(3), (h / 100).max(2));
    RgbImage::from_fn(w, h, |x, y| {
        *photo.get_pixel(x.saturating_sub(dx), y.saturating_sub(dy))
    })
}

/// Judges the frames as the server does; the failure, if any.
fn judge(engine: &Engine, poses: &[Pose], frames: &[Frame], limits: &Limits) -> Result<(), String> {
    let quality = Quality::default();
    let mut hashes = Vec::new();
    let mut examined: Vec<zhujian::face::Examined> = Vec::new();
    for frame in frames {
        let image = zhujian::face::decode_within(frame, quality.max_pixels).map_err(|e| format!("{e}"))?;
        hashes.push(zhujian::photos::rules::difference_hash(&image));
        examined.push(zhujian::face::examine_image(engine, &quality, &image).map_err(|e| format!("{e}"))?);
    }
    let readings: Vec<Reading> = examined
        .iter()
        .enumerate()
        .map(|(step, frame)| Reading {
            yaw: frame.yaw,
            distance_to_first: zhujian_face::distance(&examined[0].descriptor, &frame.descriptor),
            repeats: (0..step).find(|&e| {
                zhujian::photos::rules::hamming(hashes[e], hashes[step]) <= 6
                    && rules::same_shot(&examined[e].landmarks, &frame.landmarks)
            }),
        })
        .collect();
    rules::judge(poses, &readings, limits).map_err(|f| format!("{f:?}"))
}

/// The frames a live person following `poses` sends.
fn genuine(engine: &Engine, photo: &RgbImage, poses: &[Pose]) -> Vec<Frame> {
    let mut fronts = 0;
    poses
        .iter()
        .map(|&pose| {
            let image = if pose == Pose::Front {
                fronts += 1;
                if fronts == 1 {
                    photo.clone()
                } else {
                    another_shot(photo)
                }
            } else {
                posed(engine, photo, pose, false)
            };
            encode_jpeg(&image)
        })
        .collect()
}

/// What an attacker sends instead, by name.
fn attacks(engine: &Engine, photo: &RgbImage, poses: &[Pose]) -> Vec<(&'static str, Vec<Frame>)> {
    let front = encode_jpeg(photo);
    let reencoded = |q: u8| {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q)
            .encode_image(photo)
            .unwrap();
        out
    };
    let other = |pose: Pose| match pose {
        Pose::Left => Pose::Right,
        Pose::Right => Pose::Left,
        Pose::Front => Pose::Front,
    };
    let frames = |f: &dyn Fn(Pose) -> RgbImage| poses.iter().map(|&p| encode_jpeg(&f(p))).collect::<Vec<_>>();
    vec![
        ("single photo", vec![front.clone()]),
        ("one photo sent for every pose", vec![front.clone(); poses.len()]),
        (
            "one photo re-encoded for every pose",
            vec![front, reencoded(60), reencoded(85)],
        ),
        ("frontal photos only (a gallery)", frames(&|_| another_shot(photo))),
        (
            "turns mirrored (the wrong side)",
            frames(&|p| posed(engine, photo, p, true)),
        ),
        (
            "turns in the wrong order",
            frames(&|p| posed(engine, photo, other(p), false)),
        ),
        // The attack the check cannot see: photos turned each way (here one turned photo
        // and its mirror image), sent in the order asked.
        (
            "mirror of the other turn, in order (not stopped)",
            frames(&|p| match p {
                Pose::Front => photo.clone(),
                turn => posed(engine, photo, other(turn), true),
            }),
        ),
    ]
}

pub fn bench(engine: &Engine, names: &[String], threshold: f32) {
    let limits = Limits {
        front_max_yaw: 15.0,
        turn_min_yaw: 12.0,
        same_person: threshold,
    };
    let photos: Vec<(String, RgbImage)> = names
        .iter()
        .map(|n| (n.clone(), load_photo(&faces_dir().join(n))))
        .filter(|(_, p)| engine.single_face(p, &Quality::default()).is_ok())
        .collect();
    println!(
        "liveness on {} deepface photos, synthetic turns of {TURN}°, all 4 sequences:",
        photos.len()
    );
    let mut times: Vec<Duration> = Vec::new();
    let mut genuine_refused = Vec::new();
    let mut total = 0;
    let mut attacked: Vec<(&'static str, usize, usize)> = Vec::new();
    for (name, photo) in &photos {
        for sequence in SEQUENCES {
            total += 1;
            let frames = genuine(engine, photo, &sequence);
            let started = Instant::now();
            let verdict = judge(engine, &sequence, &frames, &limits);
            times.push(started.elapsed());
            if let Err(why) = verdict {
                genuine_refused.push(format!("{name} {sequence:?}: {why}"));
            }
            for (i, (attack, frames)) in attacks(engine, photo, &sequence).into_iter().enumerate() {
                if attacked.len() <= i {
                    attacked.push((attack, 0, 0));
                }
                attacked[i].1 += 1;
                if judge(engine, &sequence, &frames, &limits).is_ok() {
                    attacked[i].2 += 1;
                }
            }
        }
    }
    let (median, p95) = percentiles(times);
    println!("  judging a 3-frame challenge (3 JPEGs decoded, hashed, examined; one thread): median {median:.1} ms, p95 {p95:.1} ms");
    println!(
        "  false rejects of genuine frames: {} of {total} ({:.1}%)",
        genuine_refused.len(),
        100.0 * genuine_refused.len() as f64 / total as f64
    );
    for refused in genuine_refused.iter().take(8) {
        println!("    {refused}");
    }
    println!("  attack                                              accepted");
    for (attack, tried, accepted) in attacked {
        println!(
            "  {attack:<50} {accepted:>3} of {tried:<3} ({:.1}%)",
            100.0 * accepted as f64 / tried as f64
        );
    }
}
