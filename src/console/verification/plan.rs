//! The plan of a task's site drawn on the progress page: the check-in fence and where each
//! attempt was made, as inline SVG without map tiles. Pure: positions (WGS-84 longitude and
//! latitude, already converted from GCJ-02 where needed) in, SVG coordinates out.
//!
//! Positions are projected onto a local plane in metres around the fence's centre
//! (equirectangular: east = Δlon·cos(lat₀)·R, north = Δlat·R), which is exact to well under a
//! metre over the few hundred metres a fence spans; the plane is then scaled uniformly into
//! the view box (north up), so distances read true against the scale bar.

/// The earth's mean radius, as the geofence's haversine uses.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The view box's width and height, in SVG units.
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 360.0;
/// The margin kept free around the drawing (and for the scale bar at the bottom).
const MARGIN: f64 = 36.0;
/// The smallest span drawn, in metres, so that a lone point is not blown up.
const MIN_SPAN_M: f64 = 60.0;

/// A position: WGS-84 longitude and latitude, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

/// The site's fence: a circle around the registered position, or a polygon.
#[derive(Debug, Clone, PartialEq)]
pub enum FenceShape {
    Circle { centre: LonLat, radius_m: f64 },
    Polygon(Vec<LonLat>),
}

/// How an attempt is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Accepted,
    Flagged,
    Refused,
    Voided,
}

impl Mark {
    /// The attempt's outcome as stored (`accepted`, `flagged`, `refused`, `voided`).
    pub fn of_outcome(outcome: &str) -> Mark {
        match outcome {
            "accepted" => Mark::Accepted,
            "flagged" => Mark::Flagged,
            "voided" => Mark::Voided,
            _ => Mark::Refused,
        }
    }

    /// Its fill: green passed, amber flagged, red refused, grey voided.
    pub fn colour(self) -> &'static str {
        match self {
            Mark::Accepted => "#12b76a",
            Mark::Flagged => "#f79009",
            Mark::Refused => "#d92d20",
            Mark::Voided => "#98a2b3",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Mark::Accepted => "accepted",
            Mark::Flagged => "flagged",
            Mark::Refused => "refused",
            Mark::Voided => "voided",
        }
    }
}

/// One attempt to draw: its position, how, and its number in the table below the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub at: LonLat,
    pub mark: Mark,
    pub label: String,
}

/// The fence as drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum DrawnFence {
    Circle {
        cx: f64,
        cy: f64,
        r: f64,
    },
    /// The `points` attribute of an SVG polygon.
    Polygon {
        points: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct DrawnPoint {
    pub x: f64,
    pub y: f64,
    pub colour: &'static str,
    pub mark: &'static str,
    pub label: String,
}

/// The scale bar: `length` SVG units standing for `metres`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaleBar {
    pub x: f64,
    pub y: f64,
    pub length: f64,
    pub metres: f64,
}

/// Everything the template draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub width: f64,
    pub height: f64,
    pub fence: DrawnFence,
    pub points: Vec<DrawnPoint>,
    pub scale: ScaleBar,
}

/// A position on the local plane around `origin`: metres east and north.
pub fn to_metres(origin: LonLat, p: LonLat) -> (f64, f64) {
    let east = (p.lon - origin.lon).to_radians() * origin.lat.to_radians().cos() * EARTH_RADIUS_M;
    let north = (p.lat - origin.lat).to_radians() * EARTH_RADIUS_M;
    (east, north)
}

/// The fence's centre: the circle's, or the mean of the polygon's vertices.
fn origin(fence: &FenceShape) -> LonLat {
    match fence {
        FenceShape::Circle { centre, .. } => *centre,
        FenceShape::Polygon(vertices) => {
            let n = vertices.len().max(1) as f64;
            LonLat {
                lon: vertices.iter().map(|v| v.lon).sum::<f64>() / n,
                lat: vertices.iter().map(|v| v.lat).sum::<f64>() / n,
            }
        }
    }
}

