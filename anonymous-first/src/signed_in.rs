//! How a way in went — how the person proved who they are ([`Method`]) and
//! what the one ending did ([`Ended`]) — as the ending returns it and the
//! app's hooks read it.

use crate::merge::Outcome;
use uuid::Uuid;

/// How a person proved who they are (kept on the session and in `sign_ins`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// A sign-in link from an email.
    Link,
    /// The code from a sign-in email, typed in the browser that asked.
    Code,
    /// An email address and its password.
    Password,
    /// A password-reset link and a new password.
    Reset,
    /// The confirmation link of a sign-up.
    Verify,
    /// A passkey.
    Passkey,
    /// A passkey added to this browser's guest or member.
    PasskeyAdded,
    /// An OpenID Connect provider.
    OpenId,
    /// A provider added to the signed-in member.
    OpenIdLinked,
    /// An address added to the signed-in member.
    AddressAdded,
    /// The signed-in member's address changed to a new, proven one.
    AddressChanged,
    /// An admin began acting as a member (`admin::act_as`).
    ActingAs,
    /// An admin stopped acting and is themselves again.
    ActingEnded,
    /// The signed-in member turned two-step sign-in on or off.
    TwoStepChanged,
}

impl Method {
    /// Every method, in a fixed order.
    pub const ALL: [Method; 14] = [
        Method::Link,
        Method::Code,
        Method::Password,
        Method::Reset,
        Method::Verify,
        Method::Passkey,
        Method::PasskeyAdded,
        Method::OpenId,
        Method::OpenIdLinked,
        Method::AddressAdded,
        Method::AddressChanged,
        Method::ActingAs,
        Method::ActingEnded,
        Method::TwoStepChanged,
    ];

    /// Its key in `sessions.method` and `sign_ins.method`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Link => "link",
            Method::Code => "code",
            Method::Password => "password",
            Method::Reset => "reset",
            Method::Verify => "verify",
            Method::Passkey => "passkey",
            Method::PasskeyAdded => "passkey_added",
            Method::OpenId => "openid",
            Method::OpenIdLinked => "openid_linked",
            Method::AddressAdded => "address_added",
            Method::AddressChanged => "address_changed",
            Method::ActingAs => "acting_as",
            Method::ActingEnded => "acting_ended",
            Method::TwoStepChanged => "two_step_changed",
        }
    }

    /// The method a stored key names.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == key)
    }

    /// The way in it counts as, from a fixed set (a report's columns, the
    /// claims metric's `way` label): link, code, password, passkey, provider.
    pub fn way(self) -> &'static str {
        match self {
            Method::Code => "code",
            Method::Password => "password",
            Method::Passkey | Method::PasskeyAdded => "passkey",
            Method::OpenId | Method::OpenIdLinked => "provider",
            // A sign-up's confirmation, a reset and an added address each end
            // with a link from an email.
            Method::Link | Method::Verify | Method::Reset | Method::AddressAdded | Method::AddressChanged => {
                "link"
            }
            // An admin's own sign-in carries them in and out of acting (never
            // with a guest, so never a claim); so does a member's own
            // session turning two-step sign-in on or off.
            Method::ActingAs | Method::ActingEnded | Method::TwoStepChanged => "password",
        }
    }
}

/// How an ending went.
#[derive(Clone, Debug)]
pub struct Ended {
    /// The account this browser is signed in to now.
    pub user: Uuid,
    /// One entry per guest brought along.
    pub outcomes: Vec<Outcome>,
    /// A brand-new account (no guest came along).
    pub created: bool,
    /// Where to go next (a same-site path).
    pub next: String,
}

#[cfg(test)]
mod tests {
    use super::Method;

    #[test]
    fn every_method_reads_back_from_its_key() {
        for method in Method::ALL {
            assert_eq!(Method::parse(method.as_str()), Some(method));
        }
        assert_eq!(Method::parse("made_up"), None);
    }
}
