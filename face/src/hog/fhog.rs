//! Felzenszwalb HOG features as dlib computes them for RGB images (dlib/image_transforms/fhog.h,
//! `impl_extract_fhog_features` with its SSE path): 8-pixel cells, 18 signed and 9 unsigned
//! orientations and 4 texture features, each cell normalised by its four 2×2 blocks. The SIMD
//! blocks of 8 pixels and the scalar tail of each row break ties and round differently; both
//! are reproduced so that the features match dlib's to float rounding.

use super::pyramid::Planar;

/// 31 feature planes, each `rows × cols`, row-major.
pub struct Features {
    pub rows: usize,
    pub cols: usize,
    pub planes: Vec<Vec<f32>>,
}

const DIRECTIONS: [(f32, f32); 9] = [
    (1.0000, 0.0000),
    (0.9397, 0.3420),
    (0.7660, 0.6428),
    (0.500, 0.8660),
    (0.1736, 0.9848),
    (-0.1736, 0.9848),
    (-0.5000, 0.8660),
    (-0.7660, 0.6428),
    (-0.9397, 0.3420),
];

/// The orientation bin (0–17) a gradient snaps to.
#[inline(always)]
fn orientation(gx: f32, gy: f32) -> usize {
    let mut best_dot = 0.0f32;
    let mut best = 0;
    for (o, (dx, dy)) in DIRECTIONS.iter().enumerate() {
        let dot = gx * dx + gy * dy;
        if dot > best_dot {
            best_dot = dot;
            best = o;
        } else if -dot > best_dot {
            best_dot = -dot;
            best = o + 9;
        }
    }
    best
}

/// `orientation` as dlib's SIMD path computes it for one lane (both comparisons in turn, on
/// the updated best), written without branches so that a loop of it vectorises.
#[inline(always)]
fn orientation8_lane(gx: f32, gy: f32) -> u32 {
    let mut best_dot = 0.0f32;
    let mut best = 0u32;
    for (o, (dx, dy)) in DIRECTIONS.iter().enumerate() {
        let dot = gx * dx + gy * dy;
        let up = dot > best_dot;
        best_dot = if up { dot } else { best_dot };
        best = if up { o as u32 } else { best };
        let down = -dot > best_dot;
        best_dot = if down { -dot } else { best_dot };
        best = if down { o as u32 + 9 } else { best };
    }
    best
}

