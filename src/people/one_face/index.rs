//! The in-memory 1:N face index: every enrolled descriptor, scanned whole for each search
//! (exact: no approximate-neighbour structure can miss a match).
//!
//! Memory. 128 f32 per face would be 512 MB at a million faces; each descriptor is kept
//! instead as 128 signed bytes with its own scale (`x ≈ scale · code`, the scale taken from
//! the largest component), plus the exact length of what the rounding lost, `err = |x − x̂|`:
//! 156 bytes a face with its id, about 150 MB at a million.
//!
//! Exactness. The query stays in f32; for a stored face the scan computes the distance to the
//! quantized face x̂, and by the triangle inequality the true distance differs from it by at
//! most `err`. So every face whose true distance is under the threshold has a scanned distance
//! under `threshold + err` (plus a margin for f32 rounding): the scan's candidates contain
//! every match, and the caller decides each candidate on its exact, decrypted descriptor. The
//! tests check this against a brute-force scan of the exact descriptors.

use std::collections::HashMap;

use zhujian_face::Descriptor;

const DIM: usize = 128;
/// Lanes of the scan's accumulators: independent sums the compiler keeps in vector registers.
const LANES: usize = 16;
/// Added to each face's bound for the rounding of the f32 arithmetic (whose error is orders of
/// magnitude smaller; a wider margin only costs an exact comparison more, never a miss).
const ROUNDING_MARGIN: f32 = 1e-3;
/// Below this many faces one thread scans; above it the scan is split over threads.
const PARALLEL_FROM: usize = 65_536;

/// A face the scan could not rule out: its true distance may be under the threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub person: u128,
    /// Distance to the quantized face; the true one is within `err` of it.
    pub approximate: f32,
}

/// One change to apply: a person's current face, or none (removed).
pub struct Change {
    pub person: u128,
    pub face: Option<Descriptor>,
}

/// The faces, in parallel arrays (one entry per person).
#[derive(Default)]
pub struct FaceIndex {
    people: Vec<u128>,
    codes: Vec<i8>,
    /// Per face: scale, Σ code² (exact in f32: at most 128·127²), err.
    meta: Vec<[f32; 3]>,
}

/// A descriptor quantized: its codes, scale, Σ code² and the rounding's length (rounded up).
fn quantize(face: &Descriptor) -> ([i8; DIM], [f32; 3]) {
    let largest = face.iter().fold(0f32, |m, x| m.max(x.abs()));
    let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
    let mut codes = [0i8; DIM];
    let (mut squares, mut lost) = (0f32, 0f64);
    for (code, &x) in codes.iter_mut().zip(face) {
        let c = (x / scale).round().clamp(-127.0, 127.0);
        *code = c as i8;
        squares += c * c;
        let d = f64::from(x) - f64::from(scale) * f64::from(c);
        lost += d * d;
    }
    // Rounded up so the bound holds whatever the last bits.
    let err = (lost.sqrt() * (1.0 + 1e-6) + 1e-7) as f32;
    (codes, [scale, squares, err])
}

/// |q − scale·code|², from |q|², the dot product q·code and Σ code².
#[inline]
fn approximate_squared(query: &Descriptor, query_squared: f32, codes: &[i8], meta: &[f32; 3]) -> f32 {
    let mut acc = [0f32; LANES];
    for (q, c) in query.chunks_exact(LANES).zip(codes.chunks_exact(LANES)) {
        for lane in 0..LANES {
            acc[lane] += q[lane] * f32::from(c[lane]);
        }
    }
    let dot: f32 = acc.iter().sum();
    let [scale, squares, _] = *meta;
    query_squared - 2.0 * scale * dot + scale * scale * squares
}

impl FaceIndex {
    pub fn len(&self) -> usize {
        self.people.len()
    }

    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// Bytes the index holds (its arrays' capacity).
    pub fn memory_bytes(&self) -> usize {
        self.people.capacity() * std::mem::size_of::<u128>()
            + self.codes.capacity()
            + self.meta.capacity() * std::mem::size_of::<[f32; 3]>()
    }

    /// Room for `more` faces without reallocating.
    pub fn reserve(&mut self, more: usize) {
        self.people.reserve(more);
        self.codes.reserve(more * DIM);
        self.meta.reserve(more);
    }

