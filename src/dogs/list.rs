//! "My dogs" a page at a time: what a page holds and where the next starts.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A dog as listed on "My dogs": enough for its card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DogSummary {
    /// `dogs.id`.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Breed.
    pub breed: Option<String>,
    /// Size key.
    pub size: String,
    /// Its newest photo, if any.
    pub thumb: Option<crate::photos::Photo>,
}

/// One page of "My dogs", oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DogList {
    /// At most [`PAGE_SIZE`](super::PAGE_SIZE) dogs.
    pub dogs: Vec<DogSummary>,
    /// Where the next page starts (`/dogs?after=…`), when there is one.
    pub next: Option<String>,
}

/// Where a page of "My dogs" starts: just after the dog added at `micros`
/// (since 1970, UTC) with id `id`. In the URL as `micros.id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DogCursor {
    /// The previous page's last dog's `created_at`, in microseconds.
    pub micros: i64,
    /// Its id (dogs added in the same microsecond go by id).
    pub id: Uuid,
}

impl DogCursor {
    /// Latest time a cursor may name (the year 3000): what the database can
    /// add to 1970 without overflowing, and later than any dog.
    const LATEST: i64 = 32_503_680_000_000_000;

    /// The URL's form.
    pub fn to_param(self) -> String {
        format!("{}.{}", self.micros, self.id)
    }

    /// Reads the URL's form; `None` for anything else (the first page is shown).
    pub fn parse(param: &str) -> Option<Self> {
        let (micros, id) = param.split_once('.')?;
        let micros: i64 = micros.parse().ok().filter(|m| (0..=Self::LATEST).contains(m))?;
        Some(Self {
            micros,
            id: Uuid::parse_str(id).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_refuse_junk() {
        let c = DogCursor {
            micros: 1_764_000_000_123_456,
            id: Uuid::nil(),
        };
        assert_eq!(DogCursor::parse(&c.to_param()), Some(c));
        for junk in [
            "",
            "1",
            "x.y",
            "-5.00000000-0000-0000-0000-000000000000",
            "99999999999999999.00000000-0000-0000-0000-000000000000",
        ] {
            assert_eq!(DogCursor::parse(junk), None, "{junk}");
        }
    }
}
