//! The integration tests: one binary (one link of the whole app, not one per
//! file), a module per feature. Every test gets its own database cloned from a
//! migrated template and the real application on a free port (`common`).

mod accounts;
mod acting;
mod admin;
mod attacks;
mod bans;
mod bucket;
mod change_email;
mod checks;
mod claims;
mod codes;
mod common;
mod deletion;
mod directory;
mod dogs;
mod farewells;
mod funnel;
mod guests;
mod identity;
mod instances;
mod limits;
mod logs;
mod mail;
mod map;
mod metrics;
mod migrations;
mod mine;
mod openid;
mod ops;
mod osm;
mod page_cache;
mod passkeys;
mod photos;
mod policy;
mod saved;
mod search;
mod suggestions;
mod text_input;
mod upload_checks;
mod upload_places;
mod venue_door;
mod verdict;
