//! The venue directory: home page (filters, list, map), venue pages, and the
//! server functions behind them.

mod api;
mod card;
mod checks;
mod detail;
mod door;
mod filters;
mod home;
mod map;
mod policy;
mod verdict;

pub use api::{directory, get_venue};
pub use detail::VenuePage;
pub use home::HomePage;
pub use map::{VenueMap, markers_json};
