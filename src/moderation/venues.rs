//! Admin edits of public venues: `updated_at` moves and an audit row records
//! who changed what, in the same transaction.

use super::queries::audit;
use crate::suggestions::NewSuggestion;
use crate::text::Field;
use crate::venues::{door, hours};
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

/// The phone and opening hours fields as typed.
const PHONE: Field = Field::line("The phone number", door::PHONE_MAX);
const HOURS: Field = Field::line("The opening hours", door::HOURS_MAX);

/// What the edit form sends for the venue's door, as typed.
#[derive(Clone, Debug, Default)]
pub struct DoorForm {
    /// Website (empty: none).
    pub website: String,
    /// Phone number (empty: none).
    pub phone: String,
    /// OSM `opening_hours` text (empty: none).
    pub opening_hours: String,
}

/// The door's fields, checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Door {
    /// An http(s) address with a host.
    pub website: Option<String>,
    /// A number people can dial.
    pub phone: Option<String>,
    /// Text the opening-hours parser reads.
    pub opening_hours: Option<String>,
}

impl DoorForm {
    /// Checks the phone and opening hours (`website` was checked by the
    /// caller); the refusal is the sentence the admin sees.
    pub fn read(&self, website: Option<&str>) -> Result<Door, String> {
        let phone = PHONE.read(&self.phone).map_err(|e| e.to_string())?;
        let phone = door::phone(phone.as_str()).map_err(str::to_owned)?;
        let opening_hours = HOURS
            .read(&self.opening_hours)
            .map_err(|e| e.to_string())?
            .non_empty();
        if let Some(raw) = &opening_hours {
            hours::check(raw.as_str())?;
        }
        Ok(Door {
            website: website.map(str::to_owned),
            phone,
            opening_hours: opening_hours.map(|h| h.as_str().to_owned()),
        })
    }
}

/// Saves an admin's edit of the venue `slug` (the slug itself stays, so links
/// keep working), its door included (`None` removes a field). False when there
/// is no such venue.
pub async fn update(
    pool: &PgPool,
    admin: Uuid,
    slug: &str,
    v: &NewSuggestion,
    door: &Door,
) -> anyhow::Result<bool> {
    let location = v.location.context("a venue needs a location")?;
    let mut tx = pool.begin().await.context("failed to begin venue edit")?;
    let before: Option<(Uuid, serde_json::Value)> = sqlx::query_as(
        "SELECT id, jsonb_build_object('name', name, 'category', category, 'address', address, 'city', city,
                  'lat', location[1], 'lng', location[0], 'dogs_inside', dogs_inside, 'size_limit', size_limit,
                  'water_bowl', water_bowl, 'treats', treats, 'policy_notes', policy_notes, 'website', website,
                  'phone', phone, 'opening_hours', opening_hours)
         FROM venues WHERE slug = $1 FOR UPDATE",
    )
    .bind(slug)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to lock venue")?;
    let Some((id, before)) = before else {
        return Ok(false);
    };
    sqlx::query(
        "UPDATE venues SET name = $2, category = $3, address = $4, city = $5, location = point($6, $7),
           -- The edit form offers the two inside keys only: a structured
           -- 'outside_only'/'not_allowed' (a proposal's) stays until a proposal changes it.
           dogs_inside = CASE WHEN dogs_inside IN ('outside_only', 'not_allowed') THEN dogs_inside ELSE $8 END,
           size_limit = $9, water_bowl = $10, treats = $11, policy_notes = $12, updated_at = now(),
           admin_edited_at = now(), website = $13, phone = $14, opening_hours = $15
         WHERE id = $1",
    )
    .bind(id)
    .bind(v.name.as_str())
    .bind(v.category.as_str())
    .bind(v.address.as_str())
    .bind(v.city.as_str())
    .bind(location.lng)
    .bind(location.lat)
    .bind(v.dogs_inside.as_str())
    .bind(v.size_limit.as_str())
    .bind(v.water_bowl)
    .bind(v.treats)
    .bind(v.notes.as_str())
    .bind(&door.website)
    .bind(&door.phone)
    .bind(&door.opening_hours)
    .execute(&mut *tx)
    .await
    .context("failed to update venue")?;
    audit(
        &mut tx,
        Some(admin),
        "venue_edit",
        slug,
        serde_json::json!({ "before": before, "name": v.name.as_str() }),
    )
    .await?;
    tx.commit().await.context("failed to commit venue edit")?;
    Ok(true)
}
