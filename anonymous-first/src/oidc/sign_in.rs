//! Who a verified provider identity signs in as, as a way into the one
//! ending: a known identity signs in to its account; a new one whose verified
//! address has an account joins it only once the person confirmed; any other
//! new one promotes this browser's guest in place (or makes an account). A
//! member linking a provider adds it to their own account. The guests that
//! come along are the ending's to decide: only the guest this browser held
//! when it left for the provider.

use super::{Finished, OidcError};
use crate::claim::ClaimChoice;
use crate::ending::{self, Asker, Method, Proof, Way, Whom};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::merge;
use crate::sessions::ProfileRow;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// An identity the provider vouched for.
#[derive(Clone, Debug)]
pub(super) struct Verified {
    /// Our provider id.
    pub provider: String,
    /// The provider's `sub`.
    pub subject: String,
    /// The address it gave (lower-case), verified or not: shown only.
    pub email: Option<String>,
    /// The address, only if the provider says it is verified.
    pub verified_email: Option<String>,
}

/// What to do with a new identity whose verified address has an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// Ask the person first (the confirm page).
    Ask,
    /// They said: link it to that account.
    LinkExisting,
    /// They said: an account of its own.
    Separate,
}

/// A provider's answer, for the ending.
struct ByProvider<'a> {
    who: &'a Verified,
    mode: Mode,
    /// The guest this browser held when it left for the provider.
    left_as: Option<Uuid>,
    next: &'a str,
    /// The member adding this provider, if that is what this is.
    link_to: Option<Uuid>,
    /// Keeps the identity for the confirm page, in [`Mode::Ask`].
    browser: &'a [u8],
    known: bool,
}

impl<P: ProfileRow> Way<P> for ByProvider<'_> {
    type Error = OidcError;

    async fn redeem(&mut self, caller: &Caller<P>, conn: &mut PgConnection) -> Result<Proof, OidcError> {
        if let Some(member) = self.link_to {
            match caller.user() {
                Some(user) if user.id() == member && !user.is_guest() => {}
                _ => return Err(OidcError::SignedOut),
            }
            let owner = owner(conn, self.who).await?;
            if owner.is_some_and(|o| o != member) {
                return Err(OidcError::Taken);
            }
            self.known = owner.is_some();
            lock_member(conn, member).await?.ok_or(OidcError::SignedOut)?;
            return Ok(self.proof(
                Method::OpenIdLinked,
                Whom::ThisMember { recent: true },
                Asker::Here,
            ));
        }
        if let Some(email) = &self.who.verified_email {
            merge::lock_address(conn, email).await?;
        }
        let known = owner(conn, self.who).await?;
        self.known = known.is_some();
        let holder = match (&self.who.verified_email, known) {
            (Some(email), None) if self.mode != Mode::Separate => account_with(conn, email).await?,
            _ => None,
        };
        let whom = match (known, holder) {
            (Some(id), _) => {
                lock_member(conn, id).await?.ok_or(OidcError::Unverifiable)?;
                Whom::Member {
                    id,
                    first_proof: false,
                    password: None,
                }
            }
            (None, Some(_)) if self.mode == Mode::Ask => {
                // Kept for the confirm page; this commits ([`Way::spent`]).
                ask(conn, self.browser, self.who, self.left_as, self.next).await?;
                return Err(OidcError::MustConfirm);
            }
            // The provider proved the address: like a first link, it ends
            // sessions opened before anyone had, and a password nobody proved goes.
            (None, Some((id, unproven))) => Whom::Member {
                id,
                first_proof: unproven,
                password: None,
            },
            // An address goes on the new account only if verified and free.
            (None, None) => Whom::New {
                email: self
                    .who
                    .verified_email
                    .clone()
                    .filter(|_| self.mode != Mode::Separate),
                password: None,
            },
        };
        let asker = Asker::Returning { guest: self.left_as };
        Ok(self.proof(Method::OpenId, whom, asker))
    }

    async fn attach(&mut self, conn: &mut PgConnection, account: Uuid) -> Result<(), OidcError> {
        if !self.known {
            add_identity(conn, account, self.who).await?;
        }
        sqlx::query(
            "UPDATE oidc_identities SET last_used_at = now(), email = $3 WHERE provider = $1 AND subject = $2",
        )
        .bind(&self.who.provider)
        .bind(&self.who.subject)
        .bind(self.who.email.as_deref())
        .execute(conn)
        .await
        .context("failed to record the identity's use")?;
        Ok(())
    }

    fn provider_identity(&self) -> Option<crate::ending::ProviderIdentity> {
        (!self.known).then(|| crate::ending::ProviderIdentity {
            provider: self.who.provider.clone(),
            subject: self.who.subject.clone(),
            email: self.who.email.clone(),
        })
    }

    fn spent(err: &OidcError) -> bool {
        matches!(err, OidcError::MustConfirm)
    }
}

