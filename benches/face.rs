//! Face engine benchmark: per-stage times (HOG and CNN detection on the copies the policy
//! chooses, landmarks, chip, descriptor, the whole check) on the labelled deepface photos and
//! on a 1280×960 selfie-sized photo, a photo without a face, a two-face composite, the peak
//! memory of one face check, verifications and 3-frame liveness checks per second on 2
//! threads, and the accuracy of the verification threshold over the labelled pairs.
//!
//! Run with `./scripts/bench.sh face`. Targets (issue 20): a selfie verification under 40 ms
//! median, a photo without a face under 300 ms, a face check under 300 MB.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use image::RgbImage;
use zhujian_face::{distance, face_chip, Descriptor, Engine, Hog, Mmod, Quality, ResNet, ShapePredictor, CHIP_SIZE};

#[path = "liveness/judge.rs"]
mod liveness;
#[path = "common/memory.rs"]
mod memory;
#[path = "dlib/compare.rs"]
mod vs_dlib;

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

fn load_photo(path: &Path) -> RgbImage {
    zhujian::face::decode(&std::fs::read(path).unwrap()).unwrap()
}

/// The models, each on its own, to time the stages one by one.
struct Models {
    engine: Arc<Engine>,
    hog: Hog,
    cnn: Mmod,
    shape: ShapePredictor,
    net: ResNet,
}

#[derive(Default)]
struct Stages {
    hog: Vec<Duration>,
    cnn: Vec<Duration>,
    landmarks: Vec<Duration>,
    chip: Vec<Duration>,
    descriptor: Vec<Duration>,
    whole: Vec<Duration>,
}

impl Stages {
    fn print(self, title: &str) {
        println!("{title}:");
        print_stage("HOG detection (count copy)", self.hog);
        print_stage("CNN detection (if HOG finds 0)", self.cnn);
        print_stage("landmarks", self.landmarks);
        print_stage("chip", self.chip);
        print_stage("descriptor", self.descriptor);
        print_stage("whole check (single_face)", self.whole);
    }
}

/// A copy of `img` as the policy makes it.
fn copy_of(img: &RgbImage, copy: zhujian_face::policy::Copy) -> RgbImage {
    if (copy.width, copy.height) == img.dimensions() {
        img.clone()
    } else {
        zhujian_face::resample::shrink(img, copy.width, copy.height)
    }
}

/// Times each stage of one photo the way the engine runs it; the descriptor of its first
/// face, if any.
fn time_stages(m: &Models, img: &RgbImage, stages: &mut Stages) -> Option<Descriptor> {
    let quality = Quality::default();
    let plan = zhujian_face::policy::plan(img.width(), img.height(), 90, &m.engine.limits);
    let (_, t) = time(|| m.hog.detect(&copy_of(img, plan.hog)));
    stages.hog.push(t);
    let (_, t) = time(|| {
        for copy in &plan.cnn {
            if !m.cnn.detect(&copy_of(img, *copy)).is_empty() {
                break;
            }
        }
    });
    stages.cnn.push(t);
    let (result, t) = time(|| m.engine.single_face(img, &quality));
    stages.whole.push(t);
    let found = m.engine.detect(img);
    let &(rect, _) = found.first()?;
    let (landmarks, t) = time(|| m.shape.predict(img, rect));
    stages.landmarks.push(t);
    let (chip, t) = time(|| face_chip(img, &landmarks, CHIP_SIZE, 0.25));
    stages.chip.push(t);
    let (descriptor, t) = time(|| m.net.descriptor(&chip));
    stages.descriptor.push(t);
    Some(result.map(|f| f.descriptor).unwrap_or(descriptor))
}

/// The descriptor of each photo's first face, timing each stage.
fn describe_photos(m: &Models, names: &[String]) -> (Vec<Option<Descriptor>>, Stages) {
    let mut stages = Stages::default();
    let descriptors = names
        .iter()
        .map(|name| time_stages(m, &load_photo(&faces_dir().join(name)), &mut stages))
        .collect();
    (descriptors, stages)
}

/// Resets the peak resident size (Linux: writing 5 to clear_refs), so that the next
/// reading is the peak of what runs in between.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn print_stage(name: &str, samples: Vec<Duration>) {
    let (median, p95) = percentiles(samples);
    println!("  {name:<28} median {median:>7.1} ms   p95 {p95:>7.1} ms");
}

