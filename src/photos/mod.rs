//! Photos of dogs, at venues or of a dog: the shapes the UI shows, and with
//! `ssr` the safe decoding of untrusted uploads (`process`), the file store
//! (`store`), the queries and the upload flow (`service`).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub mod clients;
#[cfg(feature = "ssr")]
pub mod flows;
#[cfg(feature = "ssr")]
pub mod process;
#[cfg(feature = "ssr")]
pub mod queries;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
mod shrink;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "ssr")]
pub use flows::UploadError;
#[cfg(feature = "ssr")]
pub use process::{PhotoError, PhotoLimits, Processed};
#[cfg(feature = "ssr")]
pub use service::{Admission, PhotoService, StoreError};
#[cfg(feature = "ssr")]
pub use store::PhotoStore;

/// A report's optional note (one line, as its form has it).
pub const REPORT_NOTE: crate::text::Field = crate::text::Field::line("The note", 500);

/// A client's third upload while two are still on their way.
pub const IN_FLIGHT: &str =
    "Two photos are already on their way from your connection. Please send this one when they are done.";

/// A photo whose upload did not finish in time.
pub const TOO_SLOW: &str = "The photo took too long to arrive, so it was not kept. \
    Please try again on a faster connection, or choose a smaller photo.";

/// The message for a photo error code from a no-JavaScript upload redirect.
/// Codes, not text, travel in the URL so nobody can put their words on our page.
pub fn photo_error_message(code: &str) -> &'static str {
    match code {
        "empty" => "That file is empty. Please choose a photo.",
        "too_large" => "That photo is too big. Please choose a smaller one.",
        "not_image" => "That file is not a photo we can use. Please upload a JPEG, PNG or WebP image.",
        "too_many_pixels" => "That image has too many pixels. Please choose a smaller one.",
        "corrupt" => "That photo seems damaged or incomplete. Please try another file.",
        "no_dog" => "That dog could not be found.",
        "no_venue" => "That venue does not exist.",
        "rate_limited" => "That is a lot of photos in a short time. Please try again in an hour.",
        "busy" => "Many photos are arriving right now. Please try again in a few seconds.",
        "in_flight" => IN_FLIGHT,
        "too_slow" => TOO_SLOW,
        "store_down" => "Photos cannot be saved right now. Please try again in a minute.",
        _ => "The photo could not be uploaded. Please try again.",
    }
}

/// A stored photo; files are served from `/media/{key}/{variant}.jpg`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Photo {
    /// `media.id`.
    pub id: Uuid,
    /// Storage key (32 hex characters).
    pub storage_key: String,
    /// Display width in pixels.
    pub width: i32,
    /// Display height in pixels.
    pub height: i32,
}

impl Photo {
    /// URL of the display-size image.
    pub fn display_url(&self) -> String {
        format!("/photos/{}/display.jpg", self.storage_key)
    }

    /// URL of the thumbnail.
    pub fn thumb_url(&self) -> String {
        format!("/photos/{}/thumb.jpg", self.storage_key)
    }
}

/// A photo on a venue page, with the dog's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenuePhoto {
    /// The photo.
    pub photo: Photo,
    /// The dog in it, if named.
    pub dog_name: Option<String>,
    /// The viewer added it (its page offers "Delete"). Only ever true in a
    /// page rendered for a request with a session, which the page cache
    /// never keeps: a cookie-less render has no viewer.
    #[serde(default)]
    pub mine: bool,
}
