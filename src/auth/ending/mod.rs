//! The one ending of every way in is the identity crate's
//! ([`anonymous_first::ending`]): a way in only produces a proof — a [`Way`]
//! — and calls `anonymous_first::ending::end`, which uses it up, locks and re-reads this browser's
//! session, brings the guests the one rule brings, promotes or merges, opens
//! and records the new session in one transaction, commits, and only then
//! rotates the cookie. Paws Inside's part is in [`crate::hooks::PawsHooks`]:
//! the next page's words and the funnel's note, in that transaction.
//! Every way in Paws Inside offers is now one of the crate's flows, which
//! call it. Here: the way each of our error enums reads the ending's
//! refusals and the crate's errors, and what the next page says.

mod refusals;

pub use anonymous_first::ending::{Asker, Ended, Method, Proof, Refusal, Whom};

/// What the next page says after a way in (the crate keeps it on the new
/// session: [`crate::hooks::PawsHooks`]).
pub fn said(method: Method, ended: &Ended) -> String {
    let claimed = super::merge::notice(&ended.outcomes, ended.created);
    match method {
        Method::Verify => format!("Your address is confirmed. {claimed}"),
        Method::Reset => "Your new password is saved. Every other device was signed out.".to_owned(),
        Method::PasskeyAdded => {
            "Your passkey is saved: everything you added is now in your account.".to_owned()
        }
        Method::AddressChanged => "Your address is changed. Your other devices were signed out.".to_owned(),
        // The banner says whom and until when; the audit has it.
        Method::ActingAs => "You are acting as this person now.".to_owned(),
        Method::ActingEnded => "You are yourself again.".to_owned(),
        _ => claimed,
    }
}
