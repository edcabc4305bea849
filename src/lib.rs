//! Paws Inside domain core.
//!
//! Everything outside `db` compiles to wasm and is shared by the server and the
//! browser: validated domain types and the venue filter that lives in the URL.
//! The `ssr` feature adds the Postgres data layer; no web framework lives here.

pub mod filter;
pub mod geo;
pub mod slug;
pub mod venue;

#[cfg(feature = "ssr")]
pub mod db;

pub use filter::VenueFilter;
pub use geo::{BBox, LatLng};
pub use slug::Slug;
pub use venue::{Category, DogsInside, MapMarker, SizeLimit, VenueDetail, VenueSummary};
