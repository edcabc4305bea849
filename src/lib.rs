//! Paws Inside domain core.
//!
//! Everything outside `db` and `media` compiles to wasm and is shared by the
//! server and the browser: validated domain types and the venue filter that
//! lives in the URL. The `ssr` feature adds the Postgres data layer and photo
//! processing; no web framework lives here.

pub mod auth;
pub mod client_ip;
pub mod email;
pub mod filter;
pub mod geo;
pub mod moderation;
pub mod pet;
pub mod redirect;
pub mod slug;
pub mod suggestion;
pub mod venue;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod media;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod time;

pub use auth::{ClaimChoice, GuestData, LinkCheck, LinkPreview, User};
pub use email::EmailAddress;
pub use filter::VenueFilter;
pub use geo::{BBox, LatLng};
pub use pet::{Pet, PetForm, PetSize, Photo};
pub use slug::Slug;
pub use suggestion::{Suggestion, SuggestionForm};
pub use venue::{Category, DogsInside, MapMarker, SizeLimit, VenueDetail, VenueSummary};
