//! Selfies for the benchmark: many different photos of one face, as different to the
//! difference hash as real selfies are, so that none is refused as a reused photo.

use image::{imageops, Rgb, RgbImage};

/// A different photo of the same face: a tight crop around the face (so it stays large), in a
/// frame of blocks on the 9×8 grid a difference hash sees, each bright or dark by a
/// pseudo-random pattern of `n` — as different to the hash as two real selfies are.
fn variant(face: &RgbImage, n: usize) -> Vec<u8> {
    let (w, h) = face.dimensions();
    let (cw, ch) = (w * 9 / 7, h * 8 / 6);
    let (bw, bh) = (cw / 9, ch / 8);
    let mut seed = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut canvas = RgbImage::new(bw * 9, bh * 8);
    for row in 0..8 {
        for col in 0..9 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let level = if seed & 1 == 1 { 230 } else { 25 };
            for y in row * bh..(row + 1) * bh {
                for x in col * bw..(col + 1) * bw {
                    canvas.put_pixel(x, y, Rgb([level, level, level]));
                }
            }
        }
    }
    imageops::overlay(&mut canvas, face, i64::from(bw), i64::from(bh));
    let mut out = std::io::Cursor::new(Vec::new());
    canvas.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// `count` variants, each at least 9 bits of difference hash from every other (the server
/// refuses 6 or fewer as a reused photo; the margin covers its re-encoding), chosen greedily.
pub fn distinct_selfies(face: &RgbImage, count: usize) -> Vec<Vec<u8>> {
    use zhujian::photos::rules::{difference_hash, hamming};
    let mirrored = imageops::flip_horizontal(face);
    let mut chosen: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut n = 0;
    while chosen.len() < count {
        let jpeg = variant(if n % 2 == 0 { face } else { &mirrored }, n);
        let hash = difference_hash(&zhujian::face::decode(&jpeg).unwrap());
        if chosen.iter().all(|(h, _)| hamming(*h, hash) >= 9) {
            chosen.push((hash, jpeg));
        }
        n += 1;
    }
    chosen.into_iter().map(|(_, jpeg)| jpeg).collect()
}

/// The selfie cropped to a square around its face, the face about 45 % of its width.
pub fn face_crop(engine: &zhujian_face::Engine, selfie: &RgbImage) -> RgbImage {
    let (rect, _) = engine.detect(selfie)[0];
    let side = (rect.width() as f64 * 2.2) as u32;
    let (cx, cy) = ((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2);
    let left = (cx - i64::from(side / 2)).clamp(0, i64::from(selfie.width() - side)) as u32;
    let top = (cy - i64::from(side / 2)).clamp(0, i64::from(selfie.height().saturating_sub(side))) as u32;
    imageops::crop_imm(selfie, left, top, side.min(selfie.width()), side.min(selfie.height())).to_image()
}
