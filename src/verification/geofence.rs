//! Geofences: an enterprise's site is a circle (centre and radius) or a polygon; a position is
//! converted to WGS-84 first (GCJ-02 → WGS-84 where needed) and judged with `geo` on the
//! sphere (haversine distances).
//!
//! GCJ-02 is the obfuscated system Chinese maps use: WGS-84 shifted by a published nonlinear
//! offset (a few hundred metres) inside China, unchanged outside. Its inverse has no closed
//! form; `gcj02_to_wgs84` inverts it by fixed-point iteration to well under a millimetre.

use geo::{Closest, ClosestPoint, Contains, Distance, Haversine, LineString, Point, Polygon};

use crate::platform::types::{CoordinateSystem, Coordinates};

/// Krasovsky 1940 ellipsoid, as GCJ-02 uses it.
const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

fn outside_china(lat: f64, lon: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn offset_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn offset_lon(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS-84 → GCJ-02 (latitude, longitude in degrees).
pub fn wgs84_to_gcj02(lat: f64, lon: f64) -> (f64, f64) {
    if outside_china(lat, lon) {
        return (lat, lon);
    }
    let rad = lat.to_radians();
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat =
        offset_lat(lon - 105.0, lat - 35.0) * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * std::f64::consts::PI);
    let d_lon = offset_lon(lon - 105.0, lat - 35.0) * 180.0 / (A / sqrt_magic * rad.cos() * std::f64::consts::PI);
    (lat + d_lat, lon + d_lon)
}

/// GCJ-02 → WGS-84, by iterating the forward transform until it reproduces the input.
pub fn gcj02_to_wgs84(lat: f64, lon: f64) -> (f64, f64) {
    let (mut wlat, mut wlon) = (lat, lon);
    for _ in 0..30 {
        let (glat, glon) = wgs84_to_gcj02(wlat, wlon);
        let (dlat, dlon) = (glat - lat, glon - lon);
        wlat -= dlat;
        wlon -= dlon;
        if dlat.abs() < 1e-10 && dlon.abs() < 1e-10 {
            break;
        }
    }
    (wlat, wlon)
}

/// A position as a WGS-84 point (x = longitude, y = latitude).
pub fn to_wgs84(c: Coordinates) -> Point<f64> {
    let (lat, lon) = match c.system {
        CoordinateSystem::Wgs84 => (c.latitude, c.longitude),
        CoordinateSystem::Gcj02 => gcj02_to_wgs84(c.latitude, c.longitude),
    };
    Point::new(lon, lat)
}

/// Where a check-in may happen.
#[derive(Debug, Clone)]
pub enum Fence {
    Circle { center: Point<f64>, radius_m: f64 },
    Polygon(Polygon<f64>),
}

/// Whether a position is inside, and how far it is: from the centre for a circle, from the
/// boundary for a polygon (0 inside).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judgement {
    pub inside: bool,
    pub distance_m: f64,
}

impl Fence {
    pub fn circle(center: Coordinates, radius_m: f64) -> Fence {
        Fence::Circle {
            center: to_wgs84(center),
            radius_m,
        }
    }

    /// A polygon from at least three vertices (closed automatically).
    pub fn polygon(vertices: &[Coordinates]) -> Option<Fence> {
        (vertices.len() >= 3).then(|| {
            Fence::Polygon(Polygon::new(
                LineString::from(vertices.iter().map(|v| to_wgs84(*v)).collect::<Vec<_>>()),
                vec![],
            ))
        })
    }

