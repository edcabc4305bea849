//! Coordinates and bounding boxes, validated before they reach SQL.

use serde::{Deserialize, Serialize};

/// A WGS84 coordinate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatLng {
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
    /// Longitude in degrees, -180..=180.
    pub lng: f64,
}

impl LatLng {
    /// Checks the ranges; NaN and infinities are rejected.
    pub fn new(lat: f64, lng: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng)).then_some(Self { lat, lng })
    }

    /// Great-circle distance in metres (haversine on a sphere of the Earth's
    /// mean radius: off by under 0.5 %, plenty for "350 m away").
    pub fn metres_to(&self, other: LatLng) -> f64 {
        const EARTH_M: f64 = 6_371_000.0;
        let (a, b) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = b - a;
        let dlng = (other.lng - self.lng).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + a.cos() * b.cos() * (dlng / 2.0).sin().powi(2);
        2.0 * EARTH_M * h.sqrt().min(1.0).asin()
    }
}

/// A distance as a person says it: "80 m", "350 m", "1.2 km", "14 km" away.
pub fn describe_distance(metres: f64) -> String {
    if !metres.is_finite() || metres < 0.0 {
        return String::new();
    }
    if metres < 995.0 {
        // To 10 m: a GPS fix is not finer than that.
        format!("{} m away", ((metres / 10.0).round() as i64 * 10).max(10))
    } else if metres < 9_950.0 {
        format!("{:.1} km away", metres / 1000.0)
    } else {
        format!("{} km away", (metres / 1000.0).round() as i64)
    }
}

/// The visible map area: south-west and north-east corners.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BBox {
    /// Southern edge (min latitude).
    pub south: f64,
    /// Western edge (min longitude).
    pub west: f64,
    /// Northern edge (max latitude).
    pub north: f64,
    /// Eastern edge (max longitude).
    pub east: f64,
}

impl BBox {
    /// Builds a box from the map's edges, clamping to the world and rejecting
    /// inverted or non-finite boxes. A box across the antimeridian is widened to
    /// the whole longitude range rather than split in two.
    pub fn new(south: f64, west: f64, north: f64, east: f64) -> Option<Self> {
        if ![south, west, north, east].iter().all(|v| v.is_finite()) || south > north {
            return None;
        }
        let (west, east) = if west > east {
            (-180.0, 180.0)
        } else {
            (west, east)
        };
        Some(Self {
            south: south.clamp(-90.0, 90.0),
            west: west.clamp(-180.0, 180.0),
            north: north.clamp(-90.0, 90.0),
            east: east.clamp(-180.0, 180.0),
        })
    }

    /// The middle of the box.
    pub fn centre(&self) -> LatLng {
        LatLng {
            lat: (self.south + self.north) / 2.0,
            lng: (self.west + self.east) / 2.0,
        }
    }

    /// Whether the point lies inside (edges included).
    pub fn contains(&self, p: LatLng) -> bool {
        (self.south..=self.north).contains(&p.lat) && (self.west..=self.east).contains(&p.lng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_read_as_people_say_them() {
        let berlin = LatLng::new(52.52, 13.405).unwrap();
        let potsdam = LatLng::new(52.3906, 13.0645).unwrap();
        let km = berlin.metres_to(potsdam) / 1000.0;
        assert!((26.0..28.0).contains(&km), "{km}");
        assert_eq!(berlin.metres_to(berlin), 0.0);
        assert_eq!(describe_distance(0.0), "10 m away");
        assert_eq!(describe_distance(347.0), "350 m away");
        assert_eq!(describe_distance(994.0), "990 m away");
        assert_eq!(describe_distance(1_234.0), "1.2 km away");
        assert_eq!(describe_distance(14_400.0), "14 km away");
        assert_eq!(describe_distance(f64::NAN), "");
    }

    #[test]
    fn latlng_ranges() {
        assert!(LatLng::new(52.52, 13.4).is_some());
        assert!(LatLng::new(91.0, 0.0).is_none());
        assert!(LatLng::new(f64::NAN, 0.0).is_none());
    }

    #[test]
    fn bbox_validation() {
        let b = BBox::new(52.0, 13.0, 53.0, 14.0).unwrap();
        assert!(b.contains(LatLng { lat: 52.5, lng: 13.4 }));
        assert!(!b.contains(LatLng { lat: 48.8, lng: 2.3 }));
        assert!(BBox::new(53.0, 13.0, 52.0, 14.0).is_none(), "inverted latitudes");
        assert!(BBox::new(f64::INFINITY, 0.0, 1.0, 1.0).is_none());
        let wrap = BBox::new(-10.0, 170.0, 10.0, -170.0).unwrap();
        assert_eq!((wrap.west, wrap.east), (-180.0, 180.0));
        let big = BBox::new(-100.0, -500.0, 100.0, 500.0).unwrap();
        assert_eq!(
            (big.south, big.west, big.north, big.east),
            (-90.0, -180.0, 90.0, 180.0)
        );
    }
}