    fn push(&mut self, person: u128, face: &Descriptor) {
        let (codes, meta) = quantize(face);
        self.people.push(person);
        self.codes.extend_from_slice(&codes);
        self.meta.push(meta);
    }

    fn set(&mut self, at: usize, face: &Descriptor) {
        let (codes, meta) = quantize(face);
        self.codes[at * DIM..(at + 1) * DIM].copy_from_slice(&codes);
        self.meta[at] = meta;
    }

    fn swap_remove(&mut self, at: usize) {
        let last = self.people.len() - 1;
        self.people.swap_remove(at);
        self.meta.swap_remove(at);
        if at != last {
            self.codes.copy_within(last * DIM..(last + 1) * DIM, at * DIM);
        }
        self.codes.truncate(last * DIM);
    }

    /// Applies a batch of changes (each person at most once): one pass over the index finds
    /// the faces already held, whatever the batch's size.
    pub fn apply(&mut self, changes: &[Change]) {
        let wanted: HashMap<u128, usize> = changes.iter().enumerate().map(|(i, c)| (c.person, i)).collect();
        let mut held = vec![None; changes.len()];
        if !self.people.is_empty() {
            for (at, person) in self.people.iter().enumerate() {
                if let Some(&i) = wanted.get(person) {
                    held[i] = Some(at);
                }
            }
        }
        let mut removals = Vec::new();
        for (change, at) in changes.iter().zip(&held) {
            match (&change.face, at) {
                (Some(face), Some(at)) => self.set(*at, face),
                (Some(face), None) => self.push(change.person, face),
                (None, Some(at)) => removals.push(*at),
                (None, None) => {}
            }
        }
        // Highest first: a swap brings in the last face, never one still to be removed.
        removals.sort_unstable_by(|a, b| b.cmp(a));
        for at in removals {
            self.swap_remove(at);
        }
    }

