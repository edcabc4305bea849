//! Venue suggestions: validated input and what "My suggestions" shows.

#[cfg(feature = "ssr")]
pub mod duplicates;
#[cfg(feature = "ssr")]
pub mod flows;
#[cfg(feature = "ssr")]
pub mod queries;
#[cfg(feature = "ssr")]
pub mod withdraw;

use crate::geo::LatLng;
use crate::text::{Field, Text};
use crate::venues::{Category, DogsInside, SizeLimit};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The raw "Suggest a venue" form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SuggestionForm {
    /// Venue name.
    pub name: String,
    /// Category key.
    pub category: String,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// `yes` or `some_areas`.
    pub dogs_inside: String,
    /// Size-limit key.
    pub size_limit: String,
    /// Checkbox: `1`/`on` when checked.
    pub water_bowl: String,
    /// Checkbox: `1`/`on` when checked.
    pub treats: String,
    /// Free text.
    pub notes: String,
    /// Latitude picked on the map, optional.
    pub lat: String,
    /// Longitude picked on the map, optional.
    pub lng: String,
    /// Checkbox: the person says it is not the listed place we asked about.
    pub different_place: String,
}

/// A validated suggestion.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSuggestion {
    /// Name.
    pub name: Text,
    /// Category.
    pub category: Category,
    /// Address.
    pub address: Text,
    /// City.
    pub city: Text,
    /// Where dogs may go inside.
    pub dogs_inside: DogsInside,
    /// Size limit.
    pub size_limit: SizeLimit,
    /// Water bowl offered.
    pub water_bowl: bool,
    /// Treats offered.
    pub treats: bool,
    /// Notes (may be empty).
    pub notes: Text,
    /// Location, if picked.
    pub location: Option<LatLng>,
    /// The person said it is not a place already listed.
    pub different_place: bool,
}

/// A listed venue a suggestion may repeat ("Is it this place?").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Listed {
    /// Its page's slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
}

/// How a refusal for a look-alike begins, so the form can tell it from
/// other mistakes and offer the listed places and "It is a different place".
pub const IS_IT_THIS_PLACE: &str = "Is it this place?";

/// How each text field of the suggestion form (and of the admin's edit of a
/// suggestion or venue) is read.
pub mod fields {
    use crate::text::Field;

    /// The place's name.
    pub const NAME: Field = Field::line("The name", 120).required("Please tell us the name of the place.");
    /// Street address.
    pub const ADDRESS: Field = Field::line("The address", 200).required("Please tell us the street address.");
    /// City.
    pub const CITY: Field = Field::line("The city", 80).required("Please tell us the city.");
    /// "Anything else?": a few lines.
    pub const NOTES: Field = Field::lines("The note", 1000);
}

/// Reads one field, its problem (if any) added to `problems`.
fn text(field: &Field, value: &str, problems: &mut Vec<String>) -> Text {
    field.read(value).unwrap_or_else(|e| {
        problems.push(e.to_string());
        Text::default()
    })
}

impl SuggestionForm {
    /// Validates the form; the error lists every problem in one sentence each.
    pub fn validate(&self) -> Result<NewSuggestion, Vec<String>> {
        let mut problems = Vec::new();
        let name = text(&fields::NAME, &self.name, &mut problems);
        let address = text(&fields::ADDRESS, &self.address, &mut problems);
        let city = text(&fields::CITY, &self.city, &mut problems);
        let notes = text(&fields::NOTES, &self.notes, &mut problems);
        let category = Category::parse(self.category.trim());
        if category.is_none() {
            problems.push("Please choose what kind of place it is.".into());
        }
        let dogs_inside = DogsInside::parse(self.dogs_inside.trim());
        if dogs_inside.is_none() {
            problems.push("Please say where dogs may go inside.".into());
        }
        let size_limit = SizeLimit::parse(self.size_limit.trim());
        if size_limit.is_none() {
            problems.push("Please choose which dog sizes are welcome.".into());
        }
        let location = match (self.lat.trim(), self.lng.trim()) {
            ("", "") => None,
            (lat, lng) => match (lat.parse(), lng.parse()) {
                (Ok(lat), Ok(lng)) => {
                    let p = LatLng::new(lat, lng);
                    if p.is_none() {
                        problems.push("The map location is out of range.".into());
                    }
                    p
                }
                _ => {
                    problems.push("The map location is not valid.".into());
                    None
                }
            },
        };
        let flag = |v: &str| matches!(v.trim(), "1" | "on" | "true" | "yes");
        match (category, dogs_inside, size_limit) {
            (Some(category), Some(dogs_inside), Some(size_limit)) if problems.is_empty() => {
                Ok(NewSuggestion {
                    name,
                    category,
                    address,
                    city,
                    dogs_inside,
                    size_limit,
                    water_bowl: flag(&self.water_bowl),
                    treats: flag(&self.treats),
                    notes,
                    location,
                    different_place: flag(&self.different_place),
                })
            }
            _ => Err(problems),
        }
    }
}

/// A suggestion as listed on "My suggestions".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Suggestion {
    /// `venue_suggestions.id`.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// City.
    pub city: String,
    /// Category key.
    pub category: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// Submission date, formatted.
    pub created_on: String,
    /// Why it was not added (rejected only).
    pub reject_reason: Option<String>,
    /// The public venue's slug (approved only).
    pub venue_slug: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> SuggestionForm {
        SuggestionForm {
            name: "Café Olive".into(),
            category: "cafe".into(),
            address: "Weserstraße 12".into(),
            city: "Berlin".into(),
            dogs_inside: "yes".into(),
            size_limit: "any".into(),
            water_bowl: "on".into(),
            ..Default::default()
        }
    }

    #[test]
    fn validates() {
        let s = valid().validate().unwrap();
        assert!(s.water_bowl && !s.treats && s.location.is_none());
        let with_loc = SuggestionForm {
            lat: "52.48".into(),
            lng: "13.43".into(),
            ..valid()
        };
        assert!(with_loc.validate().unwrap().location.is_some());
        let bad = SuggestionForm {
            name: " ".into(),
            category: "zoo".into(),
            lat: "91".into(),
            lng: "0".into(),
            ..valid()
        };
        assert_eq!(bad.validate().unwrap_err().len(), 3);
    }

    #[test]
    fn every_text_field_is_read_by_its_field() {
        let bad = SuggestionForm {
            name: "Caf\u{0}e".into(),
            address: "Street\n2".into(),
            city: "B".repeat(81),
            notes: "Ring\u{1B}[2J".into(),
            ..valid()
        };
        let problems = bad.validate().unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with("The name contains a hidden character"));
        assert_eq!(
            problems[1],
            "The address must be one line of text (no line breaks or tabs)."
        );
        assert_eq!(problems[2], "The city can be at most 80 characters.");
        assert!(problems[3].starts_with("The note contains a hidden character"));
        let notes = SuggestionForm {
            notes: "Ask for Maria.\r\nBowl by the door.".into(),
            ..valid()
        };
        assert_eq!(
            notes.validate().unwrap().notes.as_str(),
            "Ask for Maria.\nBowl by the door."
        );
    }
}
