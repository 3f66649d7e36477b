//! Copies of a photo for detection. The image crate's resize keeps a float intermediate of the
//! source width × the target height (3 floats a pixel: 166 MB to shrink a 6000×4000 photo),
//! so a copy much smaller than the photo is first shrunk by an integer factor, averaging
//! blocks row band by row band, and only then resized to the exact size.

use image::imageops::{resize, FilterType};
use image::RgbImage;

/// `img` resized to `width`×`height` (smaller than `img`).
pub fn shrink(img: &RgbImage, width: u32, height: u32) -> RgbImage {
    let factor = (img.width() / width.max(1)).min(img.height() / height.max(1));
    if factor < 2 {
        return resize(img, width, height, FilterType::Triangle);
    }
    resize(&block_average(img, factor), width, height, FilterType::Triangle)
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
}