fn main() {
    let dir = models();
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let m = Models {
        engine: Arc::new(Engine::load(&dir).expect("models")),
        hog: Hog::frontal(),
        cnn: Mmod::parse(&read(zhujian_face::engine::DETECTOR_FILE)).unwrap(),
        shape: ShapePredictor::parse(&read(zhujian_face::engine::LANDMARKS_FILE)).unwrap(),
        net: ResNet::parse(&read(zhujian_face::engine::DESCRIPTOR_FILE)).unwrap(),
    };
    let engine = m.engine.clone();
    let threshold = zhujian::platform::config::Settings::default().face.threshold;

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

    // `./scripts/bench.sh face liveness`: the liveness part alone.
    if std::env::args().any(|a| a == "liveness") {
        liveness::bench(&engine, &names, threshold);
        return;
    }
    println!("face engine benchmark (2 cores); models from {}", dir.display());
    println!(
        "deepface photos: {} images, {} labelled pairs",
        names.len(),
        pairs.len()
    );
    let (descriptors, stages) = describe_photos(&m, &names);
    stages.print("deepface photos, per stage");
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
    let jpeg = encode_jpeg(&selfie);
    let quality = Quality::default();
    let enrolled = engine
        .single_face(&selfie, &quality)
        .expect("the selfie shows one face")
        .descriptor;
    let mut selfie_stages = Stages::default();
    let mut with_decode = Vec::new();
    for _ in 0..30 {
        time_stages(&m, &selfie, &mut selfie_stages);
        let (_, t) = time(|| {
            let d = zhujian::face::describe(&engine, &quality, &jpeg).unwrap();
            distance(&enrolled, &d)
        });
        with_decode.push(t);
    }
    selfie_stages.print("selfie 1280×960, per stage");
    print_stage("verification from JPEG bytes", with_decode);
    vs_dlib::compare(&m, &dir, &selfie);

    // A photo without a face, and a two-face composite, at selfie size.
    let wall = RgbImage::from_fn(1280, 960, |x, y| {
        image::Rgb([((x * 7 + y * 3) % 200) as u8, ((x + y) % 120 + 60) as u8, 150])
    });
    let mut no_face = Stages::default();
    let mut two = Stages::default();
    let composite = two_faces(&engine, &selfie);
    for _ in 0..10 {
        time_stages(&m, &wall, &mut no_face);
        time_stages(&m, &composite, &mut two);
    }
    println!(
        "photo without a face (1280×960): {:?}",
        engine.single_face(&wall, &quality).map(|f| f.rect)
    );
    print_stage("whole check", no_face.whole);
    println!(
        "two-face composite (1280×960, second face 110 px): {:?}",
        engine.single_face(&composite, &quality).map(|f| f.rect)
    );
    print_stage("whole check", two.whole);

    // Peak memory of one check, from a reset peak (models resident included).
    let resized = |w, h| {
        encode_jpeg(&image::imageops::resize(
            &source,
            w,
            h,
            image::imageops::FilterType::Triangle,
        ))
    };
    let (big, too_big) = (resized(4000, 3000), resized(6000, 4000));
    for (what, photo) in [
        ("selfie JPEG 1280×960", &jpeg),
        ("photo JPEG 4000×3000", &big),
        ("photo JPEG 6000×4000", &too_big),
    ] {
        reset_peak();
        let resident = memory::status_mb("VmRSS");
        let outcome = zhujian::face::describe(&engine, &quality, photo).map(|_| "described");
        println!(
            "peak memory of one face check ({what}): {:.0} MB (models resident: {resident:.0} MB; {outcome:?})",
            memory::status_mb("VmHWM")
        );
    }

    for frames in [1usize, 3] {
        let window = Duration::from_secs(5);
        let started = Instant::now();
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (engine, jpeg, quality) = (engine.clone(), jpeg.clone(), quality.clone());
                std::thread::spawn(move || {
                    let mut done = 0u32;
                    while started.elapsed() < window {
                        for _ in 0..frames {
                            zhujian::face::describe(&engine, &quality, &jpeg).unwrap();
                        }
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        let total: u32 = workers.into_iter().map(|w| w.join().unwrap()).sum();
        let what = if frames == 1 {
            "verifications"
        } else {
            "3-frame liveness checks"
        };
        println!(
            "{what} per second on 2 threads (JPEG selfie): {:.1}",
            f64::from(total) / started.elapsed().as_secs_f64()
        );
    }
    println!(
        "peak memory of the whole benchmark (VmHWM since the last reset): {:.0} MB",
        memory::status_mb("VmHWM")
    );

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
    liveness::bench(&engine, &names, threshold);
}

fn encode_jpeg(img: &RgbImage) -> Vec<u8> {
    let mut jpeg = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    jpeg
}

/// The selfie with a second face (deepface img17's, 110 pixels wide) in its bottom-left corner.
fn two_faces(engine: &Engine, selfie: &RgbImage) -> RgbImage {
    let guest = load_photo(&faces_dir().join("img17.jpg"));
    let (rect, _) = engine.detect(&guest)[0];
    let margin = rect.width() / 2;
    let (left, top) = ((rect.left - margin).max(0) as u32, (rect.top - margin).max(0) as u32);
    let side = (rect.width() + 2 * margin) as u32;
    let side = side.min(guest.width() - left).min(guest.height() - top);
    let crop = image::imageops::crop_imm(&guest, left, top, side, side).to_image();
    let scaled = (f64::from(side) * 110.0 / rect.width() as f64).round() as u32;
    let face = image::imageops::resize(&crop, scaled, scaled, image::imageops::FilterType::Triangle);
    let mut out = selfie.clone();
    image::imageops::overlay(&mut out, &face, 20, i64::from(selfie.height() - scaled - 20));
    out
}
