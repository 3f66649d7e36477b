//! dlib's `pyramid_down<6>` on RGB images: each level 5/6 of the previous (integer division),
//! by dlib's bilinear `resize_image` for RGB, whose SSE path (blocks of 4 columns, float
//! coordinates accumulated in float, values truncated) and scalar tail (double) are both
//! reproduced.

use image::RgbImage;

crate::simd::with_avx2! {
    /// The next level down.
    pub fn down(img: &RgbImage) -> RgbImage {
        let (nr, nc) = (img.height() as usize, img.width() as usize);
        let (out_nr, out_nc) = (5 * nr / 6, 5 * nc / 6);
        if out_nr == 0 || out_nc == 0 {
            return RgbImage::new(out_nc as u32, out_nr as u32);
        }
        let x_scale = (nc - 1) as f64 / (out_nc.max(2) - 1) as f64;
        let y_scale = (nr - 1) as f64 / (out_nr.max(2) - 1) as f64;
        let raw = img.as_raw().as_slice();
        let px = |r: usize, c: usize, ch: usize| raw[(r * nc + c) * 3 + ch];
        let out_nc_u = out_nc;
        let mut pixels = vec![0u8; out_nr * out_nc * 3];
        let mut put = |r: usize, c: usize, v: [u8; 3]| pixels[(r * out_nc_u + c) * 3..][..3].copy_from_slice(&v);
        let mut y = -y_scale;
        for r in 0..out_nr {
            y += y_scale;
            let top = y.floor() as usize;
            let bottom = (top + 1).min(nr - 1);
            let tb = y - top as f64;
            let (tb_f, inv_tb_f) = (tb as f32, (1.0 - tb) as f32);
            let x0 = -4.0 * x_scale;
            let step = (4.0 * x_scale) as f32;
            let mut lanes: [f32; 4] = std::array::from_fn(|i| (x0 + i as f64 * x_scale) as f32);
            let mut c = 0;
            loop {
                for lane in &mut lanes {
                    *lane += step;
                }
                let left: [i32; 4] = lanes.map(|v| v as i32);
                if left[3] + 1 >= nc as i32 {
                    break;
                }
                for (k, (&xv, &l)) in lanes.iter().zip(&left).enumerate() {
                    let lr = xv - l as f32;
                    let inv_lr = 1.0f32 - lr;
                    let (tlf, trf, blf, brf) = (inv_tb_f * inv_lr, inv_tb_f * lr, tb_f * inv_lr, tb_f * lr);
                    let (l, rt) = (l as usize, l as usize + 1);
                    let mut value = [0u8; 3];
                    for (ch, v) in value.iter_mut().enumerate() {
                        let f = |row: usize, col: usize| f32::from(px(row, col, ch));
                        let sum = tlf * f(top, l) + trf * f(top, rt) + blf * f(bottom, l) + brf * f(bottom, rt);
                        *v = sum as i32 as u8;
                    }
                    put(r, c + k, value);
                }
                c += 4;
            }
            let mut x = -x_scale + c as f64 * x_scale;
            while c < out_nc {
                x += x_scale;
                let left = x.floor() as usize;
                let right = (left + 1).min(nc - 1);
                let lr = x - left as f64;
                let mut value = [0u8; 3];
                for (ch, v) in value.iter_mut().enumerate() {
                    let f = |row: usize, col: usize| f64::from(px(row, col, ch));
                    let sum = (1.0 - tb) * ((1.0 - lr) * f(top, left) + lr * f(top, right))
                        + tb * ((1.0 - lr) * f(bottom, left) + lr * f(bottom, right));
                    *v = sum as u8;
                }
                put(r, c, value);
                c += 1;
            }
        }
        RgbImage::from_raw(out_nc as u32, out_nr as u32, pixels).expect("the pixels of the level")
    }
}
