//! The dog form: each field read by its [`Field`](crate::text::Field), the
//! birthday a real, past, recent day.

use super::{DogSize, OLDEST_YEARS};
use crate::text::Text;
use serde::{Deserialize, Serialize};

/// How each field of the dog form is read.
pub mod fields {
    use crate::text::Field;

    /// The dog's name.
    pub const NAME: Field = Field::line("The name", 50).required("Please tell us your dog's name.");
    /// The breed, optional free text.
    pub const BREED: Field = Field::line("The breed", 60);
    /// The birthday as the date field sends it.
    pub const BIRTHDAY: Field = Field::line("The birthday", 10);
    /// "About": a few lines.
    pub const BIO: Field = Field::lines("The bio", 500);
}

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
    /// Name.
    pub name: Text,
    /// Breed, if any.
    pub breed: Option<Text>,
    /// Size class.
    pub size: DogSize,
    /// Birthday as `YYYY-MM-DD`.
    pub birthday: Option<String>,
    /// Bio (may be empty).
    pub bio: Text,
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

/// The value, or its message put in `slot`.
fn note<T>(read: Result<T, impl ToString>, slot: &mut Option<String>) -> Option<T> {
    read.map_err(|e| *slot = Some(e.to_string())).ok()
}

impl DogForm {
    /// Validates every field, reporting all problems at once.
    pub fn validate(&self, today: (i32, u32, u32)) -> Result<NewDog, DogFormErrors> {
        let mut errors = DogFormErrors::default();
        let name = note(fields::NAME.read(&self.name), &mut errors.name);
        let breed = note(fields::BREED.read_optional(&self.breed), &mut errors.breed);
        let size = DogSize::parse(self.size.trim());
        if size.is_none() {
            errors.size = Some("Please choose small, medium or large.".into());
        }
        let birthday = note(
            fields::BIRTHDAY
                .read_optional(&self.birthday)
                .map_err(|e| e.to_string())
                .and_then(|b| b.map(|b| birthday(b.as_str(), today)).transpose()),
            &mut errors.birthday,
        );
        let bio = note(fields::BIO.read(&self.bio), &mut errors.bio);
        match (name, breed, size, birthday, bio) {
            (Some(name), Some(breed), Some(size), Some(birthday), Some(bio)) => Ok(NewDog {
                name,
                breed,
                size,
                birthday,
                bio,
            }),
            _ => Err(errors),
        }
    }
}

/// A birthday as typed: a real date, not in the future, at most
/// [`OLDEST_YEARS`] back; written back as `YYYY-MM-DD`.
fn birthday(typed: &str, today: (i32, u32, u32)) -> Result<String, String> {
    let Some((y, m, d)) = parse_date(typed) else {
        return Err("The birthday must be a real date, like 2021-04-30.".into());
    };
    if (y, m, d) > today {
        return Err("The birthday cannot be in the future.".into());
    }
    if y < today.0 - OLDEST_YEARS {
        return Err(format!(
            "The birthday cannot be more than {OLDEST_YEARS} years ago."
        ));
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// Parses `YYYY-MM-DD` (digits only) into (year, month, day), checking the day exists.
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut parts = s.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    // `"+1".parse::<u32>()` is 1: only digits are a date.
    if ![y, m, d].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
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
        assert_eq!(ok.name.as_str(), "Bentley");
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
        assert_eq!(parse_date("2021-+1-+1"), None, "a sign is not a digit");
        assert_eq!(parse_date("2021-01-1 "), None);
    }

    #[test]
    fn birthdays_are_real_past_and_recent_days() {
        let said = |b: &str| {
            form("Rex", "small", b)
                .validate(TODAY)
                .unwrap_err()
                .birthday
                .unwrap()
        };
        assert_eq!(
            said("2021-+1-+1"),
            "The birthday must be a real date, like 2021-04-30."
        );
        assert_eq!(said("2026-11-23"), "The birthday cannot be in the future.");
        assert_eq!(
            said("1985-01-01"),
            "The birthday cannot be more than 40 years ago."
        );
        assert!(said("2021\0-01-01").contains("hidden character"));
        let today = form("Rex", "small", " 2026-11-22 ").validate(TODAY).unwrap();
        assert_eq!(today.birthday.as_deref(), Some("2026-11-22"));
    }

    #[test]
    fn every_text_field_refuses_hidden_characters() {
        let bad = DogForm {
            name: "Re\0x".into(),
            breed: "Poodle\u{202E}".into(),
            bio: "Good\u{1}".into(),
            ..form("", "small", "")
        };
        let err = bad.validate(TODAY).unwrap_err();
        assert!(
            err.name
                .unwrap()
                .starts_with("The name contains a hidden character")
        );
        assert!(err.breed.unwrap().starts_with("The breed contains"));
        assert!(err.bio.unwrap().starts_with("The bio contains"));
        let lines = DogForm {
            bio: "Line one\r\nline two".into(),
            ..form("Rex", "small", "")
        };
        assert_eq!(lines.validate(TODAY).unwrap().bio.as_str(), "Line one\nline two");
    }
}
