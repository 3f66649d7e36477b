//! Face chips: the 150×150 crop, rotated and scaled so the 5 landmarks sit where dlib's
//! template puts them (`get_face_chip_details(shape, 150, 0.25)` + `extract_image_chip`).

use image::RgbImage;

use crate::geometry::{affine_from_3, round, similarity, Point};

/// dlib's 5-point template in normalised chip coordinates (landmark order of the predictor).
const TEMPLATE: [(f64, f64); 5] = [
    (0.8595674595992, 0.2134981538014),
    (0.6460604764104, 0.2289674387677),
    (0.1205750620789, 0.2137274526848),
    (0.3340850613712, 0.2290642403242),
    (0.4901123135679, 0.6277975316475),
];

/// A rectangle with floating-point corners (dlib's `drectangle`).
#[derive(Debug, Clone, Copy)]
struct DRect {
    l: f64,
    t: f64,
    r: f64,
    b: f64,
}

impl DRect {
    fn area(&self) -> f64 {
        if self.r < self.l || self.b < self.t {
            0.0
        } else {
            (self.r - self.l + 1.0) * (self.b - self.t + 1.0)
        }
    }
    fn center(&self) -> Point {
        Point {
            x: (self.l + self.r) / 2.0,
            y: (self.t + self.b) / 2.0,
        }
    }
    /// pyramid_down<2>: each corner p ↦ p/2 − (1.25, 0.75).
    fn down(&self) -> DRect {
        DRect {
            l: self.l / 2.0 - 1.25,
            t: self.t / 2.0 - 0.75,
            r: self.r / 2.0 - 1.25,
            b: self.b / 2.0 - 0.75,
        }
    }
}

fn rotate(center: Point, p: Point, angle: f64) -> Point {
    let (s, c) = angle.sin_cos();
    let (dx, dy) = (p.x - center.x, p.y - center.y);
    Point {
        x: c * dx - s * dy + center.x,
        y: s * dx + c * dy + center.y,
    }
}

/// The 150×150 RGB chip (row-major, 3 bytes a pixel) for 5 landmarks in `img`.
pub fn face_chip(img: &RgbImage, landmarks: &[(i64, i64)], size: usize, padding: f64) -> Vec<u8> {
    let from: Vec<Point> = TEMPLATE
        .iter()
        .map(|(x, y)| Point {
            x: size as f64 * (padding + x) / (2.0 * padding + 1.0),
            y: size as f64 * (padding + y) / (2.0 * padding + 1.0),
        })
        .collect();
    let to: Vec<Point> = landmarks
        .iter()
        .map(|&(x, y)| Point {
            x: x as f64,
            y: y as f64,
        })
        .collect();
    let t = similarity(&from, &to);
    let v = (t.m[0][0], t.m[1][0]);
    let angle = v.1.atan2(v.0);
    let scale = v.0.hypot(v.1);
    let c = t.apply(Point {
        x: size as f64 / 2.0,
        y: size as f64 / 2.0,
    });
    let extent = (size as f64 * scale - 1.0) / 2.0;
    let rect = DRect {
        l: c.x - extent,
        t: c.y - extent,
        r: c.x + extent,
        b: c.y + extent,
    };
    extract(img, rect, angle, size)
}

fn extract(img: &RgbImage, rect: DRect, angle: f64, size: usize) -> Vec<u8> {
    let chip_area = (size * size) as f64;
    let mut depth = 0usize;
    let mut grow = 2.0;
    let mut r = rect.down();
    while r.area() > chip_area {
        r = r.down();
        depth += 1;
        grow = grow * 2.0 + 2.0;
    }
    // The part of the image the rotated rectangle needs, grown for the pyramid filters.
    let center = rect.center();
    let corners = [(rect.l, rect.t), (rect.r, rect.t), (rect.l, rect.b), (rect.r, rect.b)]
        .map(|(x, y)| rotate(center, Point { x, y }, angle));
    let min_x = corners.iter().map(|p| p.x).fold(f64::INFINITY, f64::min) - grow;
    let min_y = corners.iter().map(|p| p.y).fold(f64::INFINITY, f64::min) - grow;
    let max_x = corners.iter().map(|p| p.x).fold(f64::NEG_INFINITY, f64::max) + grow;
    let max_y = corners.iter().map(|p| p.y).fold(f64::NEG_INFINITY, f64::max) + grow;
    let (bl, bt) = (round(min_x.max(0.0)), round(min_y.max(0.0)));
    let (br, bb) = (
        round(max_x.min(img.width() as f64 - 1.0)),
        round(max_y.min(img.height() as f64 - 1.0)),
    );
    let crop = Plane::crop(img, bl, bt, br, bb);
    let mut levels = Vec::with_capacity(depth);
    for i in 0..depth {
        let next = if i == 0 {
            crop.down()
        } else {
            levels.last().map(Plane::down).unwrap_or_else(Plane::empty)
        };
        levels.push(next);
    }
    let mut r = DRect {
        l: rect.l - bl as f64,
        t: rect.t - bt as f64,
        r: rect.r - bl as f64,
        b: rect.b - bt as f64,
    };
    let mut level: isize = -1;
    while r.down().area() > chip_area {
        level += 1;
        r = r.down();
    }
    let c = r.center();
    let to = [
        rotate(c, Point { x: r.l, y: r.t }, angle),
        rotate(c, Point { x: r.r, y: r.t }, angle),
        rotate(c, Point { x: r.l, y: r.b }, angle),
    ];
    let last = (size - 1) as f64;
    let from = [
        Point { x: 0.0, y: 0.0 },
        Point { x: last, y: 0.0 },
        Point { x: 0.0, y: last },
    ];
    let map = affine_from_3(from, to);
    let source = if level < 0 { &crop } else { &levels[level as usize] };
    sample(source, &map, size)
}

