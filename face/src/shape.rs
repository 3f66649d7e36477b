//! The 5-point shape predictor (`shape_predictor_5_face_landmarks.dat`): a cascade of
//! regression-tree forests over pixel-intensity differences (Kazemi & Sullivan), run as dlib's
//! `shape_predictor::operator()` does.

use image::RgbImage;

use crate::dlib::Reader;
use crate::geometry::{round, similarity, Point, Rect};
use crate::ModelError;

/// Compact (12 bytes), so that a cascade's splits stay in cache.
struct Split {
    idx1: u32,
    idx2: u32,
    threshold: f32,
}

struct Tree {
    splits: Vec<Split>,
    /// Every leaf's shape offsets, one after the other (each as long as the shape).
    leaves: Vec<f32>,
}

/// One cascade's forest, flattened: the trees are complete and of one depth in dlib's model
/// (checked when parsed), so tree t's splits and leaves sit at fixed offsets of two arrays that
/// are read front to back, without a pointer to follow per tree.
struct Cascade {
    trees: usize,
    /// Splits per tree.
    splits_per_tree: usize,
    splits: Vec<Split>,
    /// Leaves per tree × shape length values per tree.
    leaves: Vec<f32>,
    anchors: Vec<usize>,
    deltas: Vec<[f32; 2]>,
}

impl Cascade {
    fn new(trees: Vec<Tree>, anchors: Vec<usize>, deltas: Vec<[f32; 2]>) -> Option<Cascade> {
        let splits_per_tree = trees.first().map_or(0, |t| t.splits.len());
        if trees.iter().any(|t| t.splits.len() != splits_per_tree) {
            return None;
        }
        Some(Cascade {
            trees: trees.len(),
            splits_per_tree,
            leaves: trees.iter().flat_map(|t| t.leaves.iter().copied()).collect(),
            splits: trees.into_iter().flat_map(|t| t.splits).collect(),
            anchors,
            deltas,
        })
    }
}

pub struct ShapePredictor {
    /// Normalised mean shape, (x0, y0, x1, y1, …).
    initial: Vec<f32>,
    cascades: Vec<Cascade>,
}

/// Landmarks in image pixels.
pub type Landmarks = Vec<(i64, i64)>;

impl ShapePredictor {
    pub fn parse(bytes: &[u8]) -> Result<ShapePredictor, ModelError> {
        let mut r = Reader::new(bytes, "shape_predictor_5_face_landmarks.dat");
        if r.int()? != 1 {
            return Err(r.error("unknown shape predictor version"));
        }
        let (_, _, initial) = r.matrix_f32()?;
        let mut forests = Vec::new();
        for _ in 0..r.usize()? {
            let mut trees = Vec::new();
            for _ in 0..r.usize()? {
                let mut splits = Vec::new();
                for _ in 0..r.usize()? {
                    // Checked against the cascade's features below (u32::MAX never passes).
                    let index = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
                    let (idx1, idx2) = (r.usize()?, r.usize()?);
                    splits.push(Split {
                        idx1: index(idx1),
                        idx2: index(idx2),
                        threshold: r.float()? as f32,
                    });
                }
                let count = r.usize()?;
                let mut leaves = Vec::with_capacity(count * initial.len());
                for _ in 0..count {
                    let leaf = r.matrix_f32()?.2;
                    if leaf.len() != initial.len() {
                        return Err(r.error("malformed regression tree"));
                    }
                    leaves.extend(leaf);
                }
                if count != splits.len() + 1 {
                    return Err(r.error("malformed regression tree"));
                }
                trees.push(Tree { splits, leaves });
            }
            forests.push(trees);
        }
        let mut anchors = Vec::new();
        for _ in 0..r.usize()? {
            let n = r.usize()?;
            anchors.push((0..n).map(|_| r.usize()).collect::<Result<Vec<_>, _>>()?);
        }
        let mut deltas = Vec::new();
        for _ in 0..r.usize()? {
            let n = r.usize()?;
            deltas.push(
                (0..n)
                    .map(|_| Ok([r.float()? as f32, r.float()? as f32]))
                    .collect::<Result<Vec<_>, ModelError>>()?,
            );
        }
        if anchors.len() != forests.len() || deltas.len() != forests.len() {
            return Err(r.error("cascade tables differ in length"));
        }
        let features_read = |(trees, anchors): (&Vec<Tree>, &Vec<usize>)| {
            trees
                .iter()
                .flat_map(|t| &t.splits)
                .all(|s| (s.idx1 as usize) < anchors.len() && (s.idx2 as usize) < anchors.len())
        };
        if !forests.iter().zip(&anchors).all(features_read) {
            return Err(r.error("a split reads a feature the cascade does not have"));
        }
        let cascades = forests
            .into_iter()
            .zip(anchors.into_iter().zip(deltas))
            .map(|(trees, (anchors, deltas))| Cascade::new(trees, anchors, deltas))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| r.error("the trees of a cascade differ in depth"))?;
        Ok(ShapePredictor { initial, cascades })
    }

    pub fn points(&self) -> usize {
        self.initial.len() / 2
    }

    pub fn predict(&self, img: &RgbImage, rect: Rect) -> Landmarks {
        let (l, t) = (rect.left as f64, rect.top as f64);
        let (w, h) = ((rect.right - rect.left) as f64, (rect.bottom - rect.top) as f64);
        let to_image = |x: f32, y: f32| (round(l + f64::from(x) * w), round(t + f64::from(y) * h));
        let reference = points(&self.initial);
        let mut shape = self.initial.clone();
        let mut features = Vec::new();
        for cascade in &self.cascades {
            let m = similarity(&reference, &points(&shape)).m;
            let m = [[m[0][0] as f32, m[0][1] as f32], [m[1][0] as f32, m[1][1] as f32]];
            pixel_features(img, cascade, &shape, m, (l, t, w, h), &mut features);
            cascade.add_leaves(&features, &mut shape);
        }
        shape.chunks_exact(2).map(|c| to_image(c[0], c[1])).collect()
    }
}

