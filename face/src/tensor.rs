//! One image's activations (channels × rows × columns, row-major) and the layer operations of
//! dlib's CPU implementation (dlib/dnn/cpu_dlib.cpp).

use std::sync::OnceLock;

use crate::gemm::{gemm, PackedA, PanelsB};

#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub k: usize,
    pub h: usize,
    pub w: usize,
    pub data: Vec<f32>,
}

impl Tensor {
    pub fn zeros(k: usize, h: usize, w: usize) -> Tensor {
        Tensor {
            k,
            h,
            w,
            data: vec![0.0; k * h * w],
        }
    }

    pub fn at(&self, k: usize, r: usize, c: usize) -> f32 {
        self.data[(k * self.h + r) * self.w + c]
    }
}

/// A convolution (cross-correlation, as dlib computes it) with a bias per filter.
#[derive(Debug, Clone)]
pub struct Conv {
    pub filters: usize,
    pub channels: usize,
    pub nr: usize,
    pub nc: usize,
    pub stride_y: usize,
    pub stride_x: usize,
    pub pad_y: usize,
    pub pad_x: usize,
    /// (filter, channel, row, column), row-major; empty once packed.
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    /// The weights packed for `gemm`: by `pack`, or on the first forward pass.
    pub(crate) packed: OnceLock<PackedA>,
}

impl Conv {
    /// Packs the weights for the matrix product and drops their row-major copy (a model's
    /// weights are then held once). Call after any `fold_affine`.
    pub fn pack(&mut self) {
        let patch = self.channels * self.nr * self.nc;
        self.packed = OnceLock::from(PackedA::new(&self.weights, self.filters, patch));
        self.weights = Vec::new();
    }

    /// Folds a following per-channel affine layer (`y = g·x + b`) into the weights and bias.
    pub fn fold_affine(&mut self, gamma: &[f32], beta: &[f32]) {
        assert!(self.packed.get().is_none(), "affine layers are folded before packing");
        let per_filter = self.channels * self.nr * self.nc;
        for o in 0..self.filters {
            for w in &mut self.weights[o * per_filter..(o + 1) * per_filter] {
                *w *= gamma[o];
            }
            self.bias[o] = self.bias[o] * gamma[o] + beta[o];
        }
    }

    pub fn output_size(&self, h: usize, w: usize) -> (usize, usize) {
        (
            (h + 2 * self.pad_y - self.nr) / self.stride_y + 1,
            (w + 2 * self.pad_x - self.nc) / self.stride_x + 1,
        )
    }

    /// im2col, then one matrix product per band of output rows:
    /// out[filters × positions] = W · columns + bias. The bands bound the im2col buffer
    /// (`COLUMNS_BUDGET`) whatever the image size; every output value is the same dot
    /// product over the same patch, so banding changes no result.
    pub fn forward(&self, x: &Tensor) -> Tensor {
        self.forward_within(x, COLUMNS_BUDGET)
    }

    fn forward_within(&self, x: &Tensor, budget: usize) -> Tensor {
        assert_eq!(x.k, self.channels, "convolution input channels");
        let (ho, wo) = self.output_size(x.h, x.w);
        let patch = self.channels * self.nr * self.nc;
        let positions = ho * wo;
        let mut out = Tensor::zeros(self.filters, ho, wo);
        for (o, chunk) in out.data.chunks_mut(positions.max(1)).enumerate() {
            chunk.fill(self.bias[o]);
        }
        let packed = self
            .packed
            .get_or_init(|| PackedA::new(&self.weights, self.filters, patch));
        let band = (budget / (patch * wo).max(1)).clamp(1, ho.max(1));
        let mut columns = PanelsB::new(patch, band * wo);
        let mut first = 0;
        while first < ho {
            let rows = band.min(ho - first);
            let n = rows * wo;
            columns.reset(patch, n);
            self.im2col(x, first, rows, wo, &mut columns);
            gemm(packed, &columns, &mut out.data[first * wo..], positions);
            first += rows;
        }
        out
    }

    /// The patches of output rows `first..first + rows` (zeroed before): one row of B per
    /// (channel, filter row, filter column), one column per output position.
    fn im2col(&self, x: &Tensor, first: usize, rows: usize, wo: usize, columns: &mut PanelsB) {
        for k in 0..self.channels {
            for fy in 0..self.nr {
                for fx in 0..self.nc {
                    let row = (k * self.nr + fy) * self.nc + fx;
                    for r in 0..rows {
                        let oy = first + r;
                        let iy = (oy * self.stride_y + fy) as isize - self.pad_y as isize;
                        if iy < 0 || iy >= x.h as isize {
                            continue;
                        }
                        let in_row = &x.data[(k * x.h + iy as usize) * x.w..][..x.w];
                        self.patch_row(in_row, fx, r * wo, wo, row, columns);
                    }
                }
            }
        }
    }

