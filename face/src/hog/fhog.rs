//! Felzenszwalb HOG features as dlib computes them for RGB images (dlib/image_transforms/fhog.h,
//! `impl_extract_fhog_features` with its SSE path): 8-pixel cells, 18 signed and 9 unsigned
//! orientations and 4 texture features, each cell normalised by its four 2×2 blocks. The SIMD
//! blocks of 8 pixels and the scalar tail of each row break ties and round differently; both
//! are reproduced so that the features match dlib's to float rounding.

use image::RgbImage;

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

/// The strongest channel's gradient at (x, y). `later_wins` is the SIMD rule (a tie goes to
/// the later channel); the scalar rule keeps the earlier one.
#[inline(always)]
fn gradient(raw: &[u8], stride: usize, x: u32, y: u32, later_wins: bool) -> (f32, f32, f32) {
    let at = (y as usize * stride + x as usize) * 3;
    let row = stride * 3;
    let (l, r) = (&raw[at - 3..at], &raw[at + 3..at + 6]);
    let (t, b) = (&raw[at - row..at - row + 3], &raw[at + row..at + row + 3]);
    let mut best = (0i32, 0i32, -1i32);
    for ch in 0..3 {
        let gx = i32::from(r[ch]) - i32::from(l[ch]);
        let gy = i32::from(b[ch]) - i32::from(t[ch]);
        let len = gx * gx + gy * gy;
        let wins = if later_wins { len >= best.2 } else { len > best.2 };
        if ch == 0 || wins {
            best = (gx, gy, len);
        }
    }
    (best.0 as f32, best.1 as f32, best.2 as f32)
}

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

/// `orientation` of eight gradients at once (the same comparisons, lane by lane).
#[inline(always)]
fn orientations8(gx: &[f32; 8], gy: &[f32; 8]) -> [usize; 8] {
    let mut best_dot = [0.0f32; 8];
    let mut best = [0u32; 8];
    for (o, (dx, dy)) in DIRECTIONS.iter().enumerate() {
        for k in 0..8 {
            let dot = gx[k] * dx + gy[k] * dy;
            let up = dot > best_dot[k];
            best_dot[k] = if up { dot } else { best_dot[k] };
            best[k] = if up { o as u32 } else { best[k] };
            let down = -dot > best_dot[k];
            best_dot[k] = if down { -dot } else { best_dot[k] };
            best[k] = if down { o as u32 + 9 } else { best[k] };
        }
    }
    best.map(|b| b as usize)
}

/// The features of `img` with 8-pixel cells, laid out for filters `filter_rows × filter_cols`
/// cells (a border of zeros around the features, as dlib's padding arguments give).
pub fn extract(img: &RgbImage, cell: usize, filter_rows: usize, filter_cols: usize) -> Features {
    let (nr, nc) = (img.height() as usize, img.width() as usize);
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
    let raw = img.as_raw().as_slice();
    let mut hist = vec![[0.0f32; 18]; (cells_nr + 2) * hist_nc];
    let visible_nr = (cells_nr * cell).min(nr) as i64 - 1;
    let visible_nc = (cells_nc * cell).min(nc) as i64 - 1;
    for y in 1..visible_nr.max(1) {
        let yp = ((y as f32 as f64 + 0.5) / cell as f64 - 0.5) as f32;
        let iyp = yp.floor() as i64;
        let vy0 = yp - iyp as f32;
        let vy1 = (1.0 - f64::from(vy0)) as f32;
        let row0 = (iyp + 1) as usize * hist_nc;
        let row1 = (iyp + 2) as usize * hist_nc;
        let mut x = 1i64;
        // dlib's 8-wide SIMD blocks.
        while x < visible_nc - 7 {
            let (mut gx, mut gy, mut len) = ([0.0f32; 8], [0.0f32; 8], [0.0f32; 8]);
            for lane in 0..8 {
                (gx[lane], gy[lane], len[lane]) = gradient(raw, nc, (x + lane as i64) as u32, y as u32, true);
            }
            let bins = orientations8(&gx, &gy);
            for lane in 0..8 {
                let xl = x + lane as i64;
                let xp = (xl as f32 + 0.5) / cell as f32 + 0.5;
                let ixp = xp as i64;
                let vx0 = xp - ixp as f32;
                let vx1 = 1.0f32 - vx0;
                let v = len[lane].sqrt();
                let o = bins[lane];
                let (vx1, vx0) = (vx1 * v, vx0 * v);
                let c = ixp as usize;
                hist[row0 + c][o] += vy1 * vx1;
                hist[row1 + c][o] += vy0 * vx1;
                hist[row0 + c + 1][o] += vy1 * vx0;
                hist[row1 + c + 1][o] += vy0 * vx0;
            }
            x += 8;
        }
        while x < visible_nc {
            let (gx, gy, len) = gradient(raw, nc, x as u32, y as u32, false);
            let o = orientation(gx, gy);
            let v = len.sqrt();
            let xp = ((x as f64 + 0.5) / cell as f64 - 0.5) as f32;
            let ixp = xp.floor() as i64;
            let vx0 = xp - ixp as f32;
            let vx1 = (1.0 - f64::from(vx0)) as f32;
            let c = (ixp + 1) as usize;
            hist[row0 + c][o] += vy1 * vx1 * v;
            hist[row1 + c][o] += vy0 * vx1 * v;
            hist[row0 + c + 1][o] += vy1 * vx0 * v;
            hist[row1 + c + 1][o] += vy0 * vx0 * v;
            x += 1;
        }
    }
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

/// `2 * 0.2357`, computed in double and used as a float.
const TEXTURE_WEIGHT: f32 = (2.0f64 * 0.2357) as f32;

/// dlib's horizontal sum of an SSE2 register.
fn sum4(v: [f32; 4]) -> f32 {
    (v[0] + v[2]) + (v[1] + v[3])
}
