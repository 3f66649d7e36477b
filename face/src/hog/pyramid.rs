//! dlib's `pyramid_down<6>` on RGB images: each level 5/6 of the previous (integer division),
//! by dlib's bilinear `resize_image` for RGB, whose SSE path (blocks of 4 columns, float
//! coordinates accumulated in float, values truncated) and scalar tail (double) are both
//! reproduced. Levels are kept as three planes (one per channel), the layout the feature
//! extraction reads, so that every loop runs over contiguous bytes.

use image::RgbImage;

/// An RGB image as three planes of `width × height` bytes, row-major.
pub struct Planar {
    pub width: usize,
    pub height: usize,
    pub channels: [Vec<u8>; 3],
}

impl Planar {
    pub fn from_rgb(img: &RgbImage) -> Planar {
        let raw = img.as_raw();
        let n = raw.len() / 3;
        let mut channels: [Vec<u8>; 3] = std::array::from_fn(|_| vec![0u8; n]);
        for (i, px) in raw.chunks_exact(3).enumerate() {
            for ch in 0..3 {
                channels[ch][i] = px[ch];
            }
        }
        Planar {
            width: img.width() as usize,
            height: img.height() as usize,
            channels,
        }
    }
}

/// Where an output column reads: its left source column and the weight of the right one.
struct Column {
    left: usize,
    right: usize,
    weight: f64,
}

/// The output columns of a row: dlib's 4-wide blocks (float coordinates, accumulated), then
/// its scalar tail (double). Returns the columns and how many are blocks.
fn columns(nc: usize, out_nc: usize, x_scale: f64) -> (Vec<Column>, usize) {
    let mut out = Vec::with_capacity(out_nc);
    let step = (4.0 * x_scale) as f32;
    let x0 = -4.0 * x_scale;
    let mut lanes: [f32; 4] = std::array::from_fn(|i| (x0 + i as f64 * x_scale) as f32);
    loop {
        for lane in &mut lanes {
            *lane += step;
        }
        let left: [i32; 4] = lanes.map(|v| v as i32);
        if left[3] + 1 >= nc as i32 || out.len() + 4 > out_nc {
            break;
        }
        for (&x, &l) in lanes.iter().zip(&left) {
            out.push(Column {
                left: l as usize,
                right: l as usize + 1,
                weight: f64::from(x - l as f32),
            });
        }
    }
    let blocks = out.len();
    let mut x = -x_scale + blocks as f64 * x_scale;
    while out.len() < out_nc {
        x += x_scale;
        let left = x.floor() as usize;
        out.push(Column {
            left,
            right: (left + 1).min(nc - 1),
            weight: x - left as f64,
        });
    }
    (out, blocks)
}

