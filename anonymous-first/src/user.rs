//! Who is making a request, as the request's one session lookup read it, and
//! the seam for the app's own fields of a member (its [`Profile`]).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;
use uuid::Uuid;

/// The app's own fields of a member (a display name, a role), read from the
/// users row in the same one statement that loads the session
/// (`sessions::ProfileRow` says which columns).
pub trait Profile: Clone + Debug + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The name the member gave, shown instead of the address.
    fn name(&self) -> Option<&str> {
        None
    }
}

/// For an app that keeps no fields of its own on a member.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoProfile;

impl Profile for NoProfile {}

/// The person behind a session: a guest (a real users row without an
/// address) or a member. Mirrors the schema's rule that a guest has no
/// address, so "a guest with an email" cannot be written down. Always read
/// from the users table in the request's one session lookup, never from a
/// copy kept in the session, so a decision never trusts who someone *was*.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", bound = "P: Profile")]
pub enum User<P = NoProfile> {
    /// Contributed without signing up.
    Guest {
        /// `users.id`.
        id: Uuid,
    },
    /// Proved an address (or came in by a provider or a passkey).
    Member {
        /// `users.id`.
        id: Uuid,
        /// The account's address, lower-case; `None` for a member who came in
        /// through a provider that vouched for none.
        email: Option<String>,
        /// The app's fields, as the users row says now.
        profile: P,
    },
}

impl<P: Profile> User<P> {
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

    /// The member's own fields, for a member.
    pub fn profile(&self) -> Option<&P> {
        match self {
            User::Member { profile, .. } => Some(profile),
            User::Guest { .. } => None,
        }
    }

    /// What a header shows for a member: the profile's name, else the address.
    pub fn label(&self) -> Option<&str> {
        match self {
            User::Member { email, profile, .. } => profile.name().or(email.as_deref()),
            User::Guest { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{NoProfile, Profile, User};
    use serde::{Deserialize, Serialize};
    use uuid::Uuid;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Named(Option<String>);

    impl Profile for Named {
        fn name(&self) -> Option<&str> {
            self.0.as_deref()
        }
    }

    #[test]
    fn serialises_with_its_kind_and_labels_by_name_then_address() {
        let guest = User::<NoProfile>::Guest { id: Uuid::nil() };
        assert_eq!(serde_json::to_value(&guest).unwrap()["kind"], "guest");
        let member = |name: Option<&str>| User::Member {
            id: Uuid::nil(),
            email: Some("a@example.com".into()),
            profile: Named(name.map(str::to_owned)),
        };
        assert_eq!(member(None).label(), Some("a@example.com"));
        assert_eq!(member(Some("Ada")).label(), Some("Ada"));
        let json = serde_json::to_value(member(Some("Ada"))).unwrap();
        assert_eq!(json["kind"], "member");
        assert_eq!(
            serde_json::from_value::<User<Named>>(json).unwrap(),
            member(Some("Ada"))
        );
        assert!(guest.is_guest() && guest.email().is_none() && guest.profile().is_none());
        assert!(member(None).guest_id().is_none());
    }
}