impl Cascade {
    /// Adds the leaf each tree reaches to `shape`.
    fn add_leaves(&self, features: &[f32], shape: &mut [f32]) {
        let n = shape.len();
        let per_tree = self.splits_per_tree;
        let leaves_per_tree = (per_tree + 1) * n;
        for tree in 0..self.trees {
            let splits = &self.splits[tree * per_tree..][..per_tree];
            let mut i = 0;
            while i < per_tree {
                let s = &splits[i];
                i = if features[s.idx1 as usize] - features[s.idx2 as usize] > s.threshold {
                    2 * i + 1
                } else {
                    2 * i + 2
                };
            }
            let leaf = &self.leaves[tree * leaves_per_tree + (i - per_tree) * n..][..n];
            for (v, d) in shape.iter_mut().zip(leaf) {
                *v += d;
            }
        }
    }
}

fn points(s: &[f32]) -> Vec<Point> {
    s.chunks_exact(2)
        .map(|c| Point {
            x: f64::from(c[0]),
            y: f64::from(c[1]),
        })
        .collect()
}

crate::simd::with_avx2! {
    /// The grey level at each of the cascade's feature points (its anchor landmark moved by
    /// its delta, turned and scaled by `m`), 0 outside the image; `rect` is the face box
    /// (left, top, width, height). Compiled for AVX2 too, where rounding is an instruction.
    fn pixel_features(
        img: &RgbImage,
        cascade: &Cascade,
        shape: &[f32],
        m: [[f32; 2]; 2],
        rect: (f64, f64, f64, f64),
        features: &mut Vec<f32>,
    ) {
        let (l, t, w, h) = rect;
        let (width, height) = (img.width(), img.height());
        features.clear();
        for (anchor, delta) in cascade.anchors.iter().zip(&cascade.deltas) {
            let x = m[0][0] * delta[0] + m[0][1] * delta[1] + shape[2 * anchor];
            let y = m[1][0] * delta[0] + m[1][1] * delta[1] + shape[2 * anchor + 1];
            let (px, py) = (round(l + f64::from(x) * w), round(t + f64::from(y) * h));
            let inside = px >= 0 && py >= 0 && (px as u32) < width && (py as u32) < height;
            features.push(if inside {
                intensity(img.get_pixel(px as u32, py as u32).0)
            } else {
                0.0
            });
        }
    }
}

/// dlib's grey level of an RGB pixel: the integer mean of the three channels.
#[inline(always)]
fn intensity(p: [u8; 3]) -> f32 {
    ((u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) / 3) as f32
}