    /// One output row's values of B's row `row` (filter column `fx`), from the input row
    /// `in_row`: the positions whose input column is inside the image, copied in runs that
    /// end where B's panels do.
    fn patch_row(
        &self,
        in_row: &[f32],
        fx: usize,
        first_position: usize,
        wo: usize,
        row: usize,
        columns: &mut PanelsB,
    ) {
        let (stride, pad) = (self.stride_x, self.pad_x);
        // Output columns ox with 0 <= ox·stride + fx - pad < width.
        let from = pad.saturating_sub(fx).div_ceil(stride);
        let to = if in_row.len() + pad > fx {
            ((in_row.len() + pad - fx - 1) / stride + 1).min(wo)
        } else {
            0
        };
        let width = columns.width();
        let mut ox = from;
        while ox < to {
            let p = first_position + ox;
            let run = (width - p % width).min(to - ox);
            let at = columns.index(row, p);
            let source = ox * stride + fx - pad;
            let dst = &mut columns.values[at..at + run];
            if stride == 1 {
                dst.copy_from_slice(&in_row[source..source + run]);
            } else {
                for (t, d) in dst.iter_mut().enumerate() {
                    *d = in_row[source + t * stride];
                }
            }
            ox += run;
        }
    }
}

/// Largest im2col buffer of a convolution, in values (16 MB).
const COLUMNS_BUDGET: usize = 4 << 20;

