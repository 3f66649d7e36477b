//! Positions: latitude and longitude, always with their coordinate system.

use serde::{Deserialize, Deserializer, Serialize};

use super::{InvalidValue, COORDINATES_RANGE};

/// The coordinate system a position is given in: WGS-84 (GPS, `wx.getLocation` by default) or
/// GCJ-02 (China's obfuscated system, used by Chinese map providers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CoordinateSystem {
    Wgs84,
    Gcj02,
}

impl CoordinateSystem {
    pub fn as_str(self) -> &'static str {
        match self {
            CoordinateSystem::Wgs84 => "wgs84",
            CoordinateSystem::Gcj02 => "gcj02",
        }
    }

    pub fn parse(s: &str) -> Option<CoordinateSystem> {
        match s {
            "wgs84" => Some(CoordinateSystem::Wgs84),
            "gcj02" => Some(CoordinateSystem::Gcj02),
            _ => None,
        }
    }
}

/// A position: latitude and longitude in degrees, always with its coordinate system.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
    pub system: CoordinateSystem,
}

impl Coordinates {
    pub fn new(latitude: f64, longitude: f64, system: CoordinateSystem) -> Result<Coordinates, InvalidValue> {
        let valid = latitude.is_finite() && longitude.is_finite() && latitude.abs() <= 90.0 && longitude.abs() <= 180.0;
        if valid {
            Ok(Coordinates {
                latitude,
                longitude,
                system,
            })
        } else {
            Err(COORDINATES_RANGE)
        }
    }
}

impl<'de> Deserialize<'de> for Coordinates {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            latitude: f64,
            longitude: f64,
            system: CoordinateSystem,
        }
        let raw = Raw::deserialize(d)?;
        Coordinates::new(raw.latitude, raw.longitude, raw.system).map_err(serde::de::Error::custom)
    }
}
