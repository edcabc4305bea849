//! The one ending of every way in. A way in (link, code, password, reset,
//! passkey, provider, adding a passkey, a provider or an address) only
//! produces a proof — a [`Way`] — and calls [`end`], which in one
//! transaction:
//!
//! 1. uses the proof up ([`Way::redeem`]; the proof locks the account it
//!    names, after its address: the order every flow takes locks in),
//! 2. locks the guests that may come along, then this browser's session row,
//!    and refuses if the session is not what the request began with (signed
//!    out, promoted or replaced meanwhile: a decision never rests on a
//!    snapshot from the request's start),
//! 3. applies the one guest rule ([`policy`]) and refuses rather than strand a
//!    guest's things,
//! 4. promotes or merges, settles the address and password, ends the
//!    sessions it must ([`apply`]), adds what the proof brings
//!    ([`Way::attach`]),
//! 5. opens this browser's new session and records the sign-in,
//!
//! commits, and only then rotates the cookie. Nothing else opens a signed-in
//! session, promotes or merges a guest.

mod apply;
pub(crate) mod policy;
mod refusals;

pub(crate) use policy::Asker;

use super::context::Caller;
use super::merge::{self, Outcome};
use super::preview::ClaimChoice;
use super::user::User;
use crate::context::Context;
use anyhow::Context as _;
use sqlx::PgConnection;
use std::future::Future;
use uuid::Uuid;

crate::keyed::keyed_enum!(
    /// How a person proved who they are (kept on the session and in `sign_ins`).
    Method {
        Link => "link", "A sign-in link from an email";
        Code => "code", "The code from a sign-in email";
        Password => "password", "An email address and its password";
        Reset => "reset", "A password-reset link and a new password";
        Verify => "verify", "The confirmation link of a sign-up";
        Passkey => "passkey", "A passkey";
        PasskeyAdded => "passkey_added", "A passkey added to this browser's guest or member";
        OpenId => "openid", "An OpenID Connect provider";
        OpenIdLinked => "openid_linked", "A provider added to the signed-in member";
        AddressAdded => "address_added", "An address added to the signed-in member";
    }
);

/// Whom a proof signs in.
#[derive(Clone, Debug)]
pub(crate) enum Whom {
    /// An existing member, whose row the proof has locked.
    Member {
        /// `users.id`.
        id: Uuid,
        /// This proof proves the address for the first time: every session
        /// opened before it ends, and a password nobody proved goes.
        first_proof: bool,
        /// The password hash it ends with (ends every other session).
        password: Option<String>,
    },
    /// A member to be: the first guest coming along becomes it in place, or a
    /// new row. `email`: its proven address (none: a provider that vouched for none).
    New {
        /// The proven address, lower-case.
        email: Option<String>,
        /// Its password hash, if one was chosen.
        password: Option<String>,
    },
    /// The guest signed in here becomes a member in place, without an address.
    ThisGuest,
    /// The member signed in here gains a way in; the session stays as it is.
    ThisMember {
        /// The way in needs a recent sign-in here (a passkey, a provider),
        /// decided on the session row as it is now.
        recent: bool,
    },
}

/// What a way in proved, for [`end`].
#[derive(Clone, Debug)]
pub(crate) struct Proof {
    /// How.
    pub method: Method,
    /// Whom it signs in.
    pub whom: Whom,
    /// Who asked for it.
    pub asker: Asker,
    /// What the person chose on a page that names the account.
    pub choice: ClaimChoice,
    /// Where to go next (a same-site path).
    pub next: String,
}

/// Why the ending said no. Nothing was changed, except what [`Way::spent`] says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// This browser's session is not what the request began with.
    Changed,
    /// This browser's guest holds things and was not chosen to come along.
    LeftBehind,
    /// Adding a way in to a member needs a sign-in here within these minutes.
    NotRecent(i64),
}

/// A way in: a proof the ending uses up in its own transaction.
pub(crate) trait Way: Send {
    /// The way's own error; the ending's refusals convert into it.
    type Error: From<Refusal> + From<anyhow::Error> + Send;

    /// Uses the proof up (a token, a challenge, a counter) inside the
    /// ending's transaction and says whom it signs in. It locks what it
    /// names, in the order every flow takes: the address (an advisory lock),
    /// then the account's row (for [`Whom::ThisMember`], the member's). It
    /// has the transaction's connection only: waiting for a second one while
    /// holding it could starve the pool.
    fn redeem(
        &mut self,
        caller: &Caller,
        conn: &mut PgConnection,
    ) -> impl Future<Output = Result<Proof, Self::Error>> + Send;

