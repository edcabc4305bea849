//! The Paws Inside HTTP server: settings, startup, router and background jobs.
//! `main.rs` is a thin wrapper so integration tests can start the real app.

pub mod acting;
pub mod auth;
pub mod cli;
pub mod csrf;
pub mod form_errors;
pub mod jobs;
pub mod metrics;
pub mod notify;
pub mod openid;
pub mod ops;
pub mod osm;
pub mod page_cache;
pub mod passkeys;
pub mod photos;
pub mod responses;
pub mod routes;
pub mod saved;
pub mod sessions;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod two_step;
pub mod venues;

pub use settings::Settings;
pub use startup::Application;
