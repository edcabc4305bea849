//! Who is making a request: the small record kept in the session.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The signed-in user (guest or member) as stored in the session, so a request
/// needs no query beyond the one session lookup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// `users.id`.
    pub id: Uuid,
    /// A guest: a real row, but no email yet.
    pub is_anonymous: bool,
    /// Display name, if the person gave one.
    pub display_name: Option<String>,
    /// The account's email (members only). Defaulted so sessions written
    /// before the field existed still read.
    #[serde(default)]
    pub email: Option<String>,
}

impl SessionUser {
    /// A brand-new guest.
    pub fn guest(id: Uuid) -> Self {
        Self {
            id,
            is_anonymous: true,
            display_name: None,
            email: None,
        }
    }
}
