//! What a guest brings into an account, in Paws Inside's words: the counts
//! of the confirm page and the notice after signing in. Promoting and
//! merging are the identity crate's ([`anonymous_first::merge`]), over our
//! one list of owned tables ([`owned`]).

use super::preview::GuestData;
use crate::db::ownership::owned;
use anonymous_first::Counts;
pub use anonymous_first::merge::{Outcome, lock_address};
use sqlx::PgConnection;
use uuid::Uuid;

/// Counts what a guest owns (what the confirm page and the audit show), in
/// one statement over every owned table.
pub async fn guest_data(conn: &mut PgConnection, guest: Uuid) -> anyhow::Result<GuestData> {
    Ok(words(&owned().count(conn, guest).await?))
}

/// The owned tables' counts as the person reads them.
pub fn words(counts: &Counts) -> GuestData {
    GuestData {
        dogs: counts.get("dogs"),
        photos: counts.get("photos"),
        suggestions: counts.get("venue_suggestions"),
        checks: counts.get("venue_checks"),
        saved: counts.get("saved_places"),
        reports: counts.get("photo_reports"),
        proposals: counts.get("policy_proposals"),
    }
}

/// Moves every owned row of `guest` to `target` (an operator's retry of a
/// recorded failure; a sign-in's merge is the ending's).
pub async fn merge(conn: &mut PgConnection, guest: Uuid, target: Uuid) -> anyhow::Result<Counts> {
    anonymous_first::merge::merge(owned(), conn, guest, target).await
}

/// What to tell the person on the next page after signing in.
pub fn notice(outcomes: &[Outcome], created: bool) -> String {
    if outcomes.contains(&Outcome::MergeFailed) {
        return "You are signed in. Your guest dogs and photos are safe and will join your account shortly."
            .to_owned();
    }
    let moved = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Merged(moved) => Some(words(moved)),
            _ => None,
        })
        .fold(GuestData::default(), GuestData::plus);
    match (outcomes.contains(&Outcome::Promoted), moved.is_empty(), created) {
        (_, false, _) => format!("You are signed in. Your {} came with you.", moved.describe()),
        (true, true, _) => {
            "You are signed in. Everything you added as a guest is now in your account.".to_owned()
        }
        (false, true, true) => "Welcome to Paws Inside! Your account is ready.".to_owned(),
        (false, true, false) => "You are signed in.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Outcome, notice};

    #[test]
    fn notices() {
        let merged = Outcome::Merged([("dogs", 2), ("photos", 0)].into_iter().collect());
        assert_eq!(
            notice(&[merged], false),
            "You are signed in. Your 2 dogs came with you."
        );
        assert!(notice(&[Outcome::MergeFailed], false).contains("safe"));
        assert!(notice(&[], true).starts_with("Welcome"));
        assert_eq!(notice(&[], false), "You are signed in.");
    }
}