crate::simd::with_avx2! {
    /// The features of `img` with 8-pixel cells, laid out for filters `filter_rows × filter_cols`
    /// cells (a border of zeros around the features, as dlib's padding arguments give).
    pub fn extract(img: &Planar, cell: usize, filter_rows: usize, filter_cols: usize) -> Features {
        let (nr, nc) = (img.height, img.width);
        let cells_nr = (nr as f32 / cell as f32 + 0.5) as usize;
        let cells_nc = (nc as f32 / cell as f32 + 0.5) as usize;
        let hog_nr = cells_nr.saturating_sub(2);
        let hog_nc = cells_nc.saturating_sub(2);
        if hog_nr == 0 || hog_nc == 0 {
            return Features {
                rows: 0,
                cols: 0,
                planes: vec![Vec::new(); 31],
            };
        }
        let hist_nc = cells_nc + 2;
        let hist = histograms(img, cell, cells_nr, cells_nc);
        let mut norm = vec![0.0f32; cells_nr * cells_nc];
        for r in 0..cells_nr {
            for c in 0..cells_nc {
                let h = &hist[(r + 1) * hist_nc + c + 1];
                let n = &mut norm[r * cells_nc + c];
                for o in 0..9 {
                    *n += (h[o] + h[o + 9]) * (h[o] + h[o + 9]);
                }
            }
        }
        let rows = hog_nr + filter_rows - 1;
        let cols = hog_nc + filter_cols - 1;
        let mut planes = vec![vec![0.0f32; rows * cols]; 31];
        let (row_offset, col_offset) = ((filter_rows - 1) / 2, (filter_cols - 1) / 2);
        let at = |r: usize, c: usize| norm[r * cells_nc + c];
        let eps = 0.0001f32;
        for y in 0..hog_nr {
            for x in 0..hog_nc {
                let z1 = [at(y + 1, x + 1), at(y, x + 1), at(y + 1, x), at(y, x)];
                let z2 = [at(y + 1, x + 2), at(y, x + 2), at(y + 1, x + 1), at(y, x + 1)];
                let z3 = [at(y + 2, x + 1), at(y + 1, x + 1), at(y + 2, x), at(y + 1, x)];
                let z4 = [at(y + 2, x + 2), at(y + 1, x + 2), at(y + 2, x + 1), at(y + 1, x + 1)];
                let mut nn = [0.0f32; 4];
                let mut n = [0.0f32; 4];
                for k in 0..4 {
                    nn[k] = 0.2f32 * (z1[k] + z2[k] + z3[k] + z4[k] + eps).sqrt();
                    n[k] = 0.1f32 / nn[k];
                }
                let h = &hist[(y + 2) * hist_nc + x + 2];
                let at_out = (y + row_offset) * cols + x + col_offset;
                let normalised = |value: f32| {
                    let lanes: [f32; 4] = std::array::from_fn(|k| value.min(nn[k]) * n[k]);
                    (lanes, sum4(lanes))
                };
                let mut t = [0.0f32; 4];
                for o in (0..18).step_by(3) {
                    let (h0, total0) = normalised(h[o]);
                    let (h1, total1) = normalised(h[o + 1]);
                    let (h2, total2) = normalised(h[o + 2]);
                    planes[o][at_out] = total0;
                    planes[o + 1][at_out] = total1;
                    planes[o + 2][at_out] = total2;
                    for k in 0..4 {
                        t[k] += (h0[k] + h1[k]) + h2[k];
                    }
                }
                for o in 0..9 {
                    planes[18 + o][at_out] = normalised(h[o] + h[o + 9]).1;
                }
                for k in 0..4 {
                    planes[27 + k][at_out] = t[k] * TEXTURE_WEIGHT;
                }
            }
        }
        Features { rows, cols, planes }
    }
}

/// Where each column's vote goes: the left cell (in histogram columns) and the two weights.
struct ColumnVote {
    cell: usize,
    left: f32,
    right: f32,
}

crate::simd::with_avx2! {
    /// The orientation histograms of every cell (with a border of one cell), dlib's loop over
    /// pixels: columns in 8-wide blocks, then a scalar tail that rounds differently. Each row is
    /// done in passes over plain arrays (gradients, bins, magnitudes) so that the compiler can
    /// vectorise them; only the votes into the cells are scalar.
    fn histograms(img: &Planar, cell: usize, cells_nr: usize, cells_nc: usize) -> Vec<[f32; 18]> {
        let (nr, nc) = (img.height, img.width);
        let hist_nc = cells_nc + 2;
        let mut hist = vec![[0.0f32; 18]; (cells_nr + 2) * hist_nc];
        let visible_nr = (cells_nr * cell).min(nr) as i64 - 1;
        let visible_nc = ((cells_nc * cell).min(nc) as i64 - 1).max(1) as usize;
        let mut block_end = 1usize;
        while (block_end as i64) < visible_nc as i64 - 7 {
            block_end += 8;
        }
        let votes = column_votes(cell, block_end, visible_nc);
        let channels = &img.channels;
        let mut row = Gradients::new(nc);
        for y in 1..visible_nr.max(1) as usize {
            let yp = ((y as f32 as f64 + 0.5) / cell as f64 - 0.5) as f32;
            let iyp = yp.floor() as i64;
            let vy0 = yp - iyp as f32;
            let vy1 = (1.0 - f64::from(vy0)) as f32;
            let row0 = (iyp + 1) as usize * hist_nc;
            let row1 = (iyp + 2) as usize * hist_nc;
            row.compute(channels, nc, y, block_end, visible_nc);
            for x in 1..block_end {
                let (vote, v, o) = (&votes[x], row.magnitude[x], row.bin[x] as usize);
                let (right, left) = (vote.right * v, vote.left * v);
                let c = vote.cell;
                hist[row0 + c][o] += vy1 * left;
                hist[row1 + c][o] += vy0 * left;
                hist[row0 + c + 1][o] += vy1 * right;
                hist[row1 + c + 1][o] += vy0 * right;
            }
            for x in block_end..visible_nc {
                let (vote, v, o) = (&votes[x], row.magnitude[x], row.bin[x] as usize);
                let c = vote.cell;
                hist[row0 + c][o] += vy1 * vote.left * v;
                hist[row1 + c][o] += vy0 * vote.left * v;
                hist[row0 + c + 1][o] += vy1 * vote.right * v;
                hist[row1 + c + 1][o] += vy0 * vote.right * v;
            }
        }
        hist
    }
}

