//! What a browser is told when another device ended its session. Ending
//! sessions and leaving the farewell is the crate's
//! (`anonymous_first::sessions::farewell`); the words are Paws Inside's.
//!
//! Notices are per browser and only ever rendered for a request carrying a
//! cookie, which the page cache never serves nor keeps.

use crate::email::EmailAddress;
use anonymous_first::sessions::Notice;
pub use anonymous_first::sessions::farewell::{Ending, Farewell, KEEP_DAYS, end_sessions, moved_to, prune};

/// The one-time message for this browser's page, in words, removed as it is
/// read.
pub async fn take_notice(session: &super::TypedSession) -> Option<String> {
    Some(match session.take_notice().await? {
        Notice::Said(words) => words,
        Notice::Farewell(farewell) => words(&farewell),
    })
}

/// What the browser is told: where its guest's things went (the address
/// partly hidden, as on a link's page), or that it was signed out.
pub fn words(farewell: &Farewell) -> String {
    let email = farewell
        .email
        .as_deref()
        .and_then(|e| EmailAddress::parse(e).ok());
    if farewell.banned {
        return "This account has been suspended, so this browser was signed out.".to_owned();
    }
    match (farewell.moved, email) {
        (true, Some(email)) => format!(
            "Your dogs moved into an account ({}) — sign in here with the code or the link.",
            email.masked()
        ),
        (true, None) => {
            "Your dogs moved into an account — sign in here the way you did on the other device.".to_owned()
        }
        (false, _) => "You were signed out from another device.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Farewell, words};

    fn said(moved: bool, email: Option<&str>) -> String {
        words(&Farewell {
            moved,
            email: email.map(str::to_owned),
            banned: false,
        })
    }

    #[test]
    fn farewells_say_where_and_hide_the_address() {
        let moved = said(true, Some("bella@example.com"));
        assert_eq!(
            moved,
            "Your dogs moved into an account (b…@example.com) — sign in here with the code or the link."
        );
        assert!(!moved.contains("bella"));
        assert!(said(true, None).starts_with("Your dogs moved into an account —"));
        assert_eq!(
            said(false, Some("x@example.com")),
            "You were signed out from another device."
        );
    }
}
