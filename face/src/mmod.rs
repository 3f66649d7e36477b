//! The CNN face detector (`mmod_human_face_detector.dat`): a 7-layer network run over a tiled
//! image pyramid, whose output map is turned into boxes and thinned by non-maximum suppression,
//! as dlib's `loss_mmod_` does.

use image::RgbImage;

use crate::geometry::{round, Rect};
use crate::net::{Input, Layer, Loss, MmodOptions, NetFile};
use crate::tensor::{relu, Conv, Tensor};
use crate::ModelError;

/// A face found in an image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    pub rect: Rect,
    /// The detector's score; above 0 is a detection.
    pub confidence: f32,
}

pub struct Mmod {
    input: Input,
    options: MmodOptions,
    /// Convolutions (affine layers folded in), each followed by relu except the last.
    convs: Vec<Conv>,
}

/// pyramid_down<6>: each level is 5/6 of the previous.
const RATE: f64 = 5.0 / 6.0;
const MIN_LEVEL_HEIGHT: usize = 5;

impl Mmod {
    pub fn parse(bytes: &[u8]) -> Result<Mmod, ModelError> {
        let file = NetFile::parse(bytes, "mmod_human_face_detector.dat")?;
        let Loss::Mmod(options) = file.loss else {
            return Err(ModelError::Structure("the detector network must end in loss_mmod"));
        };
        let mut convs = Vec::new();
        let count = file.layers.len();
        for (i, layer) in file.layers.into_iter().enumerate() {
            match layer {
                Layer::Conv(c) => convs.push(c),
                Layer::Relu if i + 1 < count => {}
                _ => {
                    return Err(ModelError::Structure(
                        "the detector network must be convolutions and relus",
                    ))
                }
            }
        }
        if convs.len() != 7 || options.windows.is_empty() {
            return Err(ModelError::Structure(
                "the detector network must have 7 convolutions and a detection window",
            ));
        }
        Ok(Mmod {
            input: file.input,
            options,
            convs,
        })
    }

    /// Every face in `img`, strongest first.
    pub fn detect(&self, img: &RgbImage) -> Vec<Detection> {
        let (tensor, rects) = self.tiled_pyramid(img);
        let mut x = tensor;
        for (i, conv) in self.convs.iter().enumerate() {
            x = conv.forward(&x);
            if i + 1 < self.convs.len() {
                relu(&mut x);
            }
        }
        let window = &self.options.windows[0];
        let mut candidates = Vec::new();
        for r in 0..x.h {
            for c in 0..x.w {
                let score = x.at(0, r, c);
                if score > 0.0 {
                    // Output cell (c, r) sees the input around (8c + 14, 8r + 14).
                    let (px, py) = ((8 * c + 14) as f64, (8 * r + 14) as f64);
                    let (hw, hh) = ((window.width as f64 - 1.0) / 2.0, (window.height as f64 - 1.0) / 2.0);
                    let rect = to_image(&rects, [px - hw, py - hh, px + hw, py + hh]);
                    candidates.push(Detection {
                        rect,
                        confidence: score,
                    });
                }
            }
        }
        candidates.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        let mut kept: Vec<Detection> = Vec::new();
        for d in candidates {
            if !kept
                .iter()
                .any(|k| overlaps(&k.rect, &d.rect, self.options.nms_iou, self.options.nms_covered))
            {
                kept.push(d);
            }
        }
        kept
    }

    /// The image and its pyramid levels tiled into one normalised tensor, and where each
    /// level sits in it.
    fn tiled_pyramid(&self, img: &RgbImage) -> (Tensor, Vec<Rect>) {
        let (width, height) = (img.width() as usize, img.height() as usize);
        let (rects, nr, nc) = layout(
            width,
            height,
            self.input.pyramid_padding,
            self.input.pyramid_outer_padding,
        );
        let mut t = Tensor::zeros(3, nr, nc);
        let first = rects[0];
        for (x, y, p) in img.enumerate_pixels() {
            for ch in 0..3 {
                let v = (f64::from(p.0[ch]) - f64::from(self.input.mean[ch])) / 256.0;
                t.data[(ch * nr + first.top as usize + y as usize) * nc + first.left as usize + x as usize] = v as f32;
            }
        }
        for i in 1..rects.len() {
            resize_region(&mut t, rects[i - 1], rects[i]);
        }
        (t, rects)
    }
}

/// dlib's `compute_tiled_image_pyramid_details`: levels stacked down a first column, the rest
/// stacked upward along the right edge of a second.
fn layout(width: usize, height: usize, padding: usize, outer: usize) -> (Vec<Rect>, usize, usize) {
    let mut sizes = vec![(width, height)];
    let (mut w, mut h) = (width, height);
    loop {
        w = (RATE * w as f64).floor() as usize;
        h = (RATE * h as f64).floor() as usize;
        if w * h == 0 || h < MIN_LEVEL_HEIGHT {
            break;
        }
        sizes.push((w, h));
    }
    let (p, o) = (padding as i64, outer as i64);
    let total: i64 = sizes.iter().map(|(_, h)| *h as i64 + p).sum::<i64>() - 2 * p;
    let (w0, h0) = (sizes[0].0 as i64, sizes[0].1 as i64);
    let mut column_height = 0i64;
    let mut previous_width = 0i64;
    for &(w, h) in &sizes {
        if w as i64 <= w0 - previous_width - p && (column_height - h0) * 2 >= total - h0 {
            break;
        }
        column_height += h as i64 + p;
        previous_width = w as i64;
    }
    column_height -= p;
    let (nr, nc) = (column_height + 2 * o, w0 + 2 * o);
    let mut rects = Vec::with_capacity(sizes.len());
    let mut y = o;
    let mut i = 0;
    while y < column_height + o && i < sizes.len() {
        let (w, h) = (sizes[i].0 as i64, sizes[i].1 as i64);
        rects.push(Rect {
            left: o,
            top: y,
            right: o + w - 1,
            bottom: y + h - 1,
        });
        y += h + p;
        i += 1;
    }
    y -= p;
    while i < sizes.len() {
        let (w, h) = (sizes[i].0 as i64, sizes[i].1 as i64);
        let rect = Rect {
            left: o + w0 - w,
            top: y - h,
            right: o + w0 - 1,
            bottom: y - 1,
        };
        if rect.intersect(&rects[0]).area() > 0 {
            break;
        }
        rects.push(rect);
        y -= h + p;
        i += 1;
    }
    (rects, nr as usize, nc as usize)
}

