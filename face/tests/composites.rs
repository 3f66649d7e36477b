//! Every face at least `min_face_px` wide is found, whatever the photo's size: composites of
//! the labelled deepface photos (copies in `tests/fixtures/deepface`, or `ZHUJIAN_FACES_DIR`), a second
//! face pasted at 90–150 pixels into large photos, must be refused as showing several faces,
//! and the same photos untouched accepted. Needs the models (`ZHUJIAN_FACE_MODELS_DIR`).

use std::path::PathBuf;

use image::imageops::{overlay, resize, FilterType};
use image::RgbImage;
use zhujian_face::{Engine, Quality, Rect, Refusal};

fn faces_dir() -> PathBuf {
    std::env::var("ZHUJIAN_FACES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deepface"))
}

fn photo(name: &str) -> RgbImage {
    let path = faces_dir().join(name);
    image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (set ZHUJIAN_FACES_DIR to the deepface photos)", path.display()))
        .to_rgb8()
}

fn engine() -> Engine {
    let dir =
        std::env::var("ZHUJIAN_FACE_MODELS_DIR").expect("ZHUJIAN_FACE_MODELS_DIR is not set: run ./scripts/test.sh");
    Engine::load(&PathBuf::from(dir)).unwrap()
}

/// The face of `name`, cropped with a margin and scaled so that its detected box is `width`
/// pixels wide.
fn face_of(engine: &Engine, name: &str, width: u32) -> RgbImage {
    let img = photo(name);
    let (rect, _) = engine.detect(&img)[0];
    let margin = rect.width() / 2;
    let crop = Rect {
        left: (rect.left - margin).max(0),
        top: (rect.top - margin).max(0),
        right: (rect.right + margin).min(i64::from(img.width()) - 1),
        bottom: (rect.bottom + margin).min(i64::from(img.height()) - 1),
    };
    let cropped = image::imageops::crop_imm(
        &img,
        crop.left as u32,
        crop.top as u32,
        crop.width() as u32,
        crop.height() as u32,
    )
    .to_image();
    let scale = f64::from(width) / rect.width() as f64;
    resize(
        &cropped,
        (f64::from(cropped.width()) * scale).round() as u32,
        (f64::from(cropped.height()) * scale).round() as u32,
        FilterType::Triangle,
    )
}

/// The photo with `face` pasted into the corner farthest from its own face.
fn composite(base: &RgbImage, own: Rect, face: &RgbImage) -> RgbImage {
    let mut out = base.clone();
    let (w, h) = (i64::from(base.width()), i64::from(base.height()));
    let (fw, fh) = (i64::from(face.width()), i64::from(face.height()));
    let centre = ((own.left + own.right) / 2, (own.top + own.bottom) / 2);
    let x = if centre.0 > w / 2 { 20 } else { w - fw - 20 };
    let y = if centre.1 > h / 2 { 20 } else { h - fh - 20 };
    overlay(&mut out, face, x, y);
    out
}

#[test]
fn a_second_face_of_90_to_150_pixels_is_always_found() {
    let engine = engine();
    let quality = Quality::default();
    let bases = ["img4.jpg", "img13.jpg", "img1.jpg", "img2.jpg"];
    let guests = ["img17.jpg", "img22.jpg", "img5.jpg"];
    let mut failures = Vec::new();
    for (i, base_name) in bases.iter().enumerate() {
        let base = photo(base_name);
        let own = engine
            .single_face(&base, &quality)
            .unwrap_or_else(|r| panic!("{base_name} alone: {r:?}"));
        for (j, width) in [90u32, 120, 150].into_iter().enumerate() {
            let guest = guests[(i + j) % guests.len()];
            let photo = composite(&base, own.rect, &face_of(&engine, guest, width));
            let plan = zhujian_face::policy::plan(photo.width(), photo.height(), 90, &engine.limits);
            assert!(plan.smallest_face_seen <= 90.0, "{base_name}: {plan:?}");
            match engine.single_face(&photo, &quality) {
                Err(Refusal::SeveralFaces(2)) => {}
                other => failures.push(format!(
                    "{base_name} ({}×{}) + {guest} at {width} px: {:?}",
                    photo.width(),
                    photo.height(),
                    other.map(|f| f.rect)
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The same in the largest photo a face check takes by default (12 MP): a 90-pixel face in a
/// corner of a 4000×3000 photo is still counted.
#[test]
fn a_second_face_of_90_pixels_is_found_in_a_12_megapixel_photo() {
    let engine = engine();
    let quality = Quality::default();
    let base = resize(&photo("img2.jpg"), 4000, 3000, FilterType::Triangle);
    let pixels = u64::from(base.width()) * u64::from(base.height());
    assert!(pixels <= quality.max_pixels, "{pixels}");
    let own = engine.single_face(&base, &quality).expect("one face alone");
    let photo = composite(&base, own.rect, &face_of(&engine, "img17.jpg", 90));
    assert!(matches!(
        engine.single_face(&photo, &quality),
        Err(Refusal::SeveralFaces(2))
    ));
}

/// The composites do test something: without a HOG pass large enough, the second face is
/// missed (as it was when only the CNN looked, on copies of at most 960 pixels).
#[test]
fn without_the_covering_hog_pass_small_second_faces_are_missed() {
    let mut engine = engine();
    engine.limits.hog_max_pixels = 40_000;
    let base = photo("img4.jpg");
    let own = engine.single_face(&base, &Quality::default()).unwrap();
    let photo = composite(&base, own.rect, &face_of(&engine, "img17.jpg", 100));
    let plan = zhujian_face::policy::plan(photo.width(), photo.height(), 90, &engine.limits);
    assert!(plan.smallest_face_seen > 300.0, "{plan:?}");
    assert!(engine.single_face(&photo, &Quality::default()).is_ok());
}
