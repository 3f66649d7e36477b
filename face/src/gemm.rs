//! The matrix product of a convolution, C += A·B, with A (filters × patch) packed once per layer
//! rather than on every call. Deep layers of the descriptor network see a few dozen positions
//! but hundreds of thousands of weights: a general GEMM copies all the weights into its panel
//! layout on every image, which took about 40% of a descriptor's time.
//!
//! The kernel keeps a block of C in registers (MR filters × NR positions) and streams a panel
//! of A and a panel of B, each contiguous; convolutions write their patches (im2col) straight
//! into B's panel layout, so nothing is copied twice. The block's shape follows the CPU: 8 × 32
//! in AVX-512 registers, 6 × 16 in AVX2 ones (both with fused multiply-adds, as BLAS does for
//! dlib), 6 × 16 unfused elsewhere. Either way each value is a dot product in patch order,
//! within float rounding of dlib's.

/// The instruction set the kernel runs with, chosen once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Isa {
    Avx512,
    Avx2,
    Baseline,
}

fn isa() -> Isa {
    static ISA: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
    *ISA.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            let fma = std::arch::is_x86_feature_detected!("fma");
            if fma && std::arch::is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            if fma && std::arch::is_x86_feature_detected!("avx2") {
                return Isa::Avx2;
            }
        }
        Isa::Baseline
    })
}

/// (filters, positions) of the block of C the kernel keeps in registers.
fn block_shape() -> (usize, usize) {
    match isa() {
        Isa::Avx512 => (AVX512_MR, 32),
        Isa::Avx2 | Isa::Baseline => (6, 16),
    }
}

/// A (m × k, row-major) as panels of `mr` rows, each stored k-major (the `mr` values of one
/// patch index together), zero rows completing the last panel.
#[derive(Debug, Clone)]
pub struct PackedA {
    m: usize,
    k: usize,
    mr: usize,
    panels: Vec<f32>,
}

impl PackedA {
    pub fn new(a: &[f32], m: usize, k: usize) -> PackedA {
        assert_eq!(a.len(), m * k, "A is m × k");
        let mr = block_shape().0;
        let mut panels = vec![0.0f32; m.div_ceil(mr) * mr * k];
        for (p, panel) in panels.chunks_exact_mut(mr * k).enumerate() {
            for i in 0..mr.min(m - p * mr) {
                for (kk, &v) in a[(p * mr + i) * k..][..k].iter().enumerate() {
                    panel[kk * mr + i] = v;
                }
            }
        }
        PackedA { m, k, mr, panels }
    }
}

/// B (k × n) in the layout the kernel reads: panels of `nr` positions, each stored k-major
/// (the `nr` values of one patch index together), zeros completing the last panel.
/// Convolutions write their patches straight into it.
pub struct PanelsB {
    k: usize,
    n: usize,
    nr: usize,
    pub values: Vec<f32>,
}

impl PanelsB {
    pub fn new(k: usize, n: usize) -> PanelsB {
        let mut panels = PanelsB {
            k: 0,
            n: 0,
            nr: block_shape().1,
            values: Vec::new(),
        };
        panels.reset(k, n);
        panels
    }

    /// Zeroes the values and sets the shape, keeping the allocation.
    pub fn reset(&mut self, k: usize, n: usize) {
        (self.k, self.n) = (k, n);
        self.values.clear();
        self.values.resize(n.div_ceil(self.nr) * self.nr * k, 0.0);
    }

    /// Positions per panel.
    pub fn width(&self) -> usize {
        self.nr
    }

    /// Where B[kk][p] is stored (the positions of one panel that follow p come next).
    #[inline(always)]
    pub fn index(&self, kk: usize, p: usize) -> usize {
        (p / self.nr) * self.nr * self.k + kk * self.nr + p % self.nr
    }
}

