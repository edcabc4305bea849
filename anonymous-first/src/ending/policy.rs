//! The one rule for which guests a proof brings along. Pure, so every case
//! is a unit test; the ending applies it to rows it has locked.
//!
//! - A proof brings the guest of the browser that asked for it, and no other
//!   guest unless the person chose it on a page that names the account.
//! - A guest this browser holds that does not come along must hold nothing:
//!   otherwise the ending refuses (the person is asked, nothing is lost).

use crate::claim::ClaimChoice;
use uuid::Uuid;

/// Who asked for the proof, as far as this request can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asker {
    /// This browser, in this very request: a password or a code typed here,
    /// a passkey answering here. Its guest is the one the request began with.
    Here,
    /// This browser, back from somewhere another site can send it (a
    /// provider's callback), bound to it by a cookie; it held `guest` when it
    /// left. A different guest holding data here is refused, not taken.
    Returning {
        /// The guest this browser held when it left.
        guest: Option<Uuid>,
    },
    /// Whoever holds a mailed link; `guest` asked for it, from wherever.
    Link {
        /// The guest of the browser that asked for the link.
        guest: Option<Uuid>,
    },
}

/// What the rule decided, before anything is locked or counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bring {
    /// The guests that come along, in order: the first is promoted in place
    /// when the account is new.
    pub guests: Vec<Uuid>,
    /// This browser's guest when it does not come along: it must hold nothing.
    pub left_here: Option<Uuid>,
}

/// Applies the rule. `here`: the guest this browser holds now (re-read under
/// lock), `choice`: what the person ticked on a page naming the account.
pub fn decide(asker: Asker, here: Option<Uuid>, choice: ClaimChoice) -> Bring {
    let (asked_by, chosen) = match asker {
        Asker::Here => (here, ClaimChoice::default()),
        Asker::Returning { guest } => (guest, ClaimChoice::default()),
        Asker::Link { guest } => (guest, choice),
    };
    let mut guests = Vec::new();
    let here_comes = here.is_some() && (here == asked_by || chosen.bring_this_browser);
    // The asking guest (from another browser) first: the proof was made for it.
    if let Some(asking) = asked_by.filter(|g| Some(*g) != here && chosen.bring_requester) {
        guests.push(asking);
    }
    if here_comes {
        guests.extend(here);
    }
    Bring {
        guests,
        left_here: here.filter(|_| !here_comes),
    }
}

#[cfg(test)]
mod tests {
    use super::{Asker, Bring, ClaimChoice, decide};
    use uuid::Uuid;

    const NONE: ClaimChoice = ClaimChoice {
        bring_requester: false,
        bring_this_browser: false,
    };
    const BOTH: ClaimChoice = ClaimChoice {
        bring_requester: true,
        bring_this_browser: true,
    };

    fn ids() -> (Uuid, Uuid) {
        (Uuid::from_u128(1), Uuid::from_u128(2))
    }

    #[test]
    fn here_brings_this_browser_and_nothing_else() {
        let (a, _) = ids();
        let bring = decide(Asker::Here, Some(a), BOTH);
        assert_eq!(
            bring,
            Bring {
                guests: vec![a],
                left_here: None
            }
        );
        assert_eq!(decide(Asker::Here, None, BOTH), Bring::default());
    }

    #[test]
    fn a_link_in_the_asking_browser_brings_its_guest_unasked() {
        let (a, _) = ids();
        let bring = decide(Asker::Link { guest: Some(a) }, Some(a), NONE);
        assert_eq!(bring.guests, vec![a]);
        assert_eq!(bring.left_here, None);
    }

    #[test]
    fn a_link_elsewhere_brings_only_what_was_chosen() {
        let (a, b) = ids();
        let link = Asker::Link { guest: Some(a) };
        assert_eq!(
            decide(link, Some(b), NONE),
            Bring {
                guests: vec![],
                left_here: Some(b)
            }
        );
        assert_eq!(decide(link, Some(b), BOTH).guests, vec![a, b]);
        let only_here = ClaimChoice {
            bring_requester: false,
            bring_this_browser: true,
        };
        assert_eq!(decide(link, Some(b), only_here).guests, vec![b]);
        let only_asker = ClaimChoice {
            bring_requester: true,
            bring_this_browser: false,
        };
        assert_eq!(
            decide(link, Some(b), only_asker),
            Bring {
                guests: vec![a],
                left_here: Some(b)
            }
        );
        assert_eq!(decide(Asker::Link { guest: None }, Some(b), BOTH).guests, vec![b]);
        assert_eq!(decide(link, None, BOTH).guests, vec![a]);
    }

    #[test]
    fn a_returning_browser_brings_only_the_guest_that_left() {
        let (a, b) = ids();
        let back = Asker::Returning { guest: Some(a) };
        assert_eq!(decide(back, Some(a), NONE).guests, vec![a]);
        // Another guest here (a cookie planted, or made since) is never taken,
        // whatever a form says; the guest that left is not here to bring.
        assert_eq!(
            decide(back, Some(b), BOTH),
            Bring {
                guests: vec![],
                left_here: Some(b)
            }
        );
        assert_eq!(decide(back, None, BOTH), Bring::default());
        let none_left = Asker::Returning { guest: None };
        assert_eq!(decide(none_left, Some(b), BOTH).left_here, Some(b));
    }
}
