//! Copies of a photo for detection: a copy much smaller than the photo is first shrunk by an
//! integer factor (averaging blocks), then resized to the exact size with a triangle filter
//! one output row at a time, so the only intermediate is a row of floats (the image crate's
//! resize keeps the source width × the target height: 128 MB to take 4000×3000 to 8/9 of its
//! size, and four times slower).

use image::RgbImage;

/// `img` resized to `width`×`height` (smaller than `img`).
pub fn shrink(img: &RgbImage, width: u32, height: u32) -> RgbImage {
    let factor = (img.width() / width.max(1)).min(img.height() / height.max(1));
    if factor < 2 {
        return triangle(img, width.max(1), height.max(1));
    }
    triangle(&block_average(img, factor), width.max(1), height.max(1))
}

/// The source samples one output sample reads, and their weights (summing to 1).
struct Taps {
    first: usize,
    weights: Vec<f32>,
}

/// A triangle filter as wide as the scale, for each of `to` samples taken from `from`.
fn taps(from: u32, to: u32) -> Vec<Taps> {
    let ratio = f64::from(from) / f64::from(to);
    let support = ratio.max(1.0);
    (0..to)
        .map(|i| {
            let centre = (f64::from(i) + 0.5) * ratio;
            let first = ((centre - support).floor().max(0.0)) as usize;
            let last = ((centre + support).ceil() as usize).min(from as usize);
            let raw: Vec<f64> = (first..last)
                .map(|j| (1.0 - ((j as f64 + 0.5 - centre) / support).abs()).max(0.0))
                .collect();
            let total: f64 = raw.iter().sum();
            Taps {
                first,
                weights: raw.iter().map(|w| (w / total) as f32).collect(),
            }
        })
        .collect()
}

/// `img` resized to `width`×`height` by a separable triangle filter. A large copy (a detection
/// copy of a selfie is about a million pixels, on the path of every face check) is made by two
/// threads, each taking half of the rows.
fn triangle(img: &RgbImage, width: u32, height: u32) -> RgbImage {
    let (across, down) = (taps(img.width(), width), taps(img.height(), height));
    let mut out = vec![0u8; width as usize * height as usize * 3];
    let row_bytes = width as usize * 3;
    if u64::from(width) * u64::from(height) < TWO_THREADS_FROM_PIXELS {
        triangle_rows(img, &across, &down, &mut out);
    } else {
        let half = down.len() / 2;
        let (upper, lower) = out.split_at_mut(half * row_bytes);
        std::thread::scope(|scope| {
            scope.spawn(|| triangle_rows(img, &across, &down[half..], lower));
            triangle_rows(img, &across, &down[..half], upper);
        });
    }
    RgbImage::from_raw(width, height, out).expect("the resized pixels")
}

/// Below this many output pixels a second thread costs more than it saves.
const TWO_THREADS_FROM_PIXELS: u64 = 250_000;

crate::simd::with_avx2! {
    /// The output rows `down` (one per row of `out`), a row at a time: the vertical taps into
    /// a row of floats, then the horizontal ones.
    fn triangle_rows(img: &RgbImage, across: &[Taps], down: &[Taps], out: &mut [u8]) {
        let stride = img.width() as usize * 3;
        let raw = img.as_raw();
        let mut row = vec![0.0f32; stride];
        for (vertical, out_row) in down.iter().zip(out.chunks_exact_mut(across.len() * 3)) {
            row.fill(0.0);
            for (k, &w) in vertical.weights.iter().enumerate() {
                let source = &raw[(vertical.first + k) * stride..][..stride];
                for (acc, &v) in row.iter_mut().zip(source) {
                    *acc += w * f32::from(v);
                }
            }
            for (horizontal, pixel) in across.iter().zip(out_row.chunks_exact_mut(3)) {
                let mut sum = [0.0f32; 3];
                for (k, &w) in horizontal.weights.iter().enumerate() {
                    let at = (horizontal.first + k) * 3;
                    for ch in 0..3 {
                        sum[ch] += w * row[at + ch];
                    }
                }
                for ch in 0..3 {
                    pixel[ch] = sum[ch].round().clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
}

/// The mean of each `factor`×`factor` block (a partial last block dropped).
fn block_average(img: &RgbImage, factor: u32) -> RgbImage {
    let (w, h) = (img.width() / factor, img.height() / factor);
    let f = factor as usize;
    let raw = img.as_raw();
    let stride = img.width() as usize * 3;
    let mut out = vec![0u8; w as usize * h as usize * 3];
    let mut sums = vec![0u32; w as usize * 3];
    let count = (f * f) as u32;
    for (y, row_out) in out.chunks_exact_mut(w as usize * 3).enumerate() {
        sums.fill(0);
        for dy in 0..f {
            let row = &raw[(y * f + dy) * stride..][..w as usize * f * 3];
            for (x, sum) in sums.chunks_exact_mut(3).enumerate() {
                for p in row[x * f * 3..(x + 1) * f * 3].chunks_exact(3) {
                    sum[0] += u32::from(p[0]);
                    sum[1] += u32::from(p[1]);
                    sum[2] += u32::from(p[2]);
                }
            }
        }
        for (o, s) in row_out.iter_mut().zip(&sums) {
            *o = ((s + count / 2) / count) as u8;
        }
    }
    RgbImage::from_raw(w, h, out).expect("the block means")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_means_and_exact_sizes() {
        let img = RgbImage::from_fn(10, 7, |x, y| image::Rgb([(x * 20) as u8, (y * 30) as u8, 7]));
        let means = block_average(&img, 3);
        assert_eq!(means.dimensions(), (3, 2));
        // The block of columns 3–5 and rows 0–2: red 60, 80, 100; green 0, 30, 60.
        assert_eq!(means.get_pixel(1, 0).0, [80, 30, 7]);
        assert_eq!(shrink(&img, 4, 3).dimensions(), (4, 3));
        let big = RgbImage::from_pixel(1000, 700, image::Rgb([9, 99, 199]));
        let small = shrink(&big, 123, 86);
        assert_eq!(small.dimensions(), (123, 86));
        assert!(small.pixels().all(|p| p.0 == [9, 99, 199]));
    }

    #[test]
    fn the_triangle_filter_keeps_edges_where_they_were() {
        // A vertical edge at a third of the width stays at a third, blurred over about a
        // pixel of the copy; flat areas keep their value.
        let img = RgbImage::from_fn(900, 90, |x, _| image::Rgb(if x < 300 { [0; 3] } else { [200; 3] }));
        let copy = shrink(&img, 800, 80);
        let row: Vec<u8> = (0..800).map(|x| copy.get_pixel(x, 40).0[0]).collect();
        assert!(row[..265].iter().all(|&v| v == 0), "{:?}", &row[255..275]);
        assert!(row[269..].iter().all(|&v| v == 200), "{:?}", &row[260..280]);
        assert!(row[266] > 0 && row[266] < 200, "{:?}", &row[260..275]);
    }
}
