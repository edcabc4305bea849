//! Each way's error from the ending's refusals: the same refusal reads in
//! the words of the page the person is on.

use super::Refusal;
use crate::auth::errors::{LinkError, OidcError, PasskeyError, SignInError};

impl From<Refusal> for LinkError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Changed => Self::Changed,
            Refusal::LeftBehind => Self::LeftBehind,
            Refusal::NotRecent(minutes) => Self::NotRecent(minutes),
        }
    }
}

impl From<Refusal> for SignInError {
    fn from(_: Refusal) -> Self {
        // A password is typed here: this browser's guest always comes, and
        // nothing is added to a member; only a change under way can refuse.
        Self::Changed
    }
}

impl From<Refusal> for PasskeyError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotRecent(minutes) => Self::NeedsRecentSignIn(minutes),
            Refusal::Changed | Refusal::LeftBehind => Self::Changed,
        }
    }
}

impl From<Refusal> for OidcError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Changed => Self::Changed,
            Refusal::LeftBehind => Self::LeftBehind,
            Refusal::NotRecent(minutes) => Self::NeedsRecentSignIn(minutes),
        }
    }
}
