//! The 5-point shape predictor (`shape_predictor_5_face_landmarks.dat`): a cascade of
//! regression-tree forests over pixel-intensity differences (Kazemi & Sullivan), run as dlib's
//! `shape_predictor::operator()` does.

use image::RgbImage;

use crate::dlib::Reader;
use crate::geometry::{round, similarity, Point, Rect};
use crate::ModelError;

struct Split {
    idx1: usize,
    idx2: usize,
    threshold: f32,
}

struct Tree {
    splits: Vec<Split>,
    leaves: Vec<Vec<f32>>,
}

struct Cascade {
    trees: Vec<Tree>,
    anchors: Vec<usize>,
    deltas: Vec<[f32; 2]>,
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
                    splits.push(Split {
                        idx1: r.usize()?,
                        idx2: r.usize()?,
                        threshold: r.float()? as f32,
                    });
                }
                let mut leaves = Vec::new();
                for _ in 0..r.usize()? {
                    leaves.push(r.matrix_f32()?.2);
                }
                if leaves.len() != splits.len() + 1 || leaves.iter().any(|l| l.len() != initial.len()) {
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
        let cascades = forests
            .into_iter()
            .zip(anchors.into_iter().zip(deltas))
            .map(|(trees, (anchors, deltas))| Cascade { trees, anchors, deltas })
            .collect();
        Ok(ShapePredictor { initial, cascades })
    }

    pub fn points(&self) -> usize {
        self.initial.len() / 2
    }

    pub fn predict(&self, img: &RgbImage, rect: Rect) -> Landmarks {
        let (l, t) = (rect.left as f64, rect.top as f64);
        let (w, h) = ((rect.right - rect.left) as f64, (rect.bottom - rect.top) as f64);
        let to_image = |x: f32, y: f32| (round(l + f64::from(x) * w), round(t + f64::from(y) * h));
        let points = |s: &[f32]| {
            s.chunks_exact(2)
                .map(|c| Point {
                    x: f64::from(c[0]),
                    y: f64::from(c[1]),
                })
                .collect::<Vec<_>>()
        };
        let reference = points(&self.initial);
        let mut shape = self.initial.clone();
        let mut features = Vec::new();
        for cascade in &self.cascades {
            let m = similarity(&reference, &points(&shape)).m;
            let m = [[m[0][0] as f32, m[0][1] as f32], [m[1][0] as f32, m[1][1] as f32]];
            features.clear();
            for (anchor, delta) in cascade.anchors.iter().zip(&cascade.deltas) {
                let x = m[0][0] * delta[0] + m[0][1] * delta[1] + shape[2 * anchor];
                let y = m[1][0] * delta[0] + m[1][1] * delta[1] + shape[2 * anchor + 1];
                let (px, py) = to_image(x, y);
                let inside = px >= 0 && py >= 0 && (px as u32) < img.width() && (py as u32) < img.height();
                features.push(if inside {
                    intensity(img.get_pixel(px as u32, py as u32).0)
                } else {
                    0.0
                });
            }
            for tree in &cascade.trees {
                let mut i = 0;
                while i < tree.splits.len() {
                    let s = &tree.splits[i];
                    i = if features[s.idx1] - features[s.idx2] > s.threshold {
                        2 * i + 1
                    } else {
                        2 * i + 2
                    };
                }
                for (v, d) in shape.iter_mut().zip(&tree.leaves[i - tree.splits.len()]) {
                    *v += d;
                }
            }
        }
        shape.chunks_exact(2).map(|c| to_image(c[0], c[1])).collect()
    }
}

/// dlib's grey level of an RGB pixel: the integer mean of the three channels.
fn intensity(p: [u8; 3]) -> f32 {
    ((u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) / 3) as f32
}
