//! Who is making a request, as the identity core loaded it for this request.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The person behind a session: a guest (a real `users` row without an
/// address) or a member. Mirrors the database's CHECK (a guest has no
/// address), so "a guest with an email" cannot be written down. Always read from the
/// users table in the request's one session lookup, never from a copy kept in
/// the session, so a decision never trusts who someone *was*.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum User {
    /// Contributed without signing up.
    Guest {
        /// `users.id`.
        id: Uuid,
    },
    /// Proved an address (or signed up and confirmed it).
    Member {
        /// `users.id`.
        id: Uuid,
        /// The account's address, lower-case; `None` for a member who came in
        /// through a provider that vouched for none.
        email: Option<String>,
        /// The name the person gave, if any.
        display_name: Option<String>,
        /// Holds the admin role right now.
        #[serde(default)]
        admin: bool,
    },
}

impl User {
    /// `users.id`.
    pub fn id(&self) -> Uuid {
        match self {
            User::Guest { id } | User::Member { id, .. } => *id,
        }
    }

    /// The guest's id, for a guest.
    pub fn guest_id(&self) -> Option<Uuid> {
        match self {
            User::Guest { id } => Some(*id),
            User::Member { .. } => None,
        }
    }

    /// A guest.
    pub fn is_guest(&self) -> bool {
        matches!(self, User::Guest { .. })
    }

    /// The member's address, for a member.
    pub fn email(&self) -> Option<&str> {
        match self {
            User::Member { email, .. } => email.as_deref(),
            User::Guest { .. } => None,
        }
    }

    /// What the header shows for a member: the name, else the address.
    pub fn label(&self) -> Option<&str> {
        match self {
            User::Member {
                display_name: Some(name),
                ..
            } => Some(name),
            User::Member { email, .. } => email.as_deref(),
            User::Guest { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::User;
    use uuid::Uuid;

    #[test]
    fn serialises_with_its_kind() {
        let guest = User::Guest { id: Uuid::nil() };
        let json = serde_json::to_value(&guest).unwrap();
        assert_eq!(json["kind"], "guest");
        let member = User::Member {
            id: Uuid::nil(),
            email: Some("a@example.com".into()),
            display_name: None,
            admin: false,
        };
        assert_eq!(member.label(), Some("a@example.com"));
        assert_eq!(serde_json::to_value(&member).unwrap()["kind"], "member");
        assert!(guest.is_guest() && guest.email().is_none() && member.guest_id().is_none());
    }
}
