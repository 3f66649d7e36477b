//! The 1:N face index (issue 13, part 4): search latency, memory and start-up load at 100,000
//! and 1,000,000 enrolled faces, and correctness on real descriptors.
//!
//! - Correctness: the 25 labelled deepface photos are described by the face engine and put
//!   among 100,000 synthetic faces; every labelled pair (299) must be found by the index
//!   (candidates, then the exact distance) exactly when its exact distance is under the
//!   threshold, and for random queries the candidates must include every face a brute-force
//!   scan of the exact descriptors finds.
//! - Synthetic faces follow the real ones' per-component mean and spread (Gaussian).
//! - Search: the server's call (`FaceIndex::candidates`, split over the machine's threads),
//!   p50 and p99 over 200 queries, half of them near-duplicates of an enrolled face.
//! - Memory: the index's own bytes, and the growth of the process's resident set while it
//!   was built.
//! - Start-up: 100,000 faces loaded from a SQLite database by `SharedIndex::load` (sealed
//!   faces opened, quantized); 1,000,000 from sealed faces in memory (seeding a million rows
//!   for each run is slow; the per-face cost is the same opening and quantizing).
//!
//! Run with `./scripts/bench.sh face_index`. Target at 1,000,000: p99 under 100 ms, under
//! 300 MB resident for the index.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use zhujian::people::one_face::index::{Change, FaceIndex};
use zhujian::platform::crypto::Keys;
use zhujian_face::{distance, Descriptor};

const THRESHOLD: f32 = 0.5;

fn models() -> PathBuf {
    std::env::var("ZHUJIAN_FACE_MODELS_DIR")
        .expect("ZHUJIAN_FACE_MODELS_DIR is not set; run ./scripts/bench.sh face_index")
        .into()
}

fn faces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/faces/deepface")
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// xorshift64*, and Gaussian pairs by Box–Muller.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn gaussian(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
}

/// Per-component mean and spread of the real descriptors.
struct Shape {
    mean: [f32; 128],
    spread: [f32; 128],
}

impl Shape {
    fn of(real: &[Descriptor]) -> Shape {
        let n = real.len() as f32;
        let (mut mean, mut spread) = ([0f32; 128], [0f32; 128]);
        for d in real {
            for i in 0..128 {
                mean[i] += d[i] / n;
            }
        }
        for d in real {
            for i in 0..128 {
                spread[i] += (d[i] - mean[i]).powi(2) / n;
            }
        }
        for s in spread.iter_mut() {
            *s = s.sqrt();
        }
        Shape { mean, spread }
    }

    fn draw(&self, rng: &mut Rng) -> Descriptor {
        let mut d = [0f32; 128];
        for ((x, mean), spread) in d.iter_mut().zip(&self.mean).zip(&self.spread) {
            *x = mean + spread * rng.gaussian() as f32;
        }
        d
    }
}

/// A face `by` away from `base` in a random direction.
fn near(base: &Descriptor, by: f32, rng: &mut Rng) -> Descriptor {
    let step: Vec<f32> = (0..128).map(|_| rng.gaussian() as f32).collect();
    let length = step.iter().map(|x| x * x).sum::<f32>().sqrt();
    let mut d = *base;
    for (x, s) in d.iter_mut().zip(step) {
        *x += s / length * by;
    }
    d
}

/// The labelled photos, described by the face engine.
fn real_faces() -> Vec<(String, Descriptor)> {
    let engine = zhujian::face::load_engine(&models()).unwrap();
    let settings = zhujian::platform::config::Settings::default();
    let quality = zhujian::face::quality(&settings.face);
    let mut names: Vec<String> = std::fs::read_dir(faces_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".jpg"))
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|name| {
            let photo = std::fs::read(faces_dir().join(&name)).unwrap();
            match zhujian::face::describe(&engine, &quality, &photo) {
                Ok(d) => Some((name, d)),
                Err(e) => {
                    println!("  {name}: not described ({e:?}), left out");
                    None
                }
            }
        })
        .collect()
}

fn build(faces: impl Iterator<Item = (u128, Descriptor)>, reserve: usize) -> FaceIndex {
    let mut index = FaceIndex::default();
    index.reserve(reserve);
    let mut batch = Vec::with_capacity(10_000);
    for (person, face) in faces {
        batch.push(Change {
            person,
            face: Some(face),
        });
        if batch.len() == 10_000 {
            index.apply(&batch);
            batch.clear();
        }
    }
    index.apply(&batch);
    index
}

/// The index's answer: the candidates decided on their exact descriptors.
fn matches(index: &FaceIndex, exact: &dyn Fn(u128) -> Descriptor, query: &Descriptor) -> Vec<u128> {
    index
        .candidates(query, THRESHOLD)
        .into_iter()
        .filter(|c| distance(&exact(c.person), query) < THRESHOLD)
        .map(|c| c.person)
        .collect()
}