pub fn relu(x: &mut Tensor) {
    for v in &mut x.data {
        *v = v.max(0.0);
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Pool {
    /// 0 with `nc == 0`: the whole input.
    pub nr: usize,
    pub nc: usize,
    pub stride_y: usize,
    pub stride_x: usize,
    pub pad_y: usize,
    pub pad_x: usize,
}

/// Max or average pooling; windows are clipped to the input, and averages are over the
/// clipped window only.
pub fn pool(x: &Tensor, p: &Pool, max: bool) -> Tensor {
    let (wh, ww) = if p.nr == 0 { (x.h, x.w) } else { (p.nr, p.nc) };
    let ho = (x.h + 2 * p.pad_y - wh) / p.stride_y + 1;
    let wo = (x.w + 2 * p.pad_x - ww) / p.stride_x + 1;
    let mut out = Tensor::zeros(x.k, ho, wo);
    for k in 0..x.k {
        for oy in 0..ho {
            let y0 = (oy * p.stride_y) as isize - p.pad_y as isize;
            let (ys, ye) = (y0.max(0) as usize, ((y0 + wh as isize) as usize).min(x.h));
            for ox in 0..wo {
                let x0 = (ox * p.stride_x) as isize - p.pad_x as isize;
                let (xs, xe) = (x0.max(0) as usize, ((x0 + ww as isize) as usize).min(x.w));
                let mut acc = if max { f32::NEG_INFINITY } else { 0.0 };
                for r in ys..ye {
                    for c in xs..xe {
                        let v = x.at(k, r, c);
                        acc = if max { acc.max(v) } else { acc + v };
                    }
                }
                if !max {
                    acc /= ((ye - ys) * (xe - xs)) as f32;
                }
                out.data[(k * ho + oy) * wo + ox] = acc;
            }
        }
    }
    out
}

/// dlib's add_prev: the sum over the larger of the two shapes, each operand counting as zero
/// outside its own extent (aligned at channel 0, row 0, column 0).
pub fn add_padded(a: &Tensor, b: &Tensor) -> Tensor {
    let (k, h, w) = (a.k.max(b.k), a.h.max(b.h), a.w.max(b.w));
    let mut out = Tensor::zeros(k, h, w);
    for src in [a, b] {
        for kk in 0..src.k {
            for r in 0..src.h {
                let from = &src.data[(kk * src.h + r) * src.w..][..src.w];
                let to = &mut out.data[(kk * h + r) * w..][..src.w];
                for (t, f) in to.iter_mut().zip(from) {
                    *t += f;
                }
            }
        }
    }
    out
}

/// A fully connected layer: out[o] = Σ x[i]·W[i·outputs + o] (+ bias[o]).
#[derive(Debug, Clone)]
pub struct Fc {
    pub outputs: usize,
    pub inputs: usize,
    pub weights: Vec<f32>,
    pub bias: Option<Vec<f32>>,
}

impl Fc {
    pub fn forward(&self, x: &[f32]) -> Vec<f32> {
        assert_eq!(x.len(), self.inputs, "fully connected input size");
        let mut out = self.bias.clone().unwrap_or_else(|| vec![0.0; self.outputs]);
        for (i, xi) in x.iter().enumerate() {
            let row = &self.weights[i * self.outputs..(i + 1) * self.outputs];
            for (o, w) in out.iter_mut().zip(row) {
                *o += xi * w;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Banding the im2col buffer changes no output value, to the bit.
    #[test]
    fn banded_convolution_is_identical() {
        let mut seed = 7u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1 << 24) as f32 - 0.5
        };
        let conv = Conv {
            filters: 6,
            channels: 3,
            nr: 5,
            nc: 5,
            stride_y: 2,
            stride_x: 2,
            pad_y: 2,
            pad_x: 1,
            weights: (0..6 * 3 * 25).map(|_| next()).collect(),
            bias: (0..6).map(|_| next()).collect(),
            packed: OnceLock::new(),
        };
        let x = Tensor {
            k: 3,
            h: 37,
            w: 29,
            data: (0..3 * 37 * 29).map(|_| next()).collect(),
        };
        let whole = conv.forward_within(&x, usize::MAX / 2);
        for budget in [1, 75 * 15, 75 * 15 * 4 + 7] {
            assert_eq!(conv.forward_within(&x, budget), whole, "budget {budget}");
        }
        assert_eq!((whole.h, whole.w), (19, 14));
    }

    fn naive_conv(c: &Conv, x: &Tensor) -> Tensor {
        let (ho, wo) = c.output_size(x.h, x.w);
        let mut out = Tensor::zeros(c.filters, ho, wo);
        for o in 0..c.filters {
            for oy in 0..ho {
                for ox in 0..wo {
                    let mut acc = c.bias[o];
                    for k in 0..c.channels {
                        for fy in 0..c.nr {
                            for fx in 0..c.nc {
                                let iy = (oy * c.stride_y + fy) as isize - c.pad_y as isize;
                                let ix = (ox * c.stride_x + fx) as isize - c.pad_x as isize;
                                if iy >= 0 && ix >= 0 && (iy as usize) < x.h && (ix as usize) < x.w {
                                    acc += c.weights[((o * c.channels + k) * c.nr + fy) * c.nc + fx]
                                        * x.at(k, iy as usize, ix as usize);
                                }
                            }
                        }
                    }
                    out.data[(o * ho + oy) * wo + ox] = acc;
                }
            }
        }
        out
    }

    #[test]
    fn convolution_matches_the_definition() {
        let x = Tensor {
            k: 2,
            h: 7,
            w: 6,
            data: (0..84).map(|i| ((i * 37 % 11) as f32 - 5.0) / 3.0).collect(),
        };
        for (stride, pad) in [(1, 1), (2, 0), (2, 1)] {
            let conv = Conv {
                filters: 3,
                channels: 2,
                nr: 3,
                nc: 3,
                stride_y: stride,
                stride_x: stride,
                pad_y: pad,
                pad_x: pad,
                weights: (0..54).map(|i| ((i * 13 % 7) as f32 - 3.0) / 5.0).collect(),
                bias: vec![0.5, -1.0, 0.25],
                packed: OnceLock::new(),
            };
            let fast = conv.forward(&x);
            let slow = naive_conv(&conv, &x);
            assert_eq!((fast.k, fast.h, fast.w), (slow.k, slow.h, slow.w));
            for (a, b) in fast.data.iter().zip(&slow.data) {
                assert!((a - b).abs() < 1e-5, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn pooling_and_padded_addition() {
        let x = Tensor {
            k: 1,
            h: 3,
            w: 3,
            data: vec![1., 2., 3., 4., 5., 6., 7., 8., 9.],
        };
        let max = pool(
            &x,
            &Pool {
                nr: 2,
                nc: 2,
                stride_y: 1,
                stride_x: 1,
                pad_y: 0,
                pad_x: 0,
            },
            true,
        );
        assert_eq!(max.data, vec![5., 6., 8., 9.]);
        let all = pool(
            &x,
            &Pool {
                nr: 0,
                nc: 0,
                stride_y: 1,
                stride_x: 1,
                pad_y: 0,
                pad_x: 0,
            },
            false,
        );
        assert_eq!(all.data, vec![5.0]);
        let small = Tensor {
            k: 1,
            h: 2,
            w: 2,
            data: vec![10., 10., 10., 10.],
        };
        let sum = add_padded(&x, &small);
        assert_eq!(sum.data, vec![11., 12., 3., 14., 15., 6., 7., 8., 9.]);
    }
}