/// Each column's vote, by dlib's block formula before `block_end` and its scalar one after.
fn column_votes(cell: usize, block_end: usize, visible_nc: usize) -> Vec<ColumnVote> {
    (0..visible_nc.max(block_end))
        .map(|x| {
            if x < block_end {
                let xp = (x as f32 + 0.5) / cell as f32 + 0.5;
                let ixp = xp as i64;
                let right = xp - ixp as f32;
                ColumnVote {
                    cell: ixp.max(0) as usize,
                    left: 1.0f32 - right,
                    right,
                }
            } else {
                let xp = ((x as f64 + 0.5) / cell as f64 - 0.5) as f32;
                let ixp = xp.floor() as i64;
                let right = xp - ixp as f32;
                ColumnVote {
                    cell: (ixp + 1) as usize,
                    left: (1.0 - f64::from(right)) as f32,
                    right,
                }
            }
        })
        .collect()
}

/// One row's gradients: the strongest channel's, its orientation bin and magnitude.
struct Gradients {
    gx: Vec<f32>,
    gy: Vec<f32>,
    len: Vec<f32>,
    bin: Vec<u32>,
    magnitude: Vec<f32>,
}

impl Gradients {
    fn new(nc: usize) -> Gradients {
        Gradients {
            gx: vec![0.0; nc],
            gy: vec![0.0; nc],
            len: vec![0.0; nc],
            bin: vec![0; nc],
            magnitude: vec![0.0; nc],
        }
    }

    /// Row `y`, columns 1..`visible_nc`: blocks before `block_end` (a tie between channels
    /// goes to the later one, as in dlib's SIMD path), the tail after it (to the earlier).
    #[inline(always)]
    fn compute(&mut self, channels: &[Vec<u8>; 3], nc: usize, y: usize, block_end: usize, visible_nc: usize) {
        for (from, to, later_wins) in [(1, block_end, true), (block_end, visible_nc, false)] {
            self.strongest(channels, nc, y, from, to, later_wins);
        }
        for x in 1..block_end {
            self.bin[x] = orientation8_lane(self.gx[x], self.gy[x]);
        }
        for x in block_end..visible_nc {
            self.bin[x] = orientation(self.gx[x], self.gy[x]) as u32;
        }
        for x in 1..visible_nc {
            self.magnitude[x] = self.len[x].sqrt();
        }
    }

    #[inline(always)]
    fn strongest(&mut self, channels: &[Vec<u8>; 3], nc: usize, y: usize, from: usize, to: usize, later_wins: bool) {
        let (above, here, below) = ((y - 1) * nc, y * nc, (y + 1) * nc);
        for x in from..to {
            let mut best = (0i32, 0i32, -1i32);
            for (ch, plane) in channels.iter().enumerate() {
                let gx = i32::from(plane[here + x + 1]) - i32::from(plane[here + x - 1]);
                let gy = i32::from(plane[below + x]) - i32::from(plane[above + x]);
                let len = gx * gx + gy * gy;
                let wins = if later_wins { len >= best.2 } else { len > best.2 };
                if ch == 0 || wins {
                    best = (gx, gy, len);
                }
            }
            self.gx[x] = best.0 as f32;
            self.gy[x] = best.1 as f32;
            self.len[x] = best.2 as f32;
        }
    }
}

/// `2 * 0.2357`, computed in double and used as a float.
const TEXTURE_WEIGHT: f32 = (2.0f64 * 0.2357) as f32;

/// dlib's horizontal sum of an SSE2 register.
fn sum4(v: [f32; 4]) -> f32 {
    (v[0] + v[2]) + (v[1] + v[3])
}
