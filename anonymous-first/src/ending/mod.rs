//! The one ending of every way in. A way in (link, code, password, reset,
//! passkey, provider, adding a passkey, a provider or an address) only
//! produces a proof — a [`Way`] — and calls [`end`], which in one
//! transaction:
//!
//! 1. uses the proof up ([`Way::redeem`]; the proof locks the account it
//!    names, after its address: the order every flow takes locks in), and
//!    refuses an account an admin suspended ([`crate::admin`]); one factor
//!    into an account with two-step sign-in on stops here, kept for its
//!    second step ([`crate::two_factor`]),
//! 2. locks the guests that may come along, then this browser's session row,
//!    and refuses if the session is not what the request began with (signed
//!    out, promoted or replaced meanwhile: a decision never rests on a
//!    snapshot from the request's start),
//! 3. applies the one guest rule ([`policy`]) and refuses rather than strand a
//!    guest's things,
//! 4. promotes or merges, settles the address and password, ends the
//!    sessions it must, adds what the proof brings ([`Way::attach`]),
//! 5. opens this browser's new session (with the app's
//!    [`Hooks::notice`](crate::Hooks::notice)), records the sign-in in
//!    `sign_ins` and lets the app note it
//!    ([`Hooks::signing_in`](crate::Hooks::signing_in)),
//!
//! commits, and only then tells the app ([`Hooks::claimed`](crate::Hooks::claimed))
//! and rotates the cookie. Nothing else opens a signed-in session, promotes
//! or merges a guest: [`TypedSession::open`](crate::TypedSession) is the
//! crate's own.

mod apply;
pub(crate) mod deferred;
pub mod policy;
mod proof;

pub use crate::merge::Outcome;
pub use crate::signed_in::{Ended, Method};
pub use policy::Asker;
pub use proof::{Proof, ProviderIdentity, Refusal, Way, Whom};

use crate::guests::Caller;
use crate::hooks::Claimed;
use crate::identity::Identity;
use crate::merge;
use crate::owned::Counts;
use crate::sessions::ProfileRow;
use crate::user::User;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// Whether a sign-in `age_ms` old is within `minutes` (at least a second, so
/// a setting of 0 still lets a sign-in act at once).
pub fn recent_enough(minutes: i64, age_ms: i64) -> bool {
    age_ms < (minutes.max(0) * 60_000).max(1000)
}

/// The one ending (see the module).
pub async fn end<P, W>(id: &Identity, caller: &mut Caller<P>, mut way: W) -> Result<Ended, W::Error>
where
    P: ProfileRow,
    W: Way<P>,
{
    let mut tx = id.pool.begin().await.context("failed to begin signing in")?;
    let mut changed = false;
    let result = settle(id, caller, &mut way, &mut tx, &mut changed).await;
    let (ended, method, user) = match result {
        Ok(Settled::Done(ended, method, user)) => (ended, method, user),
        Ok(Settled::Owed(key)) => {
            // The proof is used up and kept for the second step; nothing
            // else changed, nobody is signed in.
            tx.commit()
                .await
                .context("failed to keep the sign-in for its second step")?;
            tracing::info!("second step asked for");
            return Err(Refusal::SecondFactor(key).into());
        }
        Err(err) => {
            // Only the used-up proof may stay: never half of an ending.
            if !changed && W::spent(&err) {
                tx.commit().await.context("failed to commit the used proof")?;
            }
            return Err(err);
        }
    };
    let rotation = match user {
        Some(user) => {
            let notice = id.hooks.notice(method, &ended);
            let rotation = caller
                .session
                .open(
                    &mut tx,
                    user,
                    &caller.user_agent,
                    notice,
                    method.as_str(),
                    way.terms(),
                )
                .await?;
            apply::record(&mut tx, &ended, method).await?;
            // The app's own notes of the sign-in, in this transaction.
            id.hooks.signing_in(&mut tx, method, &ended).await?;
            Some(rotation)
        }
        None => None,
    };
    tx.commit().await.context("failed to commit the sign-in")?;
    // What the app derives from who owns what catches up (its claim hook),
    // after the commit: it can never undo the sign-in.
    let promoted = ended.outcomes.contains(&Outcome::Promoted);
    let merged: Vec<Counts> = ended
        .outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Merged(moved) => Some(moved.clone()),
            _ => None,
        })
        .collect();
    if promoted || !merged.is_empty() {
        let account = ended.user;
        id.hooks
            .claimed(Claimed {
                account,
                promoted,
                merged,
            })
            .await;
    }
    match rotation {
        Some(rotation) => {
            caller.session.adopt(rotation).await?;
            if !matches!(method, Method::ActingAs | Method::ActingEnded) {
                crate::counters::claims(method.way(), ended.outcomes.iter().map(Outcome::as_str));
            }
            tracing::info!(user = %ended.user, method = method.as_str(), outcomes = ?ended.outcomes, "signed in");
        }
        None => tracing::info!(user = %ended.user, method = method.as_str(), "way in added"),
    }
    Ok(ended)
}

