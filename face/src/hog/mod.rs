//! dlib's HOG frontal face detector (`get_frontal_face_detector()`: five linear filters on FHOG
//! features over a `pyramid_down<6>` image pyramid, dlib/image_processing/frontal_face_detector.h)
//! in pure Rust. Its weights ship with this crate as `data/frontal_face_hog.dat`, converted once
//! from dlib's header (see data/README.md); the separable filters are dlib's own, so the scores
//! match dlib's to float rounding and the boxes exactly.

mod fhog;
mod pyramid;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use image::RgbImage;

use crate::geometry::Rect;
use crate::mmod::{overlaps, Detection};
use crate::ModelError;

/// dlib's frontal face detector, converted (see data/README.md).
pub const DATA: &[u8] = include_bytes!("../../data/frontal_face_hog.dat");
/// SHA-256 of `DATA`, checked by the tests.
pub const DATA_SHA256: &str = "16ab6e18e455d73081baf31fcdb056408ea26a4e1b6816865bc99f2702728d5d";

struct Plane {
    rows: usize,
    cols: usize,
    /// rows × cols, row-major.
    full: Vec<f32>,
    /// (row filter, column filter) pairs whose sum of outer products is `full`, as dlib
    /// decomposed it.
    separable: Vec<(Vec<f32>, Vec<f32>)>,
}

struct Filter {
    threshold: f64,
    planes: Vec<Plane>,
}

impl Filter {
    fn separable_count(&self) -> usize {
        self.planes.iter().map(|p| p.separable.len()).sum()
    }

    /// dlib runs the separable filters when there are few enough of them.
    fn use_separable(&self) -> bool {
        let p = &self.planes[0];
        (self.separable_count() as f64) <= self.planes.len() as f64 * p.rows.min(p.cols) as f64 / 3.0
    }
}

pub struct Hog {
    window: (usize, usize),
    cell: usize,
    padding: usize,
    max_levels: usize,
    min_level: (i64, i64),
    iou: f64,
    covered: f64,
    filters: Vec<Filter>,
}

struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bytes<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let end = self.pos + N;
        let slice = self.data.get(self.pos..end).ok_or(ModelError::Format {
            model: "frontal_face_hog.dat",
            offset: self.pos,
            message: "unexpected end".into(),
        })?;
        self.pos = end;
        Ok(slice.try_into().expect("N bytes"))
    }
    fn u32(&mut self) -> Result<usize, ModelError> {
        Ok(u32::from_le_bytes(self.take()?) as usize)
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(self.take()?))
    }
    fn f64(&mut self) -> Result<f64, ModelError> {
        Ok(f64::from_le_bytes(self.take()?))
    }
    fn floats(&mut self, n: usize) -> Result<Vec<f32>, ModelError> {
        (0..n).map(|_| self.f32()).collect()
    }
}

impl Hog {
    /// The detector shipped with the crate.
    pub fn frontal() -> Hog {
        Hog::parse(DATA).expect("the shipped HOG detector parses")
    }

    pub fn parse(data: &[u8]) -> Result<Hog, ModelError> {
        if data.get(..8) != Some(b"ZJHOG001".as_slice()) {
            return Err(ModelError::Structure("not a converted dlib HOG detector"));
        }
        let mut b = Bytes { data, pos: 8 };
        let window = (b.u32()?, b.u32()?);
        let (cell, padding, max_levels) = (b.u32()?, b.u32()?, b.u32()?);
        let min_level = (b.u32()? as i64, b.u32()? as i64);
        let (iou, covered) = (b.f64()?, b.f64()?);
        let mut filters = Vec::new();
        for _ in 0..b.u32()? {
            let threshold = b.f64()?;
            let mut planes = Vec::new();
            for _ in 0..b.u32()? {
                let (rows, cols) = (b.u32()?, b.u32()?);
                let full = b.floats(rows * cols)?;
                let mut separable = Vec::new();
                for _ in 0..b.u32()? {
                    let n = b.u32()?;
                    let row = b.floats(n)?;
                    let n = b.u32()?;
                    separable.push((row, b.floats(n)?));
                }
                planes.push(Plane {
                    rows,
                    cols,
                    full,
                    separable,
                });
            }
            if planes.len() != 31
                || planes
                    .iter()
                    .any(|p| p.rows != planes[0].rows || p.cols != planes[0].cols)
            {
                return Err(ModelError::Structure("a HOG filter must have 31 planes of one size"));
            }
            filters.push(Filter { threshold, planes });
        }
        if filters.is_empty() || b.pos != data.len() || cell < 2 {
            return Err(ModelError::Structure(
                "a HOG detector needs filters and nothing after them",
            ));
        }
        Ok(Hog {
            window,
            cell,
            padding,
            max_levels,
            min_level,
            iou,
            covered,
            filters,
        })
    }

