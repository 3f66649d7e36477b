//! Face engine benchmark: per-stage times on the labelled deepface photos and on a 1280×960
//! selfie-sized photo, verifications per second on 2 threads, peak memory, and the accuracy
//! of the verification threshold (false accepts and false rejects over the 299 labelled pairs).
//!
//! Run with `./scripts/bench.sh face`. Target: one verification of a selfie-sized photo
//! (detection plus descriptor; the enrolled descriptor is stored) under 100 ms median.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use image::RgbImage;
use zhujian_face::{distance, face_chip, Descriptor, Engine, ResNet, ShapePredictor, CHIP_SIZE};

fn models() -> PathBuf {
    std::env::var("ZHUJIAN_FACE_MODELS_DIR")
        .expect("ZHUJIAN_FACE_MODELS_DIR is not set; run ./scripts/bench.sh face")
        .into()
}

fn faces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/faces/deepface")
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// (median, p95) in milliseconds.
fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| millis(samples[((samples.len() - 1) as f64 * q).round() as usize]);
    (at(0.5), at(0.95))
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn load_photo(path: &Path) -> RgbImage {
    zhujian::face::decode(&std::fs::read(path).unwrap()).unwrap()
}

struct Stages {
    detection: Vec<Duration>,
    landmarks: Vec<Duration>,
    descriptor: Vec<Duration>,
}

/// The descriptor of each photo's most confident face, timing each stage.
fn describe_photos(
    engine: &Engine,
    shape: &ShapePredictor,
    net: &ResNet,
    names: &[String],
) -> (Vec<Option<Descriptor>>, Stages) {
    let mut stages = Stages {
        detection: Vec::new(),
        landmarks: Vec::new(),
        descriptor: Vec::new(),
    };
    let mut descriptors = Vec::new();
    for name in names {
        let img = load_photo(&faces_dir().join(name));
        let (found, t) = time(|| engine.detect(&img));
        stages.detection.push(t);
        let Some(&(rect, _)) = found.first() else {
            descriptors.push(None);
            continue;
        };
        let (landmarks, t) = time(|| shape.predict(&img, rect));
        stages.landmarks.push(t);
        let (descriptor, t) = time(|| net.descriptor(&face_chip(&img, &landmarks, CHIP_SIZE, 0.25)));
        stages.descriptor.push(t);
        descriptors.push(Some(descriptor));
    }
    (descriptors, stages)
}

fn print_stage(name: &str, samples: Vec<Duration>) {
    let (median, p95) = percentiles(samples);
    println!("  {name:<28} median {median:>7.1} ms   p95 {p95:>7.1} ms");
}