/// How steps 1–4 went: the new session's user (`None` when who this session
/// is does not change: a member adding a way in), or the second step owed.
enum Settled<P> {
    Done(Ended, Method, Option<User<P>>),
    Owed(Uuid),
}

/// Steps 1–4 of the ending.
async fn settle<P: ProfileRow, W: Way<P>>(
    id: &Identity,
    caller: &Caller<P>,
    way: &mut W,
    tx: &mut PgConnection,
    changed: &mut bool,
) -> Result<Settled<P>, W::Error> {
    let proof = way.redeem(caller, tx).await?;
    // The proof locked the account's row: a ban committed before this read
    // refuses, and one after it waits for this sign-in and then ends it.
    if let Whom::Member { id: member, .. } = &proof.whom
        && let Some(ban) = apply::ban_of(tx, *member).await?
    {
        return Err(Refusal::Banned(ban.until).into());
    }
    let started = caller.user().cloned();
    let here = started.as_ref().and_then(User::guest_id);
    let bring = policy::decide(proof.asker, here, proof.choice);
    // Guests, then the session row: the order every flow locks in.
    let mut wanted = bring.guests.clone();
    wanted.extend(bring.left_here);
    let locked = merge::lock_guests(tx, &wanted).await?;
    let session = apply::lock_session(tx, caller).await?;
    apply::unchanged(started.as_ref(), session.as_ref())?;
    if let Some(left) = bring.left_here.filter(|g| locked.contains(g))
        && !id.owned.count(tx, left).await?.is_empty()
    {
        return Err(Refusal::LeftBehind.into());
    }
    // One factor into an account with two-step sign-in on: the proof waits
    // for its second step, with nothing else changed (after the
    // checks above, so the second step does not fail on them).
    if let Whom::Member { id: member, .. } = &proof.whom
        && !way.two_factors()
        && let Some(key) = deferred::defer(tx, *member, caller, &proof, way.provider_identity()).await?
    {
        return Ok(Settled::Owed(key));
    }
    let guests: Vec<Uuid> = bring.guests.into_iter().filter(|g| locked.contains(g)).collect();
    let mut outcomes = Vec::new();
    let mut created = false;
    // From here on rows change (but for a member adding a way in).
    *changed = !matches!(proof.whom, Whom::ThisMember { .. });
    let (account, rest, changes_who) = match proof.whom {
        Whom::Member {
            id: member,
            first_proof,
            password,
        } => {
            apply::settle_member(tx, member, first_proof, password.as_deref()).await?;
            (member, guests.as_slice(), true)
        }
        Whom::New { email, password } => match guests.split_first() {
            Some((first, rest)) => {
                apply::promote(tx, *first, email.as_deref(), password.as_deref()).await?;
                outcomes.push(Outcome::Promoted);
                (*first, rest, true)
            }
            None => {
                created = true;
                let member = apply::create(tx, email.as_deref(), password.as_deref()).await?;
                (member, &[][..], true)
            }
        },
        Whom::ThisGuest => {
            let Some(guest) = here.filter(|g| guests.first() == Some(g)) else {
                return Err(Refusal::Changed.into());
            };
            apply::promote(tx, guest, None, None).await?;
            outcomes.push(Outcome::Promoted);
            (guest, &guests[1..], true)
        }
        Whom::ThisMember { recent } => {
            let (Some(user), Some(session)) = (&started, &session) else {
                return Err(Refusal::Changed.into());
            };
            if user.is_guest() {
                return Err(Refusal::Changed.into());
            }
            // An admin acting as the member never adds a way in to it.
            if session.acting {
                return Err(Refusal::Acting.into());
            }
            if recent && !session.recent(id.config.reauth_minutes) {
                return Err(Refusal::NotRecent(id.config.reauth_minutes).into());
            }
            (user.id(), &[][..], false)
        }
    };
    for guest in rest {
        outcomes.push(merge::merge_or_record(&id.owned, tx, *guest, account).await?);
    }
    way.attach(tx, account).await?;
    let ended = Ended {
        user: account,
        outcomes,
        created,
        next: proof.next,
    };
    let user = match changes_who {
        true => Some(apply::member(tx, account).await?),
        false => None,
    };
    Ok(Settled::Done(ended, proof.method, user))
}