    /// Size of the window in feature cells (dlib's compute_fhog_window_size).
    fn window_cells(&self) -> (usize, usize) {
        let cells = |side: usize| {
            let (lo, hi) = (-((side / 2) as i64), -((side / 2) as i64) + side as i64 - 1);
            let to_cell = |v: i64| (v - 1) / self.cell as i64 - 1;
            (to_cell(hi) - to_cell(lo) + 1) as usize + 2 * self.padding
        };
        (cells(self.window.0), cells(self.window.1))
    }

    /// The number of pyramid levels dlib uses for an image.
    fn levels(&self, width: u32, height: u32) -> usize {
        let mut rect = [0.0, 0.0, f64::from(width) - 1.0, f64::from(height) - 1.0];
        let mut levels = 0;
        loop {
            rect = rect.map(|v| ((v - 0.3) * (5.0 / 6.0) + 0.5).floor());
            levels += 1;
            let (w, h) = ((rect[2] - rect[0] + 1.0) as i64, (rect[3] - rect[1] + 1.0) as i64);
            if !(w >= self.min_level.0 && h >= self.min_level.1 && levels < self.max_levels) {
                return levels;
            }
        }
    }

    /// Every face dlib's frontal face detector finds in `img`, strongest first.
    ///
    /// Two threads share the work: one scans the largest level (about a third of the scan)
    /// while the other builds the smaller levels; then both take the remaining levels in turn.
    /// The detections are gathered in level order, so the result is the same as one thread's.
    pub fn detect(&self, img: &RgbImage) -> Vec<Detection> {
        let levels = self.levels(img.width(), img.height());
        let first = pyramid::Planar::from_rgb(img);
        let smaller: OnceLock<Vec<pyramid::Planar>> = OnceLock::new();
        let next = AtomicUsize::new(1);
        let mut by_level: Vec<Vec<(f64, usize, Rect)>> = vec![Vec::new(); levels];
        let take_levels = |out: &mut Vec<(usize, Vec<(f64, usize, Rect)>)>| {
            let smaller = smaller.wait();
            loop {
                let level = next.fetch_add(1, Ordering::Relaxed);
                if level >= levels {
                    break;
                }
                out.push((level, self.scan(&smaller[level - 1], level)));
            }
        };
        let (mut mine, theirs) = std::thread::scope(|scope| {
            let helper = scope.spawn(|| {
                let mut out = vec![(0, self.scan(&first, 0))];
                take_levels(&mut out);
                out
            });
            let mut chain: Vec<pyramid::Planar> = Vec::with_capacity(levels);
            for _ in 1..levels {
                chain.push(pyramid::down(chain.last().unwrap_or(&first)));
            }
            let _ = smaller.set(chain);
            let mut mine = Vec::new();
            take_levels(&mut mine);
            (mine, helper.join().expect("the HOG scan thread does not panic"))
        });
        for (level, found) in mine.drain(..).chain(theirs) {
            by_level[level] = found;
        }
        let mut found: Vec<(f64, usize, Rect)> = by_level.into_iter().flatten().collect();
        found.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut kept: Vec<Detection> = Vec::new();
        for (confidence, _, rect) in found {
            if !kept.iter().any(|k| overlaps(&k.rect, &rect, self.iou, self.covered)) {
                kept.push(Detection {
                    rect,
                    confidence: confidence as f32,
                });
            }
        }
        kept
    }