fn correctness(real: &[(String, Descriptor)], shape: &Shape) {
    println!("correctness on real descriptors ({} photos described)", real.len());
    let mut rng = Rng(0x5eed);
    let synthetic: Vec<Descriptor> = (0..100_000).map(|_| shape.draw(&mut rng)).collect();
    // Real faces take ids 1_000_000 + their position.
    let all = synthetic
        .iter()
        .enumerate()
        .map(|(i, d)| (i as u128, *d))
        .chain(real.iter().enumerate().map(|(i, (_, d))| (1_000_000 + i as u128, *d)));
    let index = build(all, 100_000 + real.len());
    let exact = |person: u128| -> Descriptor {
        if person >= 1_000_000 {
            real[(person - 1_000_000) as usize].1
        } else {
            synthetic[person as usize]
        }
    };
    let csv = std::fs::read_to_string(faces_dir().join("master.csv")).unwrap();
    let (mut pairs, mut agree, mut same_found, mut same) = (0, 0, 0, 0);
    for line in csv.lines().skip(1) {
        let [x, y, decision] = line.split(',').collect::<Vec<_>>()[..] else {
            continue;
        };
        let (Some(ix), Some(iy)) = (real.iter().position(|r| r.0 == x), real.iter().position(|r| r.0 == y)) else {
            continue;
        };
        pairs += 1;
        let truly = distance(&real[ix].1, &real[iy].1) < THRESHOLD;
        let found = matches(&index, &exact, &real[ix].1).contains(&(1_000_000 + iy as u128));
        agree += usize::from(truly == found);
        if decision == "Yes" {
            same += 1;
            same_found += usize::from(found);
        }
    }
    println!("  labelled pairs: {pairs}; the index agrees with the exact distance on {agree}");
    println!("  same-person pairs found as matches: {same_found} of {same} (the engine's own recall at {THRESHOLD})");
    assert_eq!(agree, pairs, "the index disagrees with the exact distance");
    let mut missed = 0;
    let mut synthetic_matches = 0;
    for q in 0..200 {
        let query = if q % 2 == 0 {
            near(
                &synthetic[(rng.next() % 100_000) as usize],
                0.3 + 0.2 * rng.uniform() as f32,
                &mut rng,
            )
        } else {
            shape.draw(&mut rng)
        };
        let brute: Vec<u128> = (0..100_000u128)
            .chain((0..real.len() as u128).map(|i| 1_000_000 + i))
            .filter(|p| distance(&exact(*p), &query) < THRESHOLD)
            .collect();
        let found = matches(&index, &exact, &query);
        synthetic_matches += brute.len();
        missed += brute.iter().filter(|p| !found.contains(p)).count();
        assert!(found.iter().all(|p| brute.contains(p)));
    }
    println!("  200 queries against brute force: {synthetic_matches} matches, {missed} missed");
    assert_eq!(missed, 0);
}

fn search_at(n: usize, shape: &Shape) {
    let mut rng = Rng(n as u64);
    let before = memory::status_mb("VmRSS");
    let started = Instant::now();
    let mut kept = Vec::with_capacity(100);
    let index = build(
        (0..n).map(|i| {
            let d = shape.draw(&mut rng);
            if i % (n / 100) == 0 {
                kept.push(d);
            }
            (i as u128, d)
        }),
        n,
    );
    let built = started.elapsed();
    let grown = memory::status_mb("VmRSS") - before;
    let mut times = Vec::new();
    let mut found = 0;
    for q in 0..200 {
        let query = if q % 2 == 0 {
            near(&kept[q / 2 % kept.len()], 0.2, &mut rng)
        } else {
            shape.draw(&mut rng)
        };
        let started = Instant::now();
        found += index.candidates(&query, THRESHOLD).len();
        times.push(started.elapsed());
    }
    times.sort();
    let at = |p: f64| millis(times[((times.len() - 1) as f64 * p).round() as usize]);
    println!(
        "{n:>9} faces: search p50 {:.1} ms, p99 {:.1} ms ({} threads); index {:.0} MB, resident growth {:.0} MB; \
         built in memory in {:.2} s; {found} candidates over 200 queries",
        at(0.5),
        at(0.99),
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(8),
        index.memory_bytes() as f64 / 1e6,
        grown,
        built.as_secs_f64(),
    );
}

/// Start-up from sealed faces in memory: open, quantize, apply (what `load` does per row).
fn load_from_sealed(n: usize, shape: &Shape) {
    let keys = Keys::new(vec![1; 32], [7; 32]);
    let mut rng = Rng(99);
    let sealed: Vec<(String, String)> = (0..n)
        .map(|_| {
            let person = uuid::Uuid::now_v7().to_string();
            let bytes = zhujian::face::descriptor_bytes(&shape.draw(&mut rng));
            let context = zhujian::people::store::context(&person.as_str().into(), "face");
            let sealed = keys.seal(&context, &bytes);
            (person, sealed)
        })
        .collect();
    let started = Instant::now();
    let index = build(
        sealed.iter().map(|(person, sealed)| {
            let context = zhujian::people::store::context(&person.as_str().into(), "face");
            let face = zhujian::face::descriptor_from_bytes(&keys.open(&context, sealed).unwrap()).unwrap();
            (uuid::Uuid::parse_str(person).unwrap().as_u128(), face)
        }),
        n,
    );
    println!(
        "{n:>9} faces: start-up from sealed faces in memory {:.2} s ({} faces)",
        started.elapsed().as_secs_f64(),
        index.len()
    );
}

mod from_database;
#[path = "../common/memory.rs"]
mod memory;

#[tokio::main]
async fn main() {
    let real = real_faces();
    let descriptors: Vec<Descriptor> = real.iter().map(|r| r.1).collect();
    let shape = Shape::of(&descriptors);
    correctness(&real, &shape);
    from_database::load(100_000, &shape).await;
    for n in [100_000, 1_000_000] {
        search_at(n, &shape);
    }
    load_from_sealed(1_000_000, &shape);
}