    pub fn judge(&self, position: Coordinates) -> Judgement {
        let p = to_wgs84(position);
        match self {
            Fence::Circle { center, radius_m } => {
                let distance_m = Haversine.distance(*center, p);
                Judgement {
                    inside: distance_m <= *radius_m,
                    distance_m,
                }
            }
            Fence::Polygon(polygon) => {
                if polygon.contains(&p) {
                    return Judgement {
                        inside: true,
                        distance_m: 0.0,
                    };
                }
                let nearest = match polygon.exterior().closest_point(&p) {
                    Closest::Intersection(q) | Closest::SinglePoint(q) => q,
                    Closest::Indeterminate => {
                        return Judgement {
                            inside: false,
                            distance_m: f64::INFINITY,
                        }
                    }
                };
                let distance_m = Haversine.distance(nearest, p);
                // A position on the boundary itself counts as inside.
                Judgement {
                    inside: distance_m < 0.01,
                    distance_m,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lon: f64, system: CoordinateSystem) -> Coordinates {
        Coordinates::new(lat, lon, system).unwrap()
    }

    #[test]
    fn gcj02_offsets_a_few_hundred_metres_and_inverts_exactly() {
        for (lat, lon) in [
            (39.908_722, 116.397_499),
            (36.651_2, 117.120_1),
            (22.543_1, 114.057_9),
            (31.230_4, 121.473_7),
        ] {
            let (glat, glon) = wgs84_to_gcj02(lat, lon);
            let shift = Haversine.distance(Point::new(lon, lat), Point::new(glon, glat));
            assert!((100.0..1000.0).contains(&shift), "offset {shift} m at {lat},{lon}");
            let (wlat, wlon) = gcj02_to_wgs84(glat, glon);
            let error = Haversine.distance(Point::new(lon, lat), Point::new(wlon, wlat));
            assert!(error < 0.001, "inverse off by {error} m");
        }
        assert_eq!(
            wgs84_to_gcj02(48.8566, 2.3522),
            (48.8566, 2.3522),
            "unchanged outside China"
        );
    }

    #[test]
    fn circles_measure_from_the_centre() {
        let fence = Fence::circle(at(36.6512, 117.1201, CoordinateSystem::Wgs84), 200.0);
        // 150 m north: 150 / 111 195 degrees of latitude.
        let north = fence.judge(at(36.6512 + 150.0 / 111_195.0, 117.1201, CoordinateSystem::Wgs84));
        assert!(north.inside && (north.distance_m - 150.0).abs() < 1.0, "{north:?}");
        let far = fence.judge(at(36.6512 + 250.0 / 111_195.0, 117.1201, CoordinateSystem::Wgs84));
        assert!(!far.inside && (far.distance_m - 250.0).abs() < 1.0, "{far:?}");
    }

    #[test]
    fn a_gcj02_position_near_the_boundary_is_judged_after_conversion() {
        let (lat, lon) = (36.6512, 117.1201);
        let fence = Fence::circle(at(lat, lon, CoordinateSystem::Wgs84), 100.0);
        // A phone 80 m east of the centre, reporting in GCJ-02 (as Chinese maps do).
        let east = lon + 80.0 / (111_195.0 * lat.to_radians().cos());
        let (glat, glon) = wgs84_to_gcj02(lat, east);
        let judged = fence.judge(at(glat, glon, CoordinateSystem::Gcj02));
        assert!(judged.inside && (judged.distance_m - 80.0).abs() < 0.5, "{judged:?}");
        // Taken as WGS-84 the same numbers would lie hundreds of metres away, outside.
        assert!(!fence.judge(at(glat, glon, CoordinateSystem::Wgs84)).inside);
    }

    #[test]
    fn polygons_contain_or_measure_to_the_boundary() {
        let corner = |dlat: f64, dlon: f64| at(36.65 + dlat, 117.12 + dlon, CoordinateSystem::Wgs84);
        let fence = Fence::polygon(&[
            corner(0.0, 0.0),
            corner(0.002, 0.0),
            corner(0.002, 0.002),
            corner(0.0, 0.002),
        ])
        .unwrap();
        assert_eq!(
            fence.judge(corner(0.001, 0.001)),
            Judgement {
                inside: true,
                distance_m: 0.0
            }
        );
        let south = fence.judge(corner(-0.001, 0.001));
        assert!(!south.inside && (south.distance_m - 111.2).abs() < 1.0, "{south:?}");
        assert!(Fence::polygon(&[corner(0.0, 0.0), corner(0.1, 0.1)]).is_none());
    }
}
