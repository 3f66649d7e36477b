//! The engine against values computed by dlib itself on the same pixels
//! (fixtures/dlib-reference.json). Needs the models: `ZHUJIAN_FACE_MODELS_DIR` names their folder
//! (scripts/test.sh fetches them).

use std::path::PathBuf;

use serde_json::Value;
use zhujian_face::{distance, ResNet};

fn models() -> PathBuf {
    PathBuf::from(
        std::env::var("ZHUJIAN_FACE_MODELS_DIR")
            .expect("ZHUJIAN_FACE_MODELS_DIR is not set: run ./scripts/test.sh, which fetches the models"),
    )
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn reference() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("dlib-reference.json")).unwrap()).unwrap()
}

fn descriptor_of(value: &Value) -> Vec<f32> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect()
}

#[test]
fn descriptor_of_dlibs_chip_matches_dlib() {
    let net =
        ResNet::parse(&std::fs::read(models().join("dlib_face_recognition_resnet_model_v1.dat")).unwrap()).unwrap();
    let chip = image::open(fixture("img1-chip.png")).unwrap().to_rgb8();
    let ours = net.descriptor(chip.as_raw());
    let theirs = descriptor_of(&reference()["images"]["img1.png"]["faces"][0]["descriptor"]);
    let mut worst = 0.0f32;
    for (a, b) in ours.iter().zip(&theirs) {
        worst = worst.max((a - b).abs());
    }
    assert!(worst < 1e-4, "largest difference from dlib: {worst}");
    let mut theirs_array = [0.0; 128];
    theirs_array.copy_from_slice(&theirs);
    assert!(distance(&ours, &theirs_array) < 1e-3);
}

fn rect(v: &Value) -> zhujian_face::Rect {
    let n = |k: &str| v[k].as_i64().unwrap();
    zhujian_face::Rect {
        left: n("left"),
        top: n("top"),
        right: n("right"),
        bottom: n("bottom"),
    }
}

/// Landmarks and chips from dlib's own detections, and the descriptor through the whole
/// chip → network path.
#[test]
fn landmarks_chips_and_descriptors_match_dlib() {
    let sp = zhujian_face::ShapePredictor::parse(
        &std::fs::read(models().join("shape_predictor_5_face_landmarks.dat")).unwrap(),
    )
    .unwrap();
    let net =
        ResNet::parse(&std::fs::read(models().join("dlib_face_recognition_resnet_model_v1.dat")).unwrap()).unwrap();
    let reference = reference();
    for (name, expected) in reference["images"].as_object().unwrap() {
        let img = image::open(fixture(name)).unwrap().to_rgb8();
        let detection = rect(&expected["mmod"][0]);
        let face = &expected["faces"][0];
        let landmarks = sp.predict(&img, detection);
        let want: Vec<(i64, i64)> = face["landmarks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_i64().unwrap(), p[1].as_i64().unwrap()))
            .collect();
        assert_eq!(landmarks, want, "{name}: landmarks");
        let chip = zhujian_face::face_chip(&img, &landmarks, 150, 0.25);
        let sum: i64 = chip.iter().map(|v| i64::from(*v)).sum();
        assert_eq!(sum, face["chip_sum"].as_i64().unwrap(), "{name}: chip");
        let ours = net.descriptor(&chip);
        let theirs = descriptor_of(&face["descriptor"]);
        let worst = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-4, "{name}: largest descriptor difference {worst}");
    }
}

#[test]
fn cnn_detections_match_dlib() {
    let mmod =
        zhujian_face::Mmod::parse(&std::fs::read(models().join("mmod_human_face_detector.dat")).unwrap()).unwrap();
    for (name, expected) in reference()["images"].as_object().unwrap() {
        let img = image::open(fixture(name)).unwrap().to_rgb8();
        let found = mmod.detect(&img);
        let want = expected["mmod"].as_array().unwrap();
        assert_eq!(found.len(), want.len(), "{name}: {found:?}");
        for (d, w) in found.iter().zip(want) {
            assert_eq!(d.rect, rect(w), "{name}");
            let confidence = w["confidence"].as_f64().unwrap() as f32;
            assert!(
                (d.confidence - confidence).abs() < 1e-3,
                "{name}: confidence {} vs {confidence}",
                d.confidence
            );
        }
    }
}

fn engine() -> zhujian_face::Engine {
    zhujian_face::Engine::load(&models()).unwrap()
}