    /// The windows of one pyramid level that score at least a filter's threshold: (score
    /// above the threshold, filter, box in image coordinates).
    fn scan(&self, level_img: &pyramid::Planar, level: usize) -> Vec<(f64, usize, Rect)> {
        let (fw, fh) = self.window_cells();
        let features = fhog::extract(level_img, self.cell, fh, fw);
        let mut found = Vec::new();
        for (index, filter) in self.filters.iter().enumerate() {
            let Some((saliency, area)) = saliency(&features, filter) else {
                continue;
            };
            for r in area.top..=area.bottom {
                for c in area.left..=area.right {
                    let s = saliency[r as usize * features.cols + c as usize];
                    if f64::from(s) >= filter.threshold {
                        let rect = self.to_image(c, r, fw - 2 * self.padding, fh - 2 * self.padding, fh, fw, level);
                        found.push((f64::from(s) - filter.threshold, index, rect));
                    }
                }
            }
        }
        found
    }

    /// A detection at feature cell (c, r) of `level`, in image coordinates (dlib's
    /// centered_rect, fhog_to_image and pyramid rect_up).
    #[allow(clippy::too_many_arguments)]
    fn to_image(&self, c: i64, r: i64, bw: usize, bh: usize, rows_pad: usize, cols_pad: usize, level: usize) -> Rect {
        let (left, top) = (c - (bw / 2) as i64, r - (bh / 2) as i64);
        let (right, bottom) = (left + bw as i64 - 1, top + bh as i64 - 1);
        let cell = self.cell as i64;
        let point = |x: i64, y: i64| {
            let px = (x + 1 - (cols_pad as i64 - 1) / 2) * cell + 1;
            let py = (y + 1 - (rows_pad as i64 - 1) / 2) * cell + 1;
            let half = cell / 2;
            (
                px + if px >= 0 { half } else { -half },
                py + if py >= 0 { half } else { -half },
            )
        };
        let (l, t) = point(left, top);
        let (rr, b) = point(right, bottom);
        let mut v = [l as f64, t as f64, rr as f64, b as f64];
        for _ in 0..level {
            v = v.map(|p| p * 1.2 + 0.3);
        }
        let round = |p: f64| (p + 0.5).floor() as i64;
        Rect {
            left: round(v[0]),
            top: round(v[1]),
            right: round(v[2]),
            bottom: round(v[3]),
        }
    }
}

/// A filter's response over the features, and the area where it is defined.
fn saliency(features: &fhog::Features, filter: &Filter) -> Option<(Vec<f32>, Rect)> {
    let (nr, nc) = (features.rows, features.cols);
    if nr == 0 || nc == 0 {
        return None;
    }
    let p0 = &filter.planes[0];
    let (first_row, first_col) = (p0.rows / 2, p0.cols / 2);
    let (last_row, last_col) = (
        nr as i64 - ((p0.rows - 1) / 2) as i64,
        nc as i64 - ((p0.cols - 1) / 2) as i64,
    );
    if last_row <= first_row as i64 || last_col <= first_col as i64 {
        return None;
    }
    let (last_row, last_col) = (last_row as usize, last_col as usize);
    let mut out = vec![0.0f32; nr * nc];
    if filter.use_separable() {
        let mut scratch = vec![0.0f32; nr * nc];
        for (plane, input) in filter.planes.iter().zip(&features.planes) {
            for (row, col) in &plane.separable {
                separable(
                    input,
                    nr,
                    nc,
                    row,
                    col,
                    &mut scratch,
                    &mut out,
                    (first_row, last_row, first_col, last_col),
                );
            }
        }
    } else {
        for (plane, input) in filter.planes.iter().zip(&features.planes) {
            for r in first_row..last_row {
                for c in first_col..last_col {
                    let mut sum = 0.0f32;
                    for fr in 0..plane.rows {
                        for fc in 0..plane.cols {
                            sum += input[(r - first_row + fr) * nc + c - first_col + fc]
                                * plane.full[fr * plane.cols + fc];
                        }
                    }
                    out[r * nc + c] += sum;
                }
            }
        }
    }
    let area = Rect {
        left: first_col as i64,
        top: first_row as i64,
        right: last_col as i64 - 1,
        bottom: last_row as i64 - 1,
    };
    Some((out, area))
}

