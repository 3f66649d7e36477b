//! Face photos for the tests. The server refuses a photo that repeats any earlier one (within
//! `check_in.photo_hash_distance` bits of difference hash), so every flow of a test needs its
//! own photo: `fresh` makes a new photo of a fixture's face each time it is called, `original`
//! gives the fixture's bytes as they are.

use std::cell::RefCell;

use image::{imageops, Rgb, RgbImage};
use zhujian::photos::rules::{difference_hash, hamming};

/// The fixture's bytes, unchanged.
pub(crate) fn original(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/faces/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

pub(crate) fn decode(jpeg: &[u8]) -> RgbImage {
    zhujian::face::decode(jpeg).unwrap()
}

pub(crate) fn jpeg(image: &RgbImage) -> Vec<u8> {
    jpeg_at(image, 75)
}

pub(crate) fn jpeg_at(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .unwrap();
    out
}

/// The hash the server computes of a photo.
pub(crate) fn hash(jpeg: &[u8]) -> u64 {
    difference_hash(&decode(jpeg))
}

/// Fewest differing bits between any two photos `fresh` hands out in a test, and between them
/// and the fixtures: beyond the server's default (6) with a margin.
const APART: u32 = 10;

thread_local! {
    /// Every hash handed out so far on this thread, with a counter for the next frame pattern.
    /// A photo is refused only as a repeat within one server's database, and each test starts
    /// its own server on its own thread (libtest's), so a test's photos need only be apart from
    /// each other. Shared by the whole process, the photos of one face ran out: the border
    /// controls 28 of the hash's 64 bits, which hold a few hundred codes 10 bits apart, and
    /// the search for the next one slowed until a 50-racer test stalled for minutes.
    static HANDED_OUT: RefCell<(Vec<u64>, u64)> = const { RefCell::new((Vec::new(), 0)) };
}

/// A new photo of the fixture's face: the fixture's margins replaced by a border of blocks on
/// the 9×8 grid a difference hash sees, each block bright or dark by a pseudo-random pattern.
/// The face is untouched (the same person to the face engine, checked in photos.rs); to the
/// hash it is at least `APART` bits from every photo handed out before and from every fixture.
pub(crate) fn fresh(name: &str) -> Vec<u8> {
    fresh_of(&decode(&original(name)))
}

/// A new photo (as `fresh`) of the fixture's face with the head turned by `degrees` (positive:
/// the face points further to the photo's right, the person's own left), rendered by the face
/// engine's synthetic head turn, and mirrored when `mirror` (an attacker's way to turn the
/// other side).
pub(crate) fn turned(name: &str, degrees: f64, mirror: bool) -> Vec<u8> {
    let photo = decode(&original(name));
    let engine = zhujian::face::load_engine(&crate::harness::models_dir()).unwrap();
    let face = engine
        .single_face(&photo, &zhujian_face::Quality::default())
        .unwrap_or_else(|r| panic!("{name}: {r:?}"));
    let turned = zhujian_face::synthetic::turn_head(&photo, &face.landmarks, degrees);
    fresh_of(&if mirror {
        imageops::flip_horizontal(&turned)
    } else {
        turned
    })
}

/// The poses a challenge answer asks for (`front`, `left`, `right`).
pub(crate) fn poses(challenge: &serde_json::Value) -> Vec<String> {
    challenge["poses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

/// How far the liveness tests' synthetic turns go: well past `liveness.turn_min_yaw` (12°)
/// as measured.
pub(crate) const TURN: f64 = 30.0;

/// A new photo of the fixture in `pose` (a turn of `TURN` degrees to the person's own side);
/// `swap` turns the other way.
pub(crate) fn posed(fixture: &str, pose: &str, swap: bool) -> Vec<u8> {
    let side = match pose {
        "left" => TURN,
        "right" => -TURN,
        _ => return fresh(fixture),
    };
    turned(fixture, if swap { -side } else { side }, false)
}

/// A new photo of this face (see `fresh`).
fn fresh_of(face: &RgbImage) -> Vec<u8> {
    HANDED_OUT.with_borrow_mut(|handed| fresh_apart(face, handed))
}

/// A new photo of this face at least `APART` bits from every hash in `handed`, which it joins.
fn fresh_apart(face: &RgbImage, handed: &mut (Vec<u64>, u64)) -> Vec<u8> {
    if handed.0.is_empty() {
        for fixture in [
            "person-a-portrait.jpg",
            "person-a-selfie.jpg",
            "person-b.jpg",
            "person-c.jpg",
        ] {
            handed.0.push(hash(&original(fixture)));
        }
    }
    loop {
        handed.1 += 1;
        let candidate = framed(face, handed.1);
        let h = hash(&candidate);
        if handed.0.iter().all(|other| hamming(*other, h) >= APART) {
            handed.0.push(h);
            return candidate;
        }
    }
}

/// The face in a frame one grid cell wide, blocks by the pattern `n`: the fixture's middle
/// 7/9 × 6/8 (where the face is) in a frame that brings it back to the fixture's size, so
/// face work costs what it did.
fn framed(photo: &RgbImage, n: u64) -> Vec<u8> {
    let (w, h) = (photo.width() * 7 / 9, photo.height() * 6 / 8);
    let middle = imageops::crop_imm(photo, (photo.width() - w) / 2, (photo.height() - h) / 2, w, h);
    let face = &middle.to_image();
    let (bw, bh) = (w / 7 + 1, h / 6 + 1);
    let mut canvas = RgbImage::new(bw * 9, bh * 8);
    let mut seed = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for row in 0..8 {
        for col in 0..9 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let level = if seed & 1 == 1 { 230 } else { 25 };
            for y in row * bh..(row + 1) * bh {
                for x in col * bw..(col + 1) * bw {
                    canvas.put_pixel(x, y, Rgb([level, level, level]));
                }
            }
        }
    }
    let (left, top) = ((canvas.width() - w) / 2, (canvas.height() - h) / 2);
    imageops::overlay(&mut canvas, face, i64::from(left), i64::from(top));
    jpeg_at(&canvas, 90)
}

/// The same photo slightly brightened and re-encoded at another quality: other bytes, nearly
/// the same hash (checked: within the server's default distance of 6).
pub(crate) fn near_copy(jpeg: &[u8], step: u8) -> Vec<u8> {
    let mut image = decode(jpeg);
    for pixel in image.pixels_mut() {
        for channel in pixel.0.iter_mut() {
            *channel = channel.saturating_add(2 + step % 4);
        }
    }
    let copy = jpeg_at(&image, 60 + step % 30);
    assert_ne!(copy, jpeg);
    let distance = hamming(hash(&copy), hash(jpeg));
    assert!(distance <= 6, "the near copy is {distance} bits away");
    copy
}