crate::simd::with_avx2! {
    /// The next level down.
    pub fn down(img: &Planar) -> Planar {
        let (nr, nc) = (img.height, img.width);
        let (out_nr, out_nc) = (5 * nr / 6, 5 * nc / 6);
        let mut channels: [Vec<u8>; 3] = std::array::from_fn(|_| vec![0u8; out_nr * out_nc]);
        if out_nr == 0 || out_nc == 0 {
            return Planar { width: out_nc, height: out_nr, channels };
        }
        let x_scale = (nc - 1) as f64 / (out_nc.max(2) - 1) as f64;
        let y_scale = (nr - 1) as f64 / (out_nr.max(2) - 1) as f64;
        let (columns, blocks) = columns(nc, out_nc, x_scale);
        // The block columns' horizontal weights, and each row's four corner weights: the same
        // for the three channels, computed once.
        let right_weight: Vec<f32> = columns[..blocks].iter().map(|c| c.weight as f32).collect();
        let mut corners = vec![[0.0f32; 4]; blocks];
        // Each source row's pixels at the block columns' left and right sources, as floats:
        // gathered once per channel and row, then every output row is plain arithmetic.
        let mut rows: [RowCache; 3] = std::array::from_fn(|_| RowCache::new(blocks));
        let mut y = -y_scale;
        for r in 0..out_nr {
            y += y_scale;
            let top = y.floor() as usize;
            let bottom = (top + 1).min(nr - 1);
            let tb = y - top as f64;
            let (tb_f, inv_tb_f) = (tb as f32, (1.0 - tb) as f32);
            for (corner, &lr) in corners.iter_mut().zip(&right_weight) {
                let inv_lr = 1.0f32 - lr;
                *corner = [inv_tb_f * inv_lr, inv_tb_f * lr, tb_f * inv_lr, tb_f * lr];
            }
            for ((source, plane), cache) in img.channels.iter().zip(channels.iter_mut()).zip(&mut rows) {
                let (upper, lower) = (&source[top * nc..][..nc], &source[bottom * nc..][..nc]);
                let out = &mut plane[r * out_nc..][..out_nc];
                let [up, down] = cache.pair(top, bottom, source, nc, &columns[..blocks]);
                for ((((v, w), ul), ur), (ll, lr)) in out[..blocks]
                    .iter_mut()
                    .zip(&corners)
                    .zip(&up.left)
                    .zip(&up.right)
                    .zip(down.left.iter().zip(&down.right))
                {
                    let sum = w[0] * ul + w[1] * ur + w[2] * ll + w[3] * lr;
                    // SAFETY: the weights are non-negative and add up to 1, so `sum` lies
                    // between two bytes' values: finite and within i32. (The checked `as`
                    // cast would not vectorise.)
                    *v = unsafe { sum.to_int_unchecked::<i32>() } as u8;
                }
                for (v, col) in out[blocks..].iter_mut().zip(&columns[blocks..]) {
                    let lr = col.weight;
                    let f = |row: &[u8], c: usize| f64::from(row[c]);
                    let sum = (1.0 - tb) * ((1.0 - lr) * f(upper, col.left) + lr * f(upper, col.right))
                        + tb * ((1.0 - lr) * f(lower, col.left) + lr * f(lower, col.right));
                    *v = sum as u8;
                }
            }
        }
        Planar { width: out_nc, height: out_nr, channels }
    }
}

/// A source row's pixels at the block columns' left and right sources.
struct Gathered {
    row: usize,
    left: Vec<f32>,
    right: Vec<f32>,
}

impl Gathered {
    #[inline(always)]
    fn fill(&mut self, row: usize, source: &[u8], nc: usize, columns: &[Column]) {
        let pixels = &source[row * nc..][..nc];
        for ((l, r), col) in self.left.iter_mut().zip(&mut self.right).zip(columns) {
            *l = f32::from(pixels[col.left]);
            *r = f32::from(pixels[col.right]);
        }
        self.row = row;
    }
}

/// The two source rows an output row reads, of one channel; output rows go down the image,
/// so the lower row of one is usually the upper row of the next and is kept.
struct RowCache {
    slots: [Gathered; 2],
}

impl RowCache {
    fn new(blocks: usize) -> RowCache {
        RowCache {
            slots: std::array::from_fn(|_| Gathered {
                row: usize::MAX,
                left: vec![0.0; blocks],
                right: vec![0.0; blocks],
            }),
        }
    }

    /// The gathered rows `top` and `bottom` (upper first).
    #[inline(always)]
    fn pair(&mut self, top: usize, bottom: usize, source: &[u8], nc: usize, columns: &[Column]) -> [&Gathered; 2] {
        for wanted in [top, bottom] {
            if self.slots.iter().all(|s| s.row != wanted) {
                // Replace the slot holding neither row.
                let stale = usize::from(self.slots[0].row == top || self.slots[0].row == bottom);
                self.slots[stale].fill(wanted, source, nc, columns);
            }
        }
        let find = |row: usize| self.slots.iter().find(|s| s.row == row).expect("gathered");
        [find(top), find(bottom)]
    }
}
