//! Venue suggestions: validated input and what "My suggestions" shows.

#[cfg(feature = "ssr")]
pub mod flows;
#[cfg(feature = "ssr")]
pub mod queries;

use crate::geo::LatLng;
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
}

/// A validated suggestion.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSuggestion {
    /// Name.
    pub name: String,
    /// Category.
    pub category: Category,
    /// Address.
    pub address: String,
    /// City.
    pub city: String,
    /// Where dogs may go inside.
    pub dogs_inside: DogsInside,
    /// Size limit.
    pub size_limit: SizeLimit,
    /// Water bowl offered.
    pub water_bowl: bool,
    /// Treats offered.
    pub treats: bool,
    /// Notes.
    pub notes: String,
    /// Location, if picked.
    pub location: Option<LatLng>,
}

fn text(value: &str, max: usize, label: &str, required: bool, problems: &mut Vec<String>) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        problems.push(format!("{label} is required."));
    } else if v.chars().count() > max {
        problems.push(format!("{label} can be at most {max} characters."));
    }
    v.to_owned()
}

impl SuggestionForm {
    /// Validates the form; the error lists every problem in one sentence each.
    pub fn validate(&self) -> Result<NewSuggestion, Vec<String>> {
        let mut problems = Vec::new();
        let name = text(&self.name, 120, "The name", true, &mut problems);
        let address = text(&self.address, 200, "The address", true, &mut problems);
        let city = text(&self.city, 80, "The city", true, &mut problems);
        let notes = text(&self.notes, 1000, "The notes", false, &mut problems);
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
}