    /// The faces whose true distance to `query` may be under `threshold`, nearest first by
    /// scanned distance. Every face truly under the threshold is among them.
    pub fn candidates(&self, query: &Descriptor, threshold: f32) -> Vec<Candidate> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        let mut found = if self.len() < PARALLEL_FROM || threads == 1 {
            self.scan(query, threshold, 0..self.len())
        } else {
            let step = self.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let parts: Vec<_> = (0..threads)
                    .map(|t| {
                        let range = t * step..((t + 1) * step).min(self.len());
                        scope.spawn(move || self.scan(query, threshold, range))
                    })
                    .collect();
                parts.into_iter().flat_map(|p| p.join().expect("scan thread")).collect()
            })
        };
        found.sort_by(|a, b| a.approximate.total_cmp(&b.approximate));
        found
    }

    fn scan(&self, query: &Descriptor, threshold: f32, range: std::ops::Range<usize>) -> Vec<Candidate> {
        let query_squared: f32 = query.iter().map(|x| x * x).sum();
        let mut found = Vec::new();
        let codes = self.codes[range.start * DIM..range.end * DIM].chunks_exact(DIM);
        for ((person, meta), codes) in self.people[range.clone()].iter().zip(&self.meta[range]).zip(codes) {
            let squared = approximate_squared(query, query_squared, codes, meta);
            let bound = threshold + meta[2] + ROUNDING_MARGIN;
            if squared < bound * bound {
                found.push(Candidate {
                    person: *person,
                    approximate: squared.max(0.0).sqrt(),
                });
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random descriptors shaped like dlib's (components of about ±0.1,
    /// length about 1).
    pub(crate) fn synthetic(seed: u64) -> Descriptor {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut d = [0f32; DIM];
        for x in d.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *x = ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.3;
        }
        d
    }

    fn distance(a: &Descriptor, b: &Descriptor) -> f32 {
        zhujian_face::distance(a, b)
    }

    fn near(base: &Descriptor, by: f32, seed: u64) -> Descriptor {
        let noise = synthetic(seed);
        let length = noise.iter().map(|x| x * x).sum::<f32>().sqrt();
        let mut d = *base;
        for (x, n) in d.iter_mut().zip(noise) {
            *x += n / length * by;
        }
        d
    }

    fn index_of(faces: &[Descriptor]) -> FaceIndex {
        let mut index = FaceIndex::default();
        let changes: Vec<Change> = faces
            .iter()
            .enumerate()
            .map(|(i, f)| Change {
                person: i as u128,
                face: Some(*f),
            })
            .collect();
        index.apply(&changes);
        index
    }

    #[test]
    fn quantization_bounds_the_error() {
        for seed in 0..200 {
            let face = synthetic(seed);
            let (codes, [scale, _, err]) = quantize(&face);
            let restored: Vec<f32> = codes.iter().map(|&c| scale * f32::from(c)).collect();
            let lost: f32 = face
                .iter()
                .zip(&restored)
                .map(|(x, r)| (x - r) * (x - r))
                .sum::<f32>()
                .sqrt();
            assert!(lost <= err && err < 0.01, "{lost} {err}");
        }
        let (codes, [_, squares, err]) = quantize(&[0.0; DIM]);
        assert!(codes.iter().all(|&c| c == 0) && squares == 0.0 && err < 1e-6);
    }

    /// Every face truly within the threshold is a candidate, at any distance from it, and the
    /// scanned distances are close to the true ones.
    #[test]
    fn the_scan_misses_no_match() {
        let base = synthetic(7);
        let threshold = 0.5;
        let mut faces: Vec<Descriptor> = (0..2000).map(|i| synthetic(1000 + i)).collect();
        // Faces around the threshold, on both sides of it.
        for (i, by) in [0.1, 0.3, 0.45, 0.49, 0.499, 0.4999, 0.5, 0.5001, 0.501, 0.51, 0.6]
            .iter()
            .enumerate()
        {
            faces.push(near(&base, *by, 50 + i as u64));
        }
        let index = index_of(&faces);
        let found = index.candidates(&base, threshold);
        for (i, face) in faces.iter().enumerate() {
            let exact = distance(&base, face);
            let candidate = found.iter().find(|c| c.person == i as u128);
            if exact < threshold {
                assert!(candidate.is_some(), "face {i} at {exact} missed");
            }
            if let Some(c) = candidate {
                assert!((c.approximate - exact).abs() < 0.01, "{} vs {exact}", c.approximate);
            }
        }
        assert!(found.len() < 20, "{} candidates", found.len());
        assert!(found.windows(2).all(|w| w[0].approximate <= w[1].approximate));
    }

    #[test]
    fn the_parallel_scan_finds_what_one_thread_finds() {
        let faces: Vec<Descriptor> = (0..PARALLEL_FROM as u64 + 5000).map(synthetic).collect();
        let index = index_of(&faces);
        let query = near(&faces[70_000 % faces.len()], 0.3, 3);
        let all = index.candidates(&query, 0.5);
        let single = index.scan(&query, 0.5, 0..index.len());
        assert_eq!(all.len(), single.len());
        assert!(all.iter().any(|c| c.person == (70_000 % faces.len()) as u128));
    }

    #[test]
    fn changes_replace_and_remove_faces() {
        let faces: Vec<Descriptor> = (0..10).map(synthetic).collect();
        let mut index = index_of(&faces);
        assert_eq!(index.len(), 10);
        let moved = synthetic(99);
        index.apply(&[
            Change {
                person: 3,
                face: Some(moved),
            },
            Change { person: 0, face: None },
            Change { person: 9, face: None },
            Change { person: 42, face: None },
            Change {
                person: 10,
                face: Some(synthetic(100)),
            },
        ]);
        assert_eq!(index.len(), 9);
        let people = |q: &Descriptor| -> Vec<u128> { index.candidates(q, 0.05).iter().map(|c| c.person).collect() };
        assert_eq!(people(&moved), [3]);
        assert!(people(&faces[3]).is_empty());
        assert!(people(&faces[0]).is_empty() && people(&faces[9]).is_empty());
        for i in [1, 2, 4, 5, 6, 7, 8] {
            assert_eq!(people(&faces[i]), [i as u128]);
        }
        assert_eq!(people(&synthetic(100)), [10]);
        assert_eq!(index.codes.len(), 9 * DIM);
    }
}