fn descriptor_for(engine: &zhujian_face::Engine, name: &str) -> zhujian_face::Descriptor {
    let img = image::open(fixture(name)).unwrap().to_rgb8();
    // The fixtures are downscaled to 400 pixels; img17's face is 84 pixels by its eyes.
    let quality = zhujian_face::Quality {
        min_face_px: 80,
        ..Default::default()
    };
    engine.single_face(&img, &quality).unwrap().descriptor
}

/// The engine's own pipeline (detection on a downscaled copy) still tells people apart.
#[test]
fn engine_tells_the_same_person_from_others() {
    let engine = engine();
    let a1 = descriptor_for(&engine, "img1.png");
    let a2 = descriptor_for(&engine, "img2.png");
    let b = descriptor_for(&engine, "img3.png");
    let c = descriptor_for(&engine, "img17.png");
    assert!(distance(&a1, &a2) < 0.5, "same person: {}", distance(&a1, &a2));
    for other in [&b, &c] {
        assert!(distance(&a1, other) > 0.7, "different people: {}", distance(&a1, other));
    }
}

#[test]
fn engine_refuses_unusable_photos() {
    use zhujian_face::Refusal;
    let engine = engine();
    let quality = zhujian_face::Quality::default();
    let blank = image::RgbImage::from_pixel(400, 300, image::Rgb([120, 130, 140]));
    assert_eq!(engine.single_face(&blank, &quality).unwrap_err(), Refusal::NoFace);

    let a = image::open(fixture("img1.png")).unwrap().to_rgb8();
    let b = image::open(fixture("img3.png")).unwrap().to_rgb8();
    let mut pair = image::RgbImage::new(a.width() + b.width(), a.height().max(b.height()));
    image::imageops::overlay(&mut pair, &a, 0, 0);
    image::imageops::overlay(&mut pair, &b, i64::from(a.width()), 0);
    assert_eq!(
        engine.single_face(&pair, &quality).unwrap_err(),
        Refusal::SeveralFaces(2)
    );

    let dark = image::ImageBuffer::from_fn(a.width(), a.height(), |x, y| {
        let p = a.get_pixel(x, y).0;
        image::Rgb([p[0] / 6, p[1] / 6, p[2] / 6])
    });
    assert!(matches!(
        engine.single_face(&dark, &quality),
        Err(Refusal::TooDark { .. })
    ));

    let blurred = image::imageops::blur(&a, 3.0);
    assert!(matches!(
        engine.single_face(&blurred, &quality),
        Err(Refusal::TooBlurred { .. })
    ));
    let slightly = image::imageops::blur(&a, 1.0);
    assert!(
        engine.single_face(&slightly, &quality).is_ok(),
        "a slightly soft photo is still usable"
    );

    // About 70 pixels across, in an image small enough to be searched as it is: the detector
    // finds it with its smallest (80-pixel) box, which is below the minimum.
    let small = image::imageops::resize(
        &a,
        a.width() * 3 / 5,
        a.height() * 3 / 5,
        image::imageops::FilterType::Triangle,
    );
    assert!(
        matches!(engine.single_face(&small, &quality), Err(Refusal::FaceTooSmall { .. })),
        "{:?}",
        engine.single_face(&small, &quality).map(|f| f.rect)
    );
}

/// The HOG detector's boxes equal dlib's, and its scores to float rounding.
#[test]
fn hog_detections_match_dlib() {
    let hog = zhujian_face::Hog::frontal();
    for (name, expected) in reference()["images"].as_object().unwrap() {
        let img = image::open(fixture(name)).unwrap().to_rgb8();
        let found = hog.detect(&img);
        let want = expected["hog"].as_array().unwrap();
        assert_eq!(found.len(), want.len(), "{name}: {found:?}");
        for (d, w) in found.iter().zip(want) {
            assert_eq!(d.rect, rect(w), "{name}");
            let score = w["score"].as_f64().unwrap() as f32;
            assert!(
                (d.confidence - score).abs() < 1e-4,
                "{name}: score {} vs {score}",
                d.confidence
            );
        }
    }
}

/// The shipped HOG data is the converted file and nothing else.
#[test]
fn hog_data_has_its_hash() {
    use sha2::Digest;
    let actual = hex(&sha2::Sha256::digest(zhujian_face::hog::DATA));
    assert_eq!(actual, zhujian_face::hog::DATA_SHA256);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
