//! The engine against values computed by dlib itself on the same pixels
//! (fixtures/dlib-reference.json). Needs the models: `ZHUJIAN_FACE_MODELS` names their folder
//! (scripts/test.sh fetches them).

use std::path::PathBuf;

use serde_json::Value;
use zhujian_face::{distance, ResNet};

fn models() -> PathBuf {
    PathBuf::from(
        std::env::var("ZHUJIAN_FACE_MODELS")
            .expect("ZHUJIAN_FACE_MODELS is not set: run ./scripts/test.sh, which fetches the models"),
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
