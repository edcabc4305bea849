//! "Is it this place?": the listed venues a suggestion may repeat — the same
//! name within about 100 m of the picked point, or the same address in the
//! same city once both are normalised (see the `suggestion_duplicates`
//! migration). The person may still send it when they say it is another place.

use crate::geo::LatLng;
use crate::suggestions::Listed;
use anyhow::Context;
use sqlx::PgPool;

/// How far (metres, each way) the same name counts as the same place.
pub const SAME_PLACE_METRES: f64 = 100.0;

/// Most look-alikes shown.
const MOST: i64 = 3;

/// Metres in a degree of latitude.
const METRES_PER_DEGREE: f64 = 111_320.0;

/// The listed venues a place of this name, address and city (at `location`,
/// if picked) may repeat, nearest first when a point was picked.
pub async fn look_alikes(
    pool: &PgPool,
    name: &str,
    address: &str,
    city: &str,
    location: Option<LatLng>,
) -> anyhow::Result<Vec<Listed>> {
    let (lat, lng) = location.map(|p| (p.lat, p.lng)).unzip();
    let dlat = SAME_PLACE_METRES / METRES_PER_DEGREE;
    let dlng = lat.map(|lat: f64| dlat / lat.to_radians().cos().max(0.01));
    sqlx::query_as(
        "SELECT slug, name, address, city FROM venues
         WHERE paws_address_key(address, city) = paws_address_key($1, $2)
            OR ($3::float8 IS NOT NULL
                AND location <@ box(point($4 - $6, $3 - $5), point($4 + $6, $3 + $5))
                AND paws_name_key(name) = paws_name_key($7))
         ORDER BY CASE WHEN $3::float8 IS NULL THEN 0 ELSE location <-> point($4, $3) END, slug
         LIMIT $8",
    )
    .bind(address)
    .bind(city)
    .bind(lat)
    .bind(lng)
    .bind(dlat)
    .bind(dlng)
    .bind(name)
    .bind(MOST)
    .fetch_all(pool)
    .await
    .context("failed to look for a listed venue like a suggestion")
}