    /// Adds what the proof brings to `account` (a passkey, an identity, an
    /// address) once it is settled; nothing by default.
    fn attach(
        &mut self,
        _conn: &mut PgConnection,
        _account: Uuid,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        async { Ok(()) }
    }

    /// Whether a failure leaves the proof used up (its page then says why
    /// instead of offering it again): the transaction commits what was done.
    fn spent(_err: &Self::Error) -> bool {
        false
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

/// The one ending (see the module).
pub(crate) async fn end<W: Way>(ctx: &Context, caller: &mut Caller, mut way: W) -> Result<Ended, W::Error> {
    let mut tx = ctx.pool.begin().await.context("failed to begin signing in")?;
    let result = settle(ctx, caller, &mut way, &mut tx).await;
    let (ended, method, user) = match result {
        Ok(done) => done,
        Err(err) => {
            if W::spent(&err) {
                tx.commit().await.context("failed to commit the used proof")?;
            }
            return Err(err);
        }
    };
    let rotation = match user {
        Some(user) => {
            let notice = method_notice(method, &ended);
            let rotation = caller
                .session
                .open(&mut tx, user, &caller.user_agent, notice, method.as_str())
                .await?;
            apply::record(&mut tx, &ended, method).await?;
            Some(rotation)
        }
        None => None,
    };
    tx.commit().await.context("failed to commit the sign-in")?;
    // A merged guest's answers can change what venue pages say (the later
    // answer of a day wins; the guest's duplicate goes).
    if ended
        .outcomes
        .iter()
        .any(|o| matches!(o, Outcome::Merged(d) if d.checks > 0))
    {
        ctx.public_changed();
    }
    match rotation {
        Some(rotation) => {
            caller.session.adopt(rotation).await?;
            merge::count_outcomes(&ended.outcomes);
            tracing::info!(user = %ended.user, method = method.as_str(), outcomes = ?ended.outcomes, "signed in");
        }
        None => tracing::info!(user = %ended.user, method = method.as_str(), "way in added"),
    }
    Ok(ended)
}

/// Steps 1–4 of the ending; returns the new session's user, or `None` when
/// who this session is does not change (a member adding a way in).
async fn settle<W: Way>(
    ctx: &Context,
    caller: &Caller,
    way: &mut W,
    tx: &mut PgConnection,
) -> Result<(Ended, Method, Option<User>), W::Error> {
    let proof = way.redeem(caller, tx).await?;
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
        && !merge::guest_data(tx, left).await?.is_empty()
    {
        return Err(Refusal::LeftBehind.into());
    }
    let guests: Vec<Uuid> = bring.guests.into_iter().filter(|g| locked.contains(g)).collect();
    let mut outcomes = Vec::new();
    let mut created = false;
    let (account, rest, changes_who) = match proof.whom {
        Whom::Member {
            id,
            first_proof,
            password,
        } => {
            apply::settle_member(tx, id, first_proof, password.as_deref()).await?;
            (id, guests.as_slice(), true)
        }
        Whom::New { email, password } => match guests.split_first() {
            Some((first, rest)) => {
                apply::promote(tx, *first, email.as_deref(), password.as_deref()).await?;
                outcomes.push(Outcome::Promoted);
                (*first, rest, true)
            }
            None => {
                created = true;
                let id = apply::create(tx, email.as_deref(), password.as_deref()).await?;
                (id, &[][..], true)
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
            if recent && !session.recent(ctx.config.reauth_minutes) {
                return Err(Refusal::NotRecent(ctx.config.reauth_minutes).into());
            }
            (user.id(), &[][..], false)
        }
    };
    for guest in rest {
        outcomes.push(merge::merge_or_record(tx, *guest, account).await?);
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
    Ok((ended, proof.method, user))
}

/// What the next page says after a way in.
fn method_notice(method: Method, ended: &Ended) -> Option<String> {
    let claimed = merge::notice(&ended.outcomes, ended.created);
    Some(match method {
        Method::Verify => format!("Your address is confirmed. {claimed}"),
        Method::Reset => "Your new password is saved. Every other device was signed out.".to_owned(),
        Method::PasskeyAdded => {
            "Your passkey is saved: everything you added is now in your account.".to_owned()
        }
        _ => claimed,
    })
}
