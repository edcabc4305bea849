//! Dogs: validated input (`form.rs`), the shapes shown in the UI, and the
//! pages of "My dogs" (`list.rs`).

#[cfg(feature = "ssr")]
pub mod flows;
#[cfg(feature = "ssr")]
pub mod queries;

mod form;
mod list;

pub use form::{DogForm, DogFormErrors, NewDog, fields, parse_date};
pub use list::{DogCursor, DogList, DogSummary};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

crate::keyed::keyed_enum!(
    /// A dog's size class.
    DogSize {
        Small => "small", "Small";
        Medium => "medium", "Medium";
        Large => "large", "Large";
    }
);

/// Breeds offered as suggestions; any text is accepted.
pub const BREED_SUGGESTIONS: &[&str] = &[
    "Mixed breed",
    "Labrador Retriever",
    "Golden Retriever",
    "French Bulldog",
    "Dachshund",
    "Poodle",
    "Border Collie",
    "Beagle",
    "Jack Russell Terrier",
    "Cocker Spaniel",
    "German Shepherd",
    "Greyhound",
    "Whippet",
    "Cavalier King Charles Spaniel",
    "Chihuahua",
    "Pug",
    "Shiba Inu",
    "Staffordshire Bull Terrier",
];

/// Most dogs one account adds (a claim may bring more: it never drops a dog).
pub const MAX_DOGS: i64 = 50;
/// Dogs on one page of "My dogs".
pub const PAGE_SIZE: i64 = 20;
/// Oldest birthday taken, in years before today.
pub const OLDEST_YEARS: i32 = 40;

/// A dog as shown to its owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dog {
    /// `dogs.id`.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Breed.
    pub breed: Option<String>,
    /// Size key.
    pub size: String,
    /// Birthday `YYYY-MM-DD`.
    pub birthday: Option<String>,
    /// Bio.
    pub bio: String,
    /// Photos, newest first.
    pub photos: Vec<crate::photos::Photo>,
}

impl Dog {
    /// The form pre-filled with this dog, for editing.
    pub fn to_form(&self) -> DogForm {
        DogForm {
            name: self.name.clone(),
            breed: self.breed.clone().unwrap_or_default(),
            size: self.size.clone(),
            birthday: self.birthday.clone().unwrap_or_default(),
            bio: self.bio.clone(),
        }
    }
}
