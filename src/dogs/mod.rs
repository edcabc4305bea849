//! Dogs: validated input and the shape shown in the UI.

#[cfg(feature = "ssr")]
pub mod flows;
#[cfg(feature = "ssr")]
pub mod queries;

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

/// The raw "Add your dog" form, as submitted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DogForm {
    /// Name, 1–50 characters.
    pub name: String,
    /// Breed, optional free text.
    pub breed: String,
    /// `small`, `medium` or `large`.
    pub size: String,
    /// `YYYY-MM-DD` or empty.
    pub birthday: String,
    /// Up to 500 characters.
    pub bio: String,
}

/// A validated dog, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDog {
    /// Trimmed name.
    pub name: String,
    /// Trimmed breed, if any.
    pub breed: Option<String>,
    /// Size class.
    pub size: DogSize,
    /// Birthday as `YYYY-MM-DD`.
    pub birthday: Option<String>,
    /// Trimmed bio.
    pub bio: String,
}

/// What is wrong with a submitted dog, one message per field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DogFormErrors {
    /// Problem with the name.
    pub name: Option<String>,
    /// Problem with the breed.
    pub breed: Option<String>,
    /// Problem with the size.
    pub size: Option<String>,
    /// Problem with the birthday.
    pub birthday: Option<String>,
    /// Problem with the bio.
    pub bio: Option<String>,
}

impl DogFormErrors {
    /// One sentence listing every problem, for a single alert.
    pub fn summary(&self) -> String {
        [&self.name, &self.breed, &self.size, &self.birthday, &self.bio]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl DogForm {
    /// Validates every field, reporting all problems at once.
    pub fn validate(&self, today: (i32, u32, u32)) -> Result<NewDog, DogFormErrors> {
        let mut errors = DogFormErrors::default();
        let name = self.name.trim();
        let name_len = name.chars().count();
        if name_len == 0 {
            errors.name = Some("Please tell us your dog's name.".into());
        } else if name_len > 50 {
            errors.name = Some("The name can be at most 50 characters.".into());
        }
        let breed = self.breed.trim();
        if breed.chars().count() > 60 {
            errors.breed = Some("The breed can be at most 60 characters.".into());
        }
        let size = DogSize::parse(self.size.trim());
        if size.is_none() {
            errors.size = Some("Please choose small, medium or large.".into());
        }
        let birthday = self.birthday.trim();
        let birthday = if birthday.is_empty() {
            None
        } else {
            match parse_date(birthday) {
                Some(d) if d <= today && d.0 >= today.0 - 40 => Some(birthday.to_owned()),
                Some(_) => {
                    errors.birthday =
                        Some("The birthday must be a date in the past (and not too long ago).".into());
                    None
                }
                None => {
                    errors.birthday = Some("The birthday must look like 2021-04-30.".into());
                    None
                }
            }
        };
        let bio = self.bio.trim();
        if bio.chars().count() > 500 {
            errors.bio = Some("The bio can be at most 500 characters.".into());
        }
        if errors != DogFormErrors::default() {
            return Err(errors);
        }
        Ok(NewDog {
            name: name.to_owned(),
            breed: (!breed.is_empty()).then(|| breed.to_owned()),
            size: size.unwrap_or(DogSize::Medium),
            birthday,
            bio: bio.to_owned(),
        })
    }
}

/// Parses `YYYY-MM-DD` into (year, month, day), checking the day exists.
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut parts = s.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (1..=12).contains(&m).then_some(())?;
    (1..=days[m as usize - 1]).contains(&d).then_some((y, m, d))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (i32, u32, u32) = (2026, 11, 22);

    fn form(name: &str, size: &str, birthday: &str) -> DogForm {
        DogForm {
            name: name.into(),
            size: size.into(),
            birthday: birthday.into(),
            ..Default::default()
        }
    }

    #[test]
    fn validates() {
        let ok = form("  Bentley ", "medium", "2019-02-28")
            .validate(TODAY)
            .unwrap();
        assert_eq!(ok.name, "Bentley");
        assert_eq!(ok.birthday.as_deref(), Some("2019-02-28"));
        let err = form("", "huge", "2019-02-30").validate(TODAY).unwrap_err();
        assert!(err.name.is_some() && err.size.is_some() && err.birthday.is_some());
        assert!(
            form(&"x".repeat(51), "small", "")
                .validate(TODAY)
                .unwrap_err()
                .name
                .is_some()
        );
        assert!(
            form("Rex", "small", "2027-01-01")
                .validate(TODAY)
                .unwrap_err()
                .birthday
                .is_some()
        );
        let bio = DogForm {
            bio: "é".repeat(500),
            ..form("Rex", "large", "")
        };
        assert!(bio.validate(TODAY).is_ok(), "500 characters, not bytes");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2023-13-01"), None);
        assert_eq!(parse_date("23-1-1"), None);
    }
}