fn main() {
    let dir = models();
    let engine = Arc::new(Engine::load(&dir).expect("models"));
    let shape = ShapePredictor::parse(&std::fs::read(dir.join(zhujian_face::engine::LANDMARKS_FILE)).unwrap()).unwrap();
    let net = ResNet::parse(&std::fs::read(dir.join(zhujian_face::engine::DESCRIPTOR_FILE)).unwrap()).unwrap();

    let csv = std::fs::read_to_string(faces_dir().join("master.csv")).expect("shared/faces/deepface/master.csv");
    let pairs: Vec<(String, String, bool)> = csv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',');
            Some((f.next()?.to_owned(), f.next()?.to_owned(), f.next()?.trim() == "Yes"))
        })
        .collect();
    let mut names: Vec<String> = pairs.iter().flat_map(|(a, b, _)| [a.clone(), b.clone()]).collect();
    names.sort();
    names.dedup();

    println!("face engine benchmark (2 cores); models from {}", dir.display());
    println!(
        "deepface photos: {} images, {} labelled pairs",
        names.len(),
        pairs.len()
    );
    let (descriptors, stages) = describe_photos(&engine, &shape, &net, &names);
    print_stage("detection (downscaled first)", stages.detection);
    print_stage("landmarks", stages.landmarks);
    print_stage("chip + descriptor", stages.descriptor);
    let missing: Vec<&String> = names
        .iter()
        .zip(&descriptors)
        .filter(|(_, d)| d.is_none())
        .map(|(n, _)| n)
        .collect();
    println!("  photos without a detected face: {missing:?}");

    // A selfie-sized photo: the deepface photo img2 scaled to 1280×960, as JPEG.
    let source = load_photo(&faces_dir().join("img2.jpg"));
    let selfie = image::imageops::resize(&source, 1280, 960, image::imageops::FilterType::Triangle);
    let mut jpeg = Vec::new();
    selfie
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    let quality = zhujian_face::Quality::default();
    let enrolled = engine
        .single_face(&selfie, &quality)
        .expect("the selfie shows one face")
        .descriptor;
    let mut with_decode = Vec::new();
    let mut without_decode = Vec::new();
    for _ in 0..30 {
        let (_, t) = time(|| {
            let d = zhujian::face::describe(&engine, &quality, &jpeg).unwrap();
            distance(&enrolled, &d)
        });
        with_decode.push(t);
        let (_, t) = time(|| distance(&enrolled, &engine.single_face(&selfie, &quality).unwrap().descriptor));
        without_decode.push(t);
    }
    let mut selfie_stages = Stages {
        detection: Vec::new(),
        landmarks: Vec::new(),
        descriptor: Vec::new(),
    };
    for _ in 0..30 {
        let (found, t) = time(|| engine.detect(&selfie));
        selfie_stages.detection.push(t);
        let (landmarks, t) = time(|| shape.predict(&selfie, found[0].0));
        selfie_stages.landmarks.push(t);
        let (_, t) = time(|| net.descriptor(&face_chip(&selfie, &landmarks, CHIP_SIZE, 0.25)));
        selfie_stages.descriptor.push(t);
    }
    println!("selfie 1280×960 stages:");
    print_stage("detection (downscaled first)", selfie_stages.detection);
    print_stage("landmarks", selfie_stages.landmarks);
    print_stage("chip + descriptor", selfie_stages.descriptor);
    println!("selfie 1280×960 verification (detect + landmarks + chip + descriptor + compare):");
    print_stage("from decoded pixels", without_decode);
    print_stage("from JPEG bytes", with_decode);

    let window = Duration::from_secs(5);
    let started = Instant::now();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (engine, jpeg, quality) = (engine.clone(), jpeg.clone(), quality.clone());
            std::thread::spawn(move || {
                let mut done = 0u32;
                while started.elapsed() < window {
                    zhujian::face::describe(&engine, &quality, &jpeg).unwrap();
                    done += 1;
                }
                done
            })
        })
        .collect();
    let total: u32 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    println!(
        "verifications per second on 2 threads (JPEG selfie): {:.1}",
        f64::from(total) / started.elapsed().as_secs_f64()
    );
    println!("peak memory (VmHWM): {:.0} MB", peak_rss_mb());

    // Accuracy over the labelled pairs; a photo without a face rejects its pairs.
    let index = |n: &str| names.iter().position(|x| x == n).unwrap();
    let scored: Vec<(Option<f32>, bool)> = pairs
        .iter()
        .map(|(a, b, same)| {
            let d = match (&descriptors[index(a)], &descriptors[index(b)]) {
                (Some(x), Some(y)) => Some(distance(x, y)),
                _ => None,
            };
            (d, *same)
        })
        .collect();
    let same = scored.iter().filter(|(_, s)| *s).count();
    let different = scored.len() - same;
    println!("accuracy on {same} same-person and {different} different-person pairs:");
    println!("  threshold   false accepts   FAR      false rejects   FRR");
    for step in 0..=8 {
        let threshold = 0.30 + 0.05 * step as f32;
        let accepts = |d: &Option<f32>| d.is_some_and(|d| d < threshold);
        let false_accepts = scored.iter().filter(|(d, s)| !s && accepts(d)).count();
        let false_rejects = scored.iter().filter(|(d, s)| *s && !accepts(d)).count();
        println!(
            "  {threshold:>9.2}   {false_accepts:>13}   {:>5.1}%   {false_rejects:>13}   {:>5.1}%",
            100.0 * false_accepts as f64 / different as f64,
            100.0 * false_rejects as f64 / same as f64
        );
    }
    let max_same = scored
        .iter()
        .filter(|(_, s)| *s)
        .filter_map(|(d, _)| *d)
        .fold(0.0f32, f32::max);
    let min_different = scored
        .iter()
        .filter(|(_, s)| !s)
        .filter_map(|(d, _)| *d)
        .fold(f32::MAX, f32::min);
    println!("  largest same-person distance {max_same:.3}; smallest different-person distance {min_different:.3}");
}