crate::simd::with_avx2! {
    /// The chip's pixels, each the source's bilinear value at the mapped point, a row at a
    /// time in passes the compiler can vectorise (the mapped points, their floors and
    /// fractions), then the interpolation (compiled for AVX2 too: its floors are then
    /// instructions, not calls). The arithmetic is `Affine::apply` and dlib's, value for value.
    fn sample(source: &Plane, map: &crate::geometry::Affine, size: usize) -> Vec<u8> {
        let mut chip = vec![0u8; size * size * 3];
        let (mut xs, mut ys) = (vec![0.0f64; size], vec![0.0f64; size]);
        for (row, out) in chip.chunks_exact_mut(size * 3).enumerate() {
            let y = row as f64;
            for (col, (qx, qy)) in xs.iter_mut().zip(&mut ys).enumerate() {
                let x = col as f64;
                *qx = map.m[0][0] * x + map.m[0][1] * y + map.t[0];
                *qy = map.m[1][0] * x + map.m[1][1] * y + map.t[1];
            }
            for ((pixel, &qx), &qy) in out.chunks_exact_mut(3).zip(&xs).zip(&ys) {
                pixel.copy_from_slice(&source.bilinear(Point { x: qx, y: qy }));
            }
        }
        chip
    }
}

crate::simd::with_avx2! {
    /// `Plane::down` (compiled for AVX2 too: its sums then run 8 values at a time).
    fn pyramid_down(plane: &Plane) -> Plane {
        if plane.w <= 8 || plane.h <= 8 {
            return Plane::empty();
        }
        let (ow, oh) = ((plane.w - 3) / 2, (plane.h - 3) / 2);
        let n = plane.w * 3;
        // Columns first, every other row, on whole rows at once: each value from five rows.
        let mut tmp = vec![0u32; oh * n];
        for (dr, out) in tmp.chunks_exact_mut(n).enumerate() {
            let at = |k: usize| &plane.data[(2 * dr + k) * n..][..n];
            let (t0, t1, t2, t3, t4) = (at(0), at(1), at(2), at(3), at(4));
            for j in 0..n {
                out[j] = t0[j] + 4 * t1[j] + 6 * t2[j] + 4 * t3[j] + t4[j];
            }
        }
        // Then rows: the five-pixel sums of every column (one plain pass over the row), of
        // which every other pixel is kept. Integer sums, so the order of the passes changes
        // no value.
        let mut data = vec![0u32; oh * ow * 3];
        let mut sums = vec![0u32; n - 12];
        for (row, out) in tmp.chunks_exact(n).zip(data.chunks_exact_mut(ow * 3)) {
            let at = |k: usize| &row[3 * k..][..n - 12];
            let (p0, p1, p2, p3, p4) = (at(0), at(1), at(2), at(3), at(4));
            for j in 0..n - 12 {
                sums[j] = p0[j] + 4 * p1[j] + 6 * p2[j] + 4 * p3[j] + p4[j];
            }
            for (c, value) in out.chunks_exact_mut(3).enumerate() {
                for ch in 0..3 {
                    value[ch] = sums[6 * c + ch] / 256;
                }
            }
        }
        Plane { w: ow, h: oh, data }
    }
}

/// An RGB image held as integers, for dlib's integer pyramid.
struct Plane {
    w: usize,
    h: usize,
    data: Vec<u32>,
}

impl Plane {
    fn empty() -> Plane {
        Plane {
            w: 0,
            h: 0,
            data: Vec::new(),
        }
    }

    fn crop(img: &RgbImage, l: i64, t: i64, r: i64, b: i64) -> Plane {
        if r < l || b < t {
            return Plane::empty();
        }
        let (w, h) = ((r - l + 1) as usize, (b - t + 1) as usize);
        let stride = img.width() as usize * 3;
        let raw = img.as_raw();
        let mut data = Vec::with_capacity(w * h * 3);
        for y in t as usize..=b as usize {
            let row = &raw[y * stride + l as usize * 3..][..w * 3];
            data.extend(row.iter().map(|&v| u32::from(v)));
        }
        Plane { w, h, data }
    }

    /// dlib's pyramid_down<2>: a separable [1 4 6 4 1] filter, then every other pixel.
    fn down(&self) -> Plane {
        pyramid_down(self)
    }

    /// Bilinear interpolation; black outside the image. Values are truncated, as dlib does.
    #[inline(always)]
    fn bilinear(&self, q: Point) -> [u8; 3] {
        let (left, top) = (q.x.floor(), q.y.floor());
        if left < 0.0 || top < 0.0 || left + 1.0 >= self.w as f64 || top + 1.0 >= self.h as f64 {
            return [0, 0, 0];
        }
        let (fx, fy) = (q.x - left, q.y - top);
        let (x, y) = (left as usize, top as usize);
        let upper = &self.data[(y * self.w + x) * 3..][..6];
        let lower = &self.data[((y + 1) * self.w + x) * 3..][..6];
        let mut out = [0u8; 3];
        for (ch, o) in out.iter_mut().enumerate() {
            let p = |row: &[u32], i: usize| f64::from(row[i]);
            let v = (1.0 - fy) * ((1.0 - fx) * p(upper, ch) + fx * p(upper, ch + 3))
                + fy * ((1.0 - fx) * p(lower, ch) + fx * p(lower, ch + 3));
            *o = v.clamp(0.0, 255.0) as u8;
        }
        out
    }
}
