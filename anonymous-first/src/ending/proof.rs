//! What a way in hands the one ending: its proof ([`Way`], [`Proof`], whom
//! it signs in), why the ending may say no, and how it went.

use super::policy::Asker;
use crate::claim::ClaimChoice;
use crate::guests::Caller;
use crate::signed_in::Method;
use sqlx::PgConnection;
use std::future::Future;
use uuid::Uuid;

/// Whom a proof signs in.
#[derive(Clone, Debug)]
pub enum Whom {
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

/// What a way in proved, for [`super::end`].
#[derive(Clone, Debug)]
pub struct Proof {
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
pub enum Refusal {
    /// This browser's session is not what the request began with.
    Changed,
    /// This browser's guest holds things and was not chosen to come along.
    LeftBehind,
    /// Adding a way in to a member needs a sign-in here within these minutes.
    NotRecent(i64),
    /// An admin suspended the account ([`crate::admin`]), until these Unix
    /// seconds (`None`: until lifted).
    Banned(Option<i64>),
    /// An admin acting as this member cannot add a way in to it.
    Acting,
    /// The account asks for a second step ([`crate::two_factor`]): the
    /// proof is used up and a sign-in waits under this key, for the app's
    /// cookie in this browser. Nobody is signed in yet.
    SecondFactor(Uuid),
}

/// A provider's identity (`oidc_identities`' row) to add to an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderIdentity {
    /// The provider's name in the app.
    pub provider: String,
    /// Its subject (the person's id there).
    pub subject: String,
    /// The address it gave, if any.
    pub email: Option<String>,
}

/// A way in: a proof the ending uses up in its own transaction.
pub trait Way<P>: Send {
    /// The way's own error; the ending's refusals convert into it.
    type Error: From<Refusal> + From<anyhow::Error> + Send;

    /// Uses the proof up (a token, a challenge, a counter) inside the
    /// ending's transaction and says whom it signs in. It locks what it
    /// names, in the order every flow takes: the address
    /// ([`crate::merge::lock_address`]), then the account's row (for
    /// [`Whom::ThisMember`], the member's). It has the transaction's
    /// connection only: waiting for a second one while holding it could
    /// starve the pool.
    fn redeem(
        &mut self,
        caller: &Caller<P>,
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

    /// How the new session stands besides its user (an admin acting as
    /// it, or back from that); as usual by default.
    fn terms(&self) -> crate::sessions::Terms {
        crate::sessions::Terms::default()
    }

    /// The proof is a second factor already (a passkey, a two-step code, an
    /// admin's own session): an account with two-step sign-in does not ask
    /// for a code after it. `false` by default.
    fn two_factors(&self) -> bool {
        false
    }

    /// A provider identity this proof adds to an existing account
    /// ([`Way::attach`]), kept with a sign-in that waits for its second step
    /// and added by that step; `None` by default.
    fn provider_identity(&self) -> Option<ProviderIdentity> {
        None
    }

    /// Whether a failure leaves the proof used up (its page then says why
    /// instead of offering it again): the transaction commits the used-up
    /// proof — only when the ending had changed nothing else yet.
    fn spent(_err: &Self::Error) -> bool {
        false
    }
}
