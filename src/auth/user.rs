//! Who is making a request: the crate's [`anonymous_first::User`] with Paws
//! Inside's own fields of a member (its [`Profile`]), read in the request's
//! one session lookup.

use serde::{Deserialize, Serialize};

/// A guest or a member, with Paws Inside's profile.
pub type User = anonymous_first::User<Profile>;

/// What Paws Inside keeps on a member besides the address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The name the person gave, if any.
    pub display_name: Option<String>,
    /// Holds the admin role right now.
    #[serde(default)]
    pub admin: bool,
}

impl anonymous_first::Profile for Profile {
    fn name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
}

#[cfg(feature = "ssr")]
impl anonymous_first::ProfileRow for Profile {
    const COLUMNS: &'static str = "u.display_name, u.role = 'admin'";

    fn from_row(row: &sqlx::postgres::PgRow, first: usize) -> sqlx::Result<Self> {
        use sqlx::Row as _;
        Ok(Self {
            display_name: row.try_get(first)?,
            admin: row.try_get(first + 1)?,
        })
    }
}

/// The user is a member holding the admin role (as the users row said at
/// this request's session lookup).
pub fn is_admin(user: Option<&User>) -> bool {
    user.and_then(User::profile).is_some_and(|p| p.admin)
}