impl ByProvider<'_> {
    fn proof(&self, method: Method, whom: Whom, asker: Asker) -> Proof {
        Proof {
            method,
            whom,
            asker,
            choice: ClaimChoice::default(),
            next: self.next.to_owned(),
        }
    }
}

/// Signs this browser in as the identity's account (see the module);
/// `left_as`: the guest this browser held when it left for the provider.
pub(super) async fn sign_in<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    who: &Verified,
    left_as: Option<Uuid>,
    next: &str,
    mode: Mode,
    browser: &[u8],
) -> Result<Finished, OidcError> {
    let way = ByProvider {
        who,
        mode,
        left_as,
        next,
        link_to: None,
        browser,
        known: false,
    };
    match ending::end(id, caller, way).await {
        Ok(ended) => {
            tracing::info!(user = %ended.user, provider = %who.provider, "signed in with OpenID Connect");
            Ok(Finished::SignedIn { next: ended.next })
        }
        Err(OidcError::MustConfirm) => Ok(Finished::Confirm),
        Err(err) => Err(err),
    }
}

/// Adds the identity to `member`, who must still be this browser's member,
/// signed in recently (decided on the session row the ending locks).
pub(super) async fn link<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    member: Uuid,
    who: &Verified,
) -> Result<(), OidcError> {
    let way = ByProvider {
        who,
        mode: Mode::Separate,
        left_as: None,
        next: "/",
        link_to: Some(member),
        browser: &[],
        known: false,
    };
    ending::end(id, caller, way).await?;
    tracing::info!(user = %member, provider = %who.provider, "linked an OpenID Connect identity");
    Ok(())
}

/// Locks a member's row; `None` if it is gone (or a guest).
async fn lock_member(conn: &mut PgConnection, id: Uuid) -> anyhow::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND NOT is_anonymous FOR UPDATE")
        .bind(id)
        .fetch_optional(conn)
        .await
        .context("failed to lock the account")
}

/// The account the identity signs in to, locked, if it is linked. Two first
/// sign-ins of one identity at once take turns (the second finds the first's row).
async fn owner(conn: &mut PgConnection, who: &Verified) -> anyhow::Result<Option<Uuid>> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 7279))")
        .bind(&who.provider)
        .bind(&who.subject)
        .execute(&mut *conn)
        .await
        .context("failed to lock the identity")?;
    sqlx::query_scalar("SELECT user_id FROM oidc_identities WHERE provider = $1 AND subject = $2 FOR UPDATE")
        .bind(&who.provider)
        .bind(&who.subject)
        .fetch_optional(conn)
        .await
        .context("failed to look up the identity")
}

/// The member holding `email`, and whether the address was never proven.
async fn account_with(conn: &mut PgConnection, email: &str) -> anyhow::Result<Option<(Uuid, bool)>> {
    sqlx::query_as("SELECT id, email_verified_at IS NULL FROM users WHERE email = $1 FOR UPDATE")
        .bind(email)
        .fetch_optional(conn)
        .await
        .context("failed to look up the address")
}

/// Keeps the identity for the confirm page, bound to this browser's cookie.
async fn ask(
    conn: &mut PgConnection,
    browser: &[u8],
    who: &Verified,
    guest: Option<Uuid>,
    next: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO oidc_pending (browser_hash, provider, subject, email, guest_id, next_path, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(mins => $7))
         ON CONFLICT (browser_hash) DO UPDATE SET provider = $2, subject = $3, email = $4, guest_id = $5,
             next_path = $6, expires_at = excluded.expires_at",
    )
    .bind(browser)
    .bind(&who.provider)
    .bind(&who.subject)
    .bind(who.verified_email.as_deref())
    .bind(guest)
    .bind(next)
    .bind(super::FLOW_MINUTES as i32)
    .execute(conn)
    .await
    .context("failed to keep the pending sign-in")?;
    Ok(())
}

async fn add_identity(conn: &mut PgConnection, user: Uuid, who: &Verified) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO oidc_identities (provider, subject, user_id, email) VALUES ($1, $2, $3, $4)")
        .bind(&who.provider)
        .bind(&who.subject)
        .bind(user)
        .bind(who.email.as_deref())
        .execute(conn)
        .await
        .context("failed to add the identity")?;
    Ok(())
}