/// c (m × n, row stride `ldc`) += A · B.
pub fn gemm(a: &PackedA, b: &PanelsB, c: &mut [f32], ldc: usize) {
    assert_eq!(a.k, b.k, "A's columns are B's rows");
    assert_eq!((a.mr, b.nr), block_shape(), "packed for this CPU");
    if a.m == 0 || b.n == 0 {
        return;
    }
    assert!(c.len() >= (a.m - 1) * ldc + b.n, "C is m × n");
    match isa() {
        // SAFETY: `isa` found the CPU to support these instructions.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { gemm_avx512(a, b, c, ldc) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { gemm_avx2(a, b, c, ldc) },
        _ => blocks::<6, 16, false>(a, b, c, ldc),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn gemm_avx512(a: &PackedA, b: &PanelsB, c: &mut [f32], ldc: usize) {
    blocks::<AVX512_MR, 32, true>(a, b, c, ldc);
}

const AVX512_MR: usize = 8;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn gemm_avx2(a: &PackedA, b: &PanelsB, c: &mut [f32], ldc: usize) {
    blocks::<6, 16, true>(a, b, c, ldc);
}

/// Every MR × NR block of C, in the order that reads the larger matrix once: panels of A
/// outermost when A is larger (deep layers), panels of B outermost otherwise.
///
/// Everything here is inlined into the caller, so that it is compiled with the caller's
/// instruction set; `FUSED` chooses fused multiply-adds.
#[inline(always)]
fn blocks<const MR: usize, const NR: usize, const FUSED: bool>(a: &PackedA, b: &PanelsB, c: &mut [f32], ldc: usize) {
    let (rows, columns) = (a.m.div_ceil(MR), b.n.div_ceil(NR));
    if a.panels.len() > b.values.len() {
        for p in 0..rows {
            for j in 0..columns {
                block::<MR, NR, FUSED>(a, b, c, ldc, p, j);
            }
        }
    } else {
        for j in 0..columns {
            for p in 0..rows {
                block::<MR, NR, FUSED>(a, b, c, ldc, p, j);
            }
        }
    }
}

/// C's block of A's panel `p` and B's panel `j`.
#[inline(always)]
fn block<const MR: usize, const NR: usize, const FUSED: bool>(
    a: &PackedA,
    b: &PanelsB,
    c: &mut [f32],
    ldc: usize,
    p: usize,
    j: usize,
) {
    let k = a.k;
    let (a_panel, b_panel) = (&a.panels[p * MR * k..][..MR * k], &b.values[j * NR * k..][..NR * k]);
    #[cfg(target_arch = "x86_64")]
    let sums = if FUSED && NR == 32 {
        // SAFETY: 32-wide panels are laid out only when `isa` found AVX-512 (and FMA).
        unsafe { kernel_avx512::<MR, NR>(a_panel, b_panel) }
    } else {
        kernel::<MR, NR, FUSED>(a_panel, b_panel)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let sums = kernel::<MR, NR, FUSED>(a_panel, b_panel);
    let width = NR.min(b.n - j * NR);
    for (i, row) in sums.iter().enumerate().take(a.m - p * MR) {
        let out = &mut c[(p * MR + i) * ldc + j * NR..][..width];
        for (o, s) in out.iter_mut().zip(row) {
            *o += s;
        }
    }
}

/// `kernel` in AVX-512 registers (NR = 32: two registers a row), written with intrinsics:
/// left to itself the compiler vectorises the 32-wide loops across rows, with gathers.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn kernel_avx512<const MR: usize, const NR: usize>(a_panel: &[f32], b_panel: &[f32]) -> [[f32; NR]; MR] {
    use std::arch::x86_64::{_mm512_fmadd_ps, _mm512_loadu_ps, _mm512_set1_ps, _mm512_setzero_ps, _mm512_storeu_ps};
    assert!(NR == 32 && b_panel.len() / NR == a_panel.len() / MR);
    let mut acc = [[_mm512_setzero_ps(); 2]; MR];
    for (a, row) in a_panel.chunks_exact(MR).zip(b_panel.chunks_exact(NR)) {
        // SAFETY: `row` holds 32 values.
        let (b0, b1) = unsafe { (_mm512_loadu_ps(row.as_ptr()), _mm512_loadu_ps(row.as_ptr().add(16))) };
        for i in 0..MR {
            let v = _mm512_set1_ps(a[i]);
            acc[i][0] = _mm512_fmadd_ps(v, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(v, b1, acc[i][1]);
        }
    }
    let mut out = [[0.0f32; NR]; MR];
    for (o, a) in out.iter_mut().zip(&acc) {
        // SAFETY: each row of `out` holds 32 values.
        unsafe {
            _mm512_storeu_ps(o.as_mut_ptr(), a[0]);
            _mm512_storeu_ps(o.as_mut_ptr().add(16), a[1]);
        }
    }
    out
}

/// The MR × NR product of a panel of A and a panel of B.
#[inline(always)]
fn kernel<const MR: usize, const NR: usize, const FUSED: bool>(a_panel: &[f32], b_panel: &[f32]) -> [[f32; NR]; MR] {
    let mut acc = [[0.0f32; NR]; MR];
    for (a, row) in a_panel.chunks_exact(MR).zip(b_panel.chunks_exact(NR)) {
        for i in 0..MR {
            for l in 0..NR {
                acc[i][l] = if FUSED {
                    a[i].mul_add(row[l], acc[i][l])
                } else {
                    a[i] * row[l] + acc[i][l]
                };
            }
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small integers, so every product and sum is exact and the result must equal the
    /// definition whatever the order of the sums.
    fn matrix(rows: usize, cols: usize, seed: u32) -> Vec<f32> {
        (0..rows * cols)
            .map(|i| ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) >> 28) as f32 - 8.0)
            .collect()
    }

    fn panels(b: &[f32], k: usize, n: usize) -> PanelsB {
        let mut panels = PanelsB::new(k, n);
        for kk in 0..k {
            for p in 0..n {
                let at = panels.index(kk, p);
                panels.values[at] = b[kk * n + p];
            }
        }
        panels
    }

    #[test]
    fn equals_the_definition_for_every_edge() {
        for (m, k, n) in [
            (1, 1, 1),
            (6, 3, 16),
            (7, 5, 17),
            (32, 27, 100),
            (13, 64, 3),
            (256, 9, 25),
        ] {
            let (a, b) = (matrix(m, k, 1), matrix(k, n, 2));
            let ldc = n + 3;
            let mut c: Vec<f32> = matrix(m, ldc, 3);
            let mut want = c.clone();
            for i in 0..m {
                for j in 0..n {
                    want[i * ldc + j] += (0..k).map(|kk| a[i * k + kk] * b[kk * n + j]).sum::<f32>();
                }
            }
            gemm(&PackedA::new(&a, m, k), &panels(&b, k, n), &mut c, ldc);
            assert_eq!(c, want, "m {m} k {k} n {n}");
        }
    }

    /// The kernel this CPU runs (fused, in its registers) and the portable unfused one give the
    /// same exact values.
    #[test]
    fn both_kernels_agree() {
        let (m, k, n) = (12, 40, 32);
        let (a, b) = (PackedA::new(&matrix(m, k, 4), m, k), panels(&matrix(k, n, 5), k, n));
        let (mut fused, mut unfused) = (vec![0.0f32; m * n], vec![0.0f32; m * n]);
        match block_shape() {
            (6, 16) => blocks::<6, 16, false>(&a, &b, &mut unfused, n),
            (8, 32) => blocks::<8, 32, false>(&a, &b, &mut unfused, n),
            shape => panic!("no unfused kernel for {shape:?}"),
        }
        gemm(&a, &b, &mut fused, n);
        assert_eq!(fused, unfused);
    }
}