/// The extent, in metres on the plane, of the fence and the attempts.
fn extent(fence_m: &[(f64, f64)], radius_m: f64, points_m: &[(f64, f64)]) -> (f64, f64, f64, f64) {
    let (mut x0, mut y0, mut x1, mut y1) = (-radius_m, -radius_m, radius_m, radius_m);
    for &(x, y) in fence_m.iter().chain(points_m) {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    // Centre a span too small to read.
    let grow = |lo: f64, hi: f64| {
        let missing = (MIN_SPAN_M - (hi - lo)).max(0.0) / 2.0;
        (lo - missing, hi + missing)
    };
    let (x0, x1) = grow(x0, x1);
    let (y0, y1) = grow(y0, y1);
    (x0, y0, x1, y1)
}

/// The scale bar's length in metres: 1, 2 or 5 times a power of ten, at most `max_m`.
pub fn nice_length(max_m: f64) -> f64 {
    if !(max_m.is_finite() && max_m > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|f| f * power)
        .find(|l| *l <= max_m)
        .unwrap_or(power)
}

/// Lays out the fence and the attempts in the view box: uniform scale, north up, everything
/// inside the margins, with a scale bar a quarter of the drawing wide at most.
pub fn lay_out(fence: &FenceShape, attempts: &[Attempt]) -> Plan {
    let o = origin(fence);
    let (fence_m, radius_m) = match fence {
        FenceShape::Circle { radius_m, .. } => (Vec::new(), radius_m.max(0.0)),
        FenceShape::Polygon(vertices) => (vertices.iter().map(|v| to_metres(o, *v)).collect(), 0.0),
    };
    let points_m: Vec<_> = attempts.iter().map(|a| to_metres(o, a.at)).collect();
    let (x0, y0, x1, y1) = extent(&fence_m, radius_m, &points_m);
    let scale = ((WIDTH - 2.0 * MARGIN) / (x1 - x0)).min((HEIGHT - 2.0 * MARGIN) / (y1 - y0));
    // Centre the drawing in the box; SVG's y grows downwards, north is up.
    let left = (WIDTH - (x1 - x0) * scale) / 2.0;
    let top = (HEIGHT - (y1 - y0) * scale) / 2.0;
    let at = |(x, y): (f64, f64)| (round(left + (x - x0) * scale), round(top + (y1 - y) * scale));
    let drawn_fence = match fence {
        FenceShape::Circle { .. } => {
            let (cx, cy) = at((0.0, 0.0));
            DrawnFence::Circle {
                cx,
                cy,
                r: round(radius_m * scale),
            }
        }
        FenceShape::Polygon(_) => DrawnFence::Polygon {
            points: fence_m
                .iter()
                .map(|p| {
                    let (x, y) = at(*p);
                    format!("{x},{y}")
                })
                .collect::<Vec<_>>()
                .join(" "),
        },
    };
    let points = attempts
        .iter()
        .zip(&points_m)
        .map(|(a, p)| {
            let (x, y) = at(*p);
            DrawnPoint {
                x,
                y,
                colour: a.mark.colour(),
                mark: a.mark.code(),
                label: a.label.clone(),
            }
        })
        .collect();
    let metres = nice_length((WIDTH - 2.0 * MARGIN) / 4.0 / scale);
    Plan {
        width: WIDTH,
        height: HEIGHT,
        fence: drawn_fence,
        points,
        scale: ScaleBar {
            x: MARGIN / 2.0,
            y: HEIGHT - MARGIN / 3.0,
            length: round(metres * scale),
            metres,
        },
    }
}

/// To a tenth of an SVG unit, which keeps the markup short.
fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: LonLat = LonLat {
        lon: 117.1201,
        lat: 36.6512,
    };

    /// `metres` north and east of the site, as the API's tests place check-ins.
    fn off(north: f64, east: f64) -> LonLat {
        LonLat {
            lat: SITE.lat + north / 111_195.0,
            lon: SITE.lon + east / (111_195.0 * SITE.lat.to_radians().cos()),
        }
    }

    fn attempt(at: LonLat, mark: Mark) -> Attempt {
        Attempt {
            at,
            mark,
            label: "1".into(),
        }
    }

    #[test]
    fn the_plane_measures_metres_east_and_north() {
        let (e, n) = to_metres(SITE, off(100.0, 0.0));
        assert!(e.abs() < 0.01 && (n - 100.0).abs() < 0.1, "{e} {n}");
        let (e, n) = to_metres(SITE, off(0.0, -250.0));
        assert!((e + 250.0).abs() < 0.3 && n.abs() < 0.01, "{e} {n}");
    }

    #[test]
    fn a_circle_fills_the_box_centred_and_north_is_up() {
        let fence = FenceShape::Circle {
            centre: SITE,
            radius_m: 300.0,
        };
        let plan = lay_out(&fence, &[attempt(off(150.0, 0.0), Mark::Flagged)]);
        let DrawnFence::Circle { cx, cy, r } = plan.fence else {
            panic!("a circle")
        };
        assert_eq!((cx, cy), (WIDTH / 2.0, HEIGHT / 2.0));
        // The circle's 600 m are the limiting (vertical) span.
        assert_eq!(r, (HEIGHT - 2.0 * MARGIN) / 2.0);
        let p = &plan.points[0];
        assert!((p.x - cx).abs() < 0.2, "due north: straight up");
        assert!((cy - p.y - r / 2.0).abs() < 0.3, "150 m is half the radius up: {}", p.y);
        assert_eq!((p.colour, p.mark), ("#f79009", "flagged"));
    }

    #[test]
    fn a_far_attempt_is_kept_inside_the_box() {
        let fence = FenceShape::Circle {
            centre: SITE,
            radius_m: 100.0,
        };
        let far = off(-900.0, 1500.0);
        let plan = lay_out(&fence, &[attempt(far, Mark::Refused)]);
        let p = &plan.points[0];
        assert!(p.x <= WIDTH - MARGIN + 0.1 && p.y <= HEIGHT - MARGIN + 0.1, "{p:?}");
        let DrawnFence::Circle { cx, cy, r } = plan.fence else {
            panic!("a circle")
        };
        assert!(cx - r >= MARGIN - 0.1 && cy - r >= MARGIN - 0.1);
        assert!(p.x > cx && p.y > cy, "south-east of the centre");
    }

    #[test]
    fn a_polygon_is_drawn_through_its_vertices() {
        let square = FenceShape::Polygon(vec![
            off(100.0, -100.0),
            off(100.0, 100.0),
            off(-100.0, 100.0),
            off(-100.0, -100.0),
        ]);
        let plan = lay_out(&square, &[]);
        let DrawnFence::Polygon { points } = &plan.fence else {
            panic!("a polygon")
        };
        let corners: Vec<(f64, f64)> = points
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        assert_eq!(corners.len(), 4);
        let side = HEIGHT - 2.0 * MARGIN;
        assert!((corners[1].0 - corners[0].0 - side).abs() < 0.5, "{corners:?}");
        assert!(
            (corners[2].1 - corners[1].1 - side).abs() < 0.5,
            "south is down: {corners:?}"
        );
        assert!(
            corners[0].1 < corners[3].1,
            "the north-west corner is above the south-west one"
        );
    }

    #[test]
    fn the_scale_bar_reads_true() {
        let fence = FenceShape::Circle {
            centre: SITE,
            radius_m: 300.0,
        };
        let plan = lay_out(&fence, &[]);
        let DrawnFence::Circle { r, .. } = plan.fence else {
            panic!("a circle")
        };
        let units_per_metre = r / 300.0;
        assert!((plan.scale.length - plan.scale.metres * units_per_metre).abs() < 0.1);
        assert!(plan.scale.length <= (WIDTH - 2.0 * MARGIN) / 4.0 + 0.1);
        assert_eq!(plan.scale.metres, 200.0, "at most a quarter of 568 units, 260 m");
    }

    #[test]
    fn scale_lengths_are_round_numbers() {
        assert_eq!(nice_length(137.0), 100.0);
        assert_eq!(nice_length(260.0), 200.0);
        assert_eq!(nice_length(74.0), 50.0);
        assert_eq!(nice_length(1.0), 1.0);
        assert_eq!(nice_length(0.0), 1.0);
    }

    #[test]
    fn a_lone_point_on_the_centre_is_not_blown_up() {
        let fence = FenceShape::Circle {
            centre: SITE,
            radius_m: 0.0,
        };
        let plan = lay_out(&fence, &[attempt(SITE, Mark::Accepted)]);
        assert_eq!((plan.points[0].x, plan.points[0].y), (WIDTH / 2.0, HEIGHT / 2.0));
        assert!(plan.scale.metres <= MIN_SPAN_M);
    }
}
