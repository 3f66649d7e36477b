//! The engine's stages next to dlib's own on identical pixels: each stage of each photo is run
//! `ITERATIONS` times by both (dlib through `benches/dlib/stages.cpp`, built by
//! `scripts/bench.sh` when Debian's libdlib-dev is installed, on one BLAS thread), each taking
//! what dlib's previous stage produced: the whole photo for the detectors, the CNN's first box
//! for the landmarks, those landmarks for the chip, that chip for the descriptor.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use image::RgbImage;

use super::Models;

const ITERATIONS: usize = 7;

/// Process CPU time (user + system, all threads) so far, from /proc/self/stat, in ms.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: the 12th and 13th after the name.
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) * 10.0
}

fn median_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

/// dlib's medians by (stage, photo).
fn dlib_medians(
    program: &Path,
    models: &Path,
    photos: &[(String, std::path::PathBuf)],
) -> Option<HashMap<(String, String), f64>> {
    let output = Command::new(program)
        .arg(models)
        .arg(ITERATIONS.to_string())
        .args(photos.iter().map(|(_, p)| p))
        .env("OPENBLAS_NUM_THREADS", "1")
        .output()
        .ok()?;
    if !output.status.success() {
        println!("  dlib's program failed: {}", String::from_utf8_lossy(&output.stderr));
        return None;
    }
    let mut medians = HashMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let mut fields = line.split_whitespace();
        let (Some(stage), Some(path)) = (fields.next(), fields.next()) else {
            continue;
        };
        let name = photos.iter().find(|(_, p)| p.to_str() == Some(path))?.0.clone();
        let samples: Vec<Duration> = fields
            .filter_map(|v| v.parse::<f64>().ok())
            .map(|ms| Duration::from_secs_f64(ms / 1000.0))
            .collect();
        medians.insert((stage.to_owned(), name), median_ms(samples));
    }
    Some(medians)
}

/// This engine's medians by (stage, photo), and the HOG detector's CPU time per photo.
fn own_medians(m: &Models, photos: &[(String, RgbImage)]) -> (HashMap<(String, String), f64>, HashMap<String, f64>) {
    let mut medians = HashMap::new();
    let mut hog_cpu = HashMap::new();
    let mut put = |stage: &str, name: &str, samples: Vec<Duration>| {
        medians.insert((stage.to_owned(), name.to_owned()), median_ms(samples));
    };
    // Sub-millisecond stages (landmarks, chip) run ten times as often, as in stages.cpp.
    let repeat_n = |times: usize, f: &mut dyn FnMut()| -> Vec<Duration> {
        (0..times)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .collect()
    };
    let repeat = |f: &mut dyn FnMut()| repeat_n(ITERATIONS, f);
    for (name, img) in photos {
        let cpu = cpu_ms();
        put(
            "hog",
            name,
            repeat(&mut || drop(std::hint::black_box(m.hog.detect(img)))),
        );
        hog_cpu.insert(name.clone(), (cpu_ms() - cpu) / ITERATIONS as f64);
        let mut found = Vec::new();
        put("cnn", name, repeat(&mut || found = m.cnn.detect(img)));
        let Some(first) = found.first() else { continue };
        let mut landmarks = Vec::new();
        put(
            "landmarks",
            name,
            repeat_n(10 * ITERATIONS, &mut || landmarks = m.shape.predict(img, first.rect)),
        );
        let mut chip = Vec::new();
        put(
            "chip",
            name,
            repeat_n(10 * ITERATIONS, &mut || {
                chip = zhujian_face::face_chip(img, &landmarks, zhujian_face::CHIP_SIZE, 0.25)
            }),
        );
        put(
            "descriptor",
            name,
            repeat(&mut || {
                std::hint::black_box(m.net.descriptor(&chip));
            }),
        );
    }
    (medians, hog_cpu)
}

pub fn compare(m: &Models, models: &Path, selfie: &RgbImage) {
    println!(
        "stages on identical pixels, this engine vs dlib 19.24 ({ITERATIONS} runs each, landmarks and chip {}, medians):",
        10 * ITERATIONS
    );
    let Some(program) = std::env::var_os("ZHUJIAN_DLIB_STAGES") else {
        println!("  skipped: dlib's program is built by scripts/bench.sh when libdlib-dev is installed");
        return;
    };
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("face/tests/fixtures");
    let scratch = std::env::temp_dir().join(format!("zhujian-dlib-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let selfie_png = scratch.join("selfie-1280x960.png");
    selfie.save(&selfie_png).unwrap();
    let mut files: Vec<(String, std::path::PathBuf)> = ["img1.png", "img2.png", "img3.png", "img17.png"]
        .iter()
        .map(|n| (n.to_string(), fixtures.join(n)))
        .collect();
    files.push(("selfie 1280×960".into(), selfie_png));
    let photos: Vec<(String, RgbImage)> = files.iter().map(|(n, p)| (n.clone(), super::load_photo(p))).collect();
    let dlib = dlib_medians(Path::new(&program), models, &files);
    let _ = std::fs::remove_dir_all(&scratch);
    let Some(dlib) = dlib else { return };
    let (own, hog_cpu) = own_medians(m, &photos);
    println!("  stage        photo              dlib ms    ours ms   ours/dlib");
    for stage in ["hog", "cnn", "landmarks", "chip", "descriptor"] {
        for (name, _) in &files {
            let key = (stage.to_owned(), name.clone());
            let (Some(d), Some(o)) = (dlib.get(&key), own.get(&key)) else {
                continue;
            };
            println!("  {stage:<12} {name:<16} {d:>9.2}  {o:>9.2}   {:>8.2}×", o / d);
        }
    }
    println!("  (the HOG detector runs on two threads; its CPU time per photo, ms:");
    for (name, _) in &files {
        println!("     {name:<16} {:>7.1}", hog_cpu.get(name).copied().unwrap_or(0.0));
    }
    println!("  )");
}
