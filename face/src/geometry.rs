//! dlib's geometry conventions: inclusive integer rectangles, rounding by floor(v + 0.5), and
//! similarity and affine transforms fitted to point pairs.

/// An inclusive integer rectangle, as dlib's `rectangle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub left: i64,
    pub top: i64,
    pub right: i64,
    pub bottom: i64,
}

impl Rect {
    pub fn width(&self) -> i64 {
        (self.right - self.left + 1).max(0)
    }

    pub fn height(&self) -> i64 {
        (self.bottom - self.top + 1).max(0)
    }

    pub fn area(&self) -> i64 {
        self.width() * self.height()
    }

    pub fn intersect(&self, o: &Rect) -> Rect {
        Rect {
            left: self.left.max(o.left),
            top: self.top.max(o.top),
            right: self.right.min(o.right),
            bottom: self.bottom.min(o.bottom),
        }
    }

    /// The bounding box of both.
    pub fn union(&self, o: &Rect) -> Rect {
        Rect {
            left: self.left.min(o.left),
            top: self.top.min(o.top),
            right: self.right.max(o.right),
            bottom: self.bottom.max(o.bottom),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[inline(always)]
pub fn round(v: f64) -> i64 {
    (v + 0.5).floor() as i64
}

/// `x ↦ m·x + t`.
#[derive(Debug, Clone, Copy)]
pub struct Affine {
    pub m: [[f64; 2]; 2],
    pub t: [f64; 2],
}

impl Affine {
    #[inline(always)]
    pub fn apply(&self, p: Point) -> Point {
        Point {
            x: self.m[0][0] * p.x + self.m[0][1] * p.y + self.t[0],
            y: self.m[1][0] * p.x + self.m[1][1] * p.y + self.t[1],
        }
    }
}

/// The least-squares similarity transform (rotation, uniform scale, translation) taking `from`
/// to `to` (Umeyama's method, in its closed form for two dimensions).
pub fn similarity(from: &[Point], to: &[Point]) -> Affine {
    let n = from.len() as f64;
    let mean = |ps: &[Point]| Point {
        x: ps.iter().map(|p| p.x).sum::<f64>() / n,
        y: ps.iter().map(|p| p.y).sum::<f64>() / n,
    };
    let (mf, mt) = (mean(from), mean(to));
    let (mut a, mut b, mut norm) = (0.0, 0.0, 0.0);
    for (f, t) in from.iter().zip(to) {
        let (fx, fy, tx, ty) = (f.x - mf.x, f.y - mf.y, t.x - mt.x, t.y - mt.y);
        a += fx * tx + fy * ty;
        b += fx * ty - fy * tx;
        norm += fx * fx + fy * fy;
    }
    let (a, b) = if norm == 0.0 { (1.0, 0.0) } else { (a / norm, b / norm) };
    let m = [[a, -b], [b, a]];
    Affine {
        m,
        t: [
            mt.x - (m[0][0] * mf.x + m[0][1] * mf.y),
            mt.y - (m[1][0] * mf.x + m[1][1] * mf.y),
        ],
    }
}

/// The affine transform taking three points exactly to three others.
pub fn affine_from_3(from: [Point; 3], to: [Point; 3]) -> Affine {
    // Solve [x y 1]·P = target for each output coordinate.
    let det = from[0].x * (from[1].y - from[2].y) - from[0].y * (from[1].x - from[2].x)
        + (from[1].x * from[2].y - from[2].x * from[1].y);
    let solve = |v: [f64; 3]| {
        let a =
            (v[0] * (from[1].y - from[2].y) - from[0].y * (v[1] - v[2]) + (v[1] * from[2].y - v[2] * from[1].y)) / det;
        let b =
            (from[0].x * (v[1] - v[2]) - v[0] * (from[1].x - from[2].x) + (from[1].x * v[2] - from[2].x * v[1])) / det;
        let c = (from[0].x * (from[1].y * v[2] - from[2].y * v[1]) - from[0].y * (from[1].x * v[2] - from[2].x * v[1])
            + v[0] * (from[1].x * from[2].y - from[2].x * from[1].y))
            / det;
        (a, b, c)
    };
    let (a, b, c) = solve([to[0].x, to[1].x, to[2].x]);
    let (d, e, f) = solve([to[0].y, to[1].y, to[2].y]);
    Affine {
        m: [[a, b], [d, e]],
        t: [c, f],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    #[test]
    fn similarity_recovers_a_known_transform() {
        let (s, a) = (1.7f64, 0.3f64);
        let truth = Affine {
            m: [[s * a.cos(), -s * a.sin()], [s * a.sin(), s * a.cos()]],
            t: [5.0, -2.0],
        };
        let from = [p(0.0, 0.0), p(1.0, 0.0), p(0.3, 2.0), p(-1.0, 0.5)];
        let to: Vec<Point> = from.iter().map(|q| truth.apply(*q)).collect();
        let fit = similarity(&from, &to);
        for (f, t) in from.iter().zip(&to) {
            let q = fit.apply(*f);
            assert!((q.x - t.x).abs() < 1e-9 && (q.y - t.y).abs() < 1e-9);
        }
    }

    #[test]
    fn affine_from_three_points_is_exact() {
        let from = [p(0.0, 0.0), p(149.0, 0.0), p(0.0, 149.0)];
        let to = [p(10.0, 20.0), p(100.0, 40.0), p(-5.0, 160.0)];
        let fit = affine_from_3(from, to);
        for (f, t) in from.iter().zip(&to) {
            let q = fit.apply(*f);
            assert!((q.x - t.x).abs() < 1e-9 && (q.y - t.y).abs() < 1e-9, "{q:?} vs {t:?}");
        }
    }
}