/// Bilinear resize of one tensor region into another, per channel (dlib's resize_bilinear).
fn resize_region(t: &mut Tensor, src: Rect, dst: Rect) {
    let (sw, sh) = (src.width() as usize, src.height() as usize);
    let (dw, dh) = (dst.width() as usize, dst.height() as usize);
    let x_scale = (sw - 1) as f32 / (dw.max(2) - 1) as f32;
    let y_scale = (sh - 1) as f32 / (dh.max(2) - 1) as f32;
    let (nr, nc) = (t.h, t.w);
    for ch in 0..t.k {
        let at = |r: usize, c: usize| (ch * nr + r) * nc + c;
        for r in 0..dh {
            let y = r as f32 * y_scale;
            let top = y.floor() as usize;
            let bottom = (top + 1).min(sh - 1);
            let fy = y - top as f32;
            for c in 0..dw {
                let x = c as f32 * x_scale;
                let left = x.floor() as usize;
                let right = (left + 1).min(sw - 1);
                let fx = x - left as f32;
                let (sr, sc) = (src.top as usize, src.left as usize);
                let tl = t.data[at(sr + top, sc + left)];
                let tr = t.data[at(sr + top, sc + right)];
                let bl = t.data[at(sr + bottom, sc + left)];
                let br = t.data[at(sr + bottom, sc + right)];
                let v = (1.0 - fy) * ((1.0 - fx) * tl + fx * tr) + fy * ((1.0 - fx) * bl + fx * br);
                t.data[at(dst.top as usize + r, dst.left as usize + c)] = v;
            }
        }
    }
}

/// Maps a box in the tiled tensor back to the original image: to the level whose tile holds
/// its centre, then up through the pyramid (p ↦ 1.2·p + 0.3 a level).
fn to_image(rects: &[Rect], b: [f64; 4]) -> Rect {
    let (cx, cy) = (round((b[0] + b[2]) / 2.0), round((b[1] + b[3]) / 2.0));
    let distance = |r: &Rect| {
        let dx = (r.left - cx).max(0).max(cx - r.right) as f64;
        let dy = (r.top - cy).max(0).max(cy - r.bottom) as f64;
        dx.hypot(dy)
    };
    let mut best = 0;
    for (i, r) in rects.iter().enumerate() {
        if distance(r) < distance(&rects[best]) {
            best = i;
        }
    }
    let origin = rects[best];
    let mut c = [
        b[0] - origin.left as f64,
        b[1] - origin.top as f64,
        b[2] - origin.left as f64,
        b[3] - origin.top as f64,
    ];
    for _ in 0..best {
        for v in &mut c {
            *v = *v * 1.2 + 0.3;
        }
    }
    Rect {
        left: round(c[0]),
        top: round(c[1]),
        right: round(c[2]),
        bottom: round(c[3]),
    }
}

/// dlib's test_box_overlap: the intersection against the bounding box of both, or against
/// either box alone.
pub fn overlaps(a: &Rect, b: &Rect, iou: f64, covered: f64) -> bool {
    let inner = a.intersect(b).area() as f64;
    if inner == 0.0 {
        return false;
    }
    let outer = a.union(b).area() as f64;
    inner / outer > iou || inner / a.area() as f64 > covered || inner / b.area() as f64 > covered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyramid_layout_keeps_levels_apart() {
        let (rects, nr, nc) = layout(400, 300, 10, 11);
        assert_eq!(
            rects[0],
            Rect {
                left: 11,
                top: 11,
                right: 410,
                bottom: 310
            }
        );
        assert_eq!(nc, 400 + 22);
        for (i, a) in rects.iter().enumerate() {
            assert!(a.right < nc as i64 && a.bottom < nr as i64);
            for b in &rects[i + 1..] {
                assert_eq!(a.intersect(b).area(), 0, "{a:?} overlaps {b:?}");
            }
        }
        assert!(rects.len() > 5);
    }

    #[test]
    fn overlap_test() {
        let a = Rect {
            left: 0,
            top: 0,
            right: 9,
            bottom: 9,
        };
        let b = Rect {
            left: 5,
            top: 0,
            right: 14,
            bottom: 9,
        };
        assert!(overlaps(&a, &b, 0.3, 1.0));
        assert!(!overlaps(&a, &b, 0.4, 1.0));
        let far = Rect {
            left: 20,
            top: 20,
            right: 29,
            bottom: 29,
        };
        assert!(!overlaps(&a, &far, 0.0, 0.0));
    }
}
