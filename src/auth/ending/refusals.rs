//! Each way's error from the identity crate's: the ending's refusals and the
//! address way's errors read in the words of the page the person is on.

use super::Refusal;
use crate::auth::errors::{LinkError, OidcError, PasskeyError, RequestError};

impl From<Refusal> for LinkError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Changed => Self::Changed,
            Refusal::LeftBehind => Self::LeftBehind,
            Refusal::NotRecent(minutes) => Self::NotRecent(minutes),
            Refusal::Banned(until) => Self::Banned(until),
            Refusal::Acting => Self::Acting,
            Refusal::SecondFactor(key) => Self::SecondFactor(key),
        }
    }
}

impl From<Refusal> for PasskeyError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotRecent(minutes) => Self::NeedsRecentSignIn(minutes),
            // A passkey is two factors: never asked for a code.
            Refusal::Changed | Refusal::LeftBehind | Refusal::SecondFactor(_) => Self::Changed,
            Refusal::Banned(until) => Self::Banned(until),
            Refusal::Acting => Self::Acting,
        }
    }
}

impl From<Refusal> for OidcError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Changed => Self::Changed,
            Refusal::LeftBehind => Self::LeftBehind,
            Refusal::NotRecent(minutes) => Self::NeedsRecentSignIn(minutes),
            Refusal::Banned(until) => Self::Banned(until),
            Refusal::Acting => Self::Acting,
            Refusal::SecondFactor(key) => Self::SecondFactor(key),
        }
    }
}

/// The identity crate's address errors, in our words (the variants match).
impl From<anonymous_first::address::AddressError> for LinkError {
    fn from(err: anonymous_first::address::AddressError) -> Self {
        use anonymous_first::address::AddressError as A;
        match err {
            A::Used => Self::Used,
            A::Expired => Self::Expired,
            A::Unknown => Self::Unknown,
            A::WrongCode(left) => Self::WrongCode(left),
            A::MalformedCode => Self::MalformedCode,
            A::TriedOut => Self::TriedOut,
            A::OtherBrowser => Self::OtherBrowser,
            A::Changed => Self::Changed,
            A::LeftBehind => Self::LeftBehind,
            A::NotRecent(minutes) => Self::NotRecent(minutes),
            A::WrongPassword => Self::WrongPassword,
            A::Weak(why) => Self::Weak(why),
            A::NotYours => Self::NotYours,
            A::AddressTaken => Self::AddressTaken,
            A::Banned(until) => Self::Banned(until),
            A::Acting => Self::Acting,
            A::SecondFactor(key) => Self::SecondFactor(key),
            A::TooMany(over) => Self::TooMany(over),
            A::Unexpected(err) => Self::Unexpected(err),
        }
    }
}

/// The identity crate's request errors, in our words.
impl From<anonymous_first::address::RequestError> for RequestError {
    fn from(err: anonymous_first::address::RequestError) -> Self {
        use anonymous_first::address::RequestError as R;
        match err {
            R::Invalid(why) => Self::Invalid(why),
            R::TooMany(over) => Self::TooMany(over),
            R::Unexpected(err) => Self::Unexpected(err),
        }
    }
}
