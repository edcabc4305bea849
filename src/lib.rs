//! Paws Inside domain core.
//!
//! Everything outside `db` and `media` compiles to wasm and is shared by the
//! server and the browser: validated domain types and the venue filter that
//! lives in the URL. The `ssr` feature adds the Postgres data layer and photo
//! processing; no web framework lives here.

pub mod auth;
pub mod contributions;
pub mod dogs;
pub use anonymous_first::email;
pub mod funnel;
pub mod geo;
mod keyed;
pub mod moderation;
pub mod photos;
pub use anonymous_first::redirect;
pub mod saved;
pub mod slug;
pub mod suggestions;
pub mod text;
pub mod venues;

#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod errors;
#[cfg(feature = "ssr")]
pub mod hooks;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub use anonymous_first::{client_ip, password};
pub mod time;

pub use auth::{ClaimChoice, GuestData, LinkCheck, LinkPreview, User};
pub use dogs::{Dog, DogForm, DogSize};
pub use email::EmailAddress;
pub use geo::{BBox, LatLng};
pub use photos::Photo;
pub use slug::Slug;
pub use suggestions::{Suggestion, SuggestionForm};
pub use venues::{
    Category, Cluster, DirectoryPage, DirectoryQuery, DogsInside, MapMarker, MapView, SizeLimit, Total,
    VenueDetail, VenueFilter, VenueSummary,
};