crate::simd::with_avx2! {
    /// One separable filter added into `out` (dlib's float_spatially_filter_image_separable).
    /// dlib sums the taps of its 8-wide blocks in three interleaved accumulators (taps 0, 3,
    /// 6, … in the first, with any last taps; 1, 4, 7, … in the second; 2, 5, 8, … in the
    /// third) and adds them as first + (second + third); its scalar tail sums them in order.
    /// Here the same sums run in the same order over 16 or 8 columns at a time, whose
    /// accumulators stay in registers for all the taps.
    #[allow(clippy::too_many_arguments)]
    fn separable(
        input: &[f32],
        nr: usize,
        nc: usize,
        row_filter: &[f32],
        col_filter: &[f32],
        scratch: &mut [f32],
        out: &mut [f32],
        area: (usize, usize, usize, usize),
    ) {
        let (first_row, last_row, first_col, last_col) = area;
        let mut block_end = first_col;
        while (block_end as i64) < last_col as i64 - 7 {
            block_end += 8;
        }
        let blocks = block_end - first_col;
        let wide = blocks / 16 * 16;
        for r in 0..nr {
            let row = &input[r * nc..(r + 1) * nc];
            let dst = &mut scratch[r * nc..(r + 1) * nc];
            for j in (0..wide).step_by(16) {
                dst[first_col + j..][..16].copy_from_slice(&interleaved::<16>(row_filter, &row[j..], 1));
            }
            if wide < blocks {
                dst[first_col + wide..][..8].copy_from_slice(&interleaved::<8>(row_filter, &row[wide..], 1));
            }
            for c in block_end..last_col {
                dst[c] = plain_taps(row_filter, |n| row[c - first_col + n]);
            }
        }
        for r in first_row..last_row {
            let base = (r - first_row) * nc + first_col;
            let dst = &mut out[r * nc + first_col..(r + 1) * nc];
            for j in (0..wide).step_by(16) {
                let sums = interleaved::<16>(col_filter, &scratch[base + j..], nc);
                for (d, v) in dst[j..][..16].iter_mut().zip(&sums) {
                    *d += v;
                }
            }
            if wide < blocks {
                let sums = interleaved::<8>(col_filter, &scratch[base + wide..], nc);
                for (d, v) in dst[wide..][..8].iter_mut().zip(&sums) {
                    *d += v;
                }
            }
            for c in block_end..last_col {
                dst[c - first_col] += plain_taps(col_filter, |m| scratch[base - first_col + m * nc + c]);
            }
        }
    }
}

/// The taps of `filter` over W columns in dlib's three interleaved accumulators, totalled as
/// first + (second + third); tap n reads `data[n * stride..][..W]`.
#[inline(always)]
fn interleaved<const W: usize>(filter: &[f32], data: &[f32], stride: usize) -> [f32; W] {
    let (mut first, mut second, mut third) = ([0.0f32; W], [0.0f32; W], [0.0f32; W]);
    let at = |n: usize| -> &[f32] { &data[n * stride..][..W] };
    let mut n = 0;
    while n + 2 < filter.len() {
        let (f0, f1, f2) = (filter[n], filter[n + 1], filter[n + 2]);
        let (v0, v1, v2) = (at(n), at(n + 1), at(n + 2));
        for i in 0..W {
            first[i] += v0[i] * f0;
            second[i] += v1[i] * f1;
            third[i] += v2[i] * f2;
        }
        n += 3;
    }
    while n < filter.len() {
        let (f, v) = (filter[n], at(n));
        for i in 0..W {
            first[i] += v[i] * f;
        }
        n += 1;
    }
    std::array::from_fn(|i| first[i] + (second[i] + third[i]))
}

/// dlib's scalar tail: the taps summed in order.
#[inline(always)]
fn plain_taps(filter: &[f32], value: impl Fn(usize) -> f32) -> f32 {
    let mut t = 0.0f32;
    for (n, f) in filter.iter().enumerate() {
        t += value(n) * f;
    }
    t
}
