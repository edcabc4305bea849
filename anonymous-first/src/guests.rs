//! Guest creation ("anonymous sign-in"): the first contribution of a browser
//! makes a real user row and a session for it, in one statement with one
//! commit — the rate-limit hits, the user, the browser's mint key and the
//! session row together.
//!
//! That commit does not wait for the WAL to reach the disk
//! (`synchronous_commit = off` for this transaction only). A guest that owns
//! nothing is worth nothing, and the first thing it makes commits durably,
//! which flushes the WAL up to and including the guest (the log is written in
//! order). So a database crash in the fraction of a second after the answer
//! can only lose an empty guest — its cookie then reads as no session and the
//! next contribution makes a new one — never what it made. Not waiting
//! matters because every guest of one client counts in one rate-limit row,
//! locked until the commit.

use crate::counters;
use crate::limits::{self, Limit, TooMany};
use crate::sessions::TypedSession;
use crate::sessions::farewell;
use crate::user::{Profile, User};
use anyhow::Context as _;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::net::IpAddr;
use uuid::Uuid;

/// How long a browser's mint key returns the same guest (double clicks, two tabs).
const MINT_KEY_WINDOW_SECS: f64 = 300.0;

/// The request as identity flows see it: its session and where it came from.
pub struct Caller<P> {
    /// The session (loaded, with its current user).
    pub session: TypedSession<P>,
    /// The client address (the socket peer or what a trusted proxy says).
    pub ip: Option<IpAddr>,
    /// The `User-Agent`, for the session list.
    pub user_agent: String,
    /// The key this browser's trusted-browser cookie holds, if any: a
    /// member who trusted it skips two-step sign-in's code
    /// ([`crate::two_factor`]).
    pub trusted_browser: Option<String>,
}

impl<P: Profile> Caller<P> {
    /// Who the session is.
    pub fn user(&self) -> Option<&User<P>> {
        self.session.user()
    }

    /// The subject of per-client limits (`""` without an address: not limited).
    pub fn client(&self) -> String {
        self.ip.map(limits::client_subject).unwrap_or_default()
    }
}

/// Creating a guest failed.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    /// This client (or its network) started many guests lately.
    #[error("{0}")]
    TooMany(TooMany),
    /// The database failed.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// One of the mint's rate limits (a [`Limit`] the mint counts inside its
/// own statement).
pub type MintLimit = Limit;

/// What a mint did.
#[derive(Clone, Debug)]
pub struct Minted<P> {
    /// The session's user now.
    pub user: User<P>,
    /// A new guest row was made (not the session's user, nor one joined by
    /// its mint key).
    pub created: bool,
}

/// Makes guests: the mint's one statement, written once.
#[derive(Clone, Debug)]
pub struct Minter {
    sql: String,
    per_client: MintLimit,
    per_network: MintLimit,
}

mod statement;

impl Minter {
    /// A mint limited per client (an IPv4 address, an IPv6 /64) and per
    /// network (an IPv6 /48: one holder of many /64s mints no more than a
    /// few households do). `step`: the app's own CTE in the same statement
    /// (`name AS (…)`, reading `fresh(id)`, the new guest when one was made),
    /// for a row of its own that must not cost another round trip.
    pub fn new(per_client: MintLimit, per_network: MintLimit, step: Option<&str>) -> Self {
        Self {
            sql: statement::mint(step),
            per_client,
            per_network,
        }
    }

    /// A mint with the crate's own limits ([`limits::GuestAction`]) and no app step.
    pub fn with_default_limits() -> Self {
        Self::new(
            Limit::new(limits::GuestAction::PerClient, 30),
            // Four busy households' worth: a site with many /64s, not a scraper's.
            Limit::new(limits::GuestAction::PerNetwork, 120),
            None,
        )
    }

    /// The session's user, or a new guest in a new session. With a
    /// `mint_key` (a random key the browser keeps, or the key of the page a
    /// form came from), concurrent and repeated calls within a few minutes
    /// get the same guest: the key's unique index makes a racer wait for the
    /// first one's commit and then join its guest.
    pub async fn user_or_mint<P: Profile>(
        &self,
        pool: &PgPool,
        caller: &mut Caller<P>,
        mint_key: Option<&str>,
    ) -> Result<Minted<P>, MintError> {
        if let Some(user) = caller.user() {
            return Ok(Minted {
                user: user.clone(),
                created: false,
            });
        }
        let key = mint_key
            .filter(|k| well_formed(k))
            .map(|k| Sha256::digest(k.as_bytes()).to_vec());
        let bucket = caller
            .ip
            .map(|ip| limits::bucket_named(self.per_client.name, &limits::client_subject(ip)));
        let network = caller
            .ip
            .and_then(limits::network_subject)
            .map(|net| limits::bucket_named(self.per_network.name, &net));
        let row = caller.session.next_row(&caller.user_agent);
        type Row = (Option<Uuid>, bool, Option<f64>, Option<f64>, bool);
        let (id, created, retry, retry_net, _): Row = sqlx::query_as(&self.sql)
            .bind(key.as_deref())
            .bind(MINT_KEY_WINDOW_SECS)
            .bind(bucket.as_deref())
            .bind(self.per_client.window_secs as f64)
            .bind(self.per_client.max)
            .bind(Uuid::new_v4())
            .bind(row.replaces())
            .bind(row.id())
            .bind(row.user_agent())
            .bind(row.expiry())
            .bind(network.as_deref())
            .bind(self.per_network.max)
            .bind(self.per_network.window_secs as f64)
            .fetch_one(pool)
            .await
            .context("failed to create a guest")?;
        let Some(id) = id else {
            // Over a limit; the hits are kept so the windows keep counting.
            let over = match (retry, retry_net) {
                (Some(retry), _) => self.per_client.over(retry),
                (None, retry) => self.per_network.over(retry.unwrap_or(60.0)),
            };
            counters::refused(over.action);
            return Err(MintError::TooMany(over));
        };
        let user = User::Guest { id };
        let now = crate::sessions::typed_now_ms();
        caller
            .session
            .adopt(row.opened(user.clone(), None, now, None))
            .await?;
        if created {
            counters::guest_created();
        }
        Ok(Minted { user, created })
    }

    /// Whose a contribution is when the guest it was made as went while it
    /// was on its way: the account the guest was merged into, as its
    /// session's farewell says (its things went there, and so does this),
    /// or — reaped, or gone otherwise — a new guest for this browser. Says
    /// whether a guest was made.
    pub async fn owner_after_vanished<P: Profile>(
        &self,
        pool: &PgPool,
        caller: &mut Caller<P>,
        mint_key: Option<&str>,
    ) -> Result<(Uuid, bool), MintError> {
        if let (Some(gone), Some(session)) = (caller.session.guest(), caller.session.id())
            && let Some(account) = farewell::moved_to(pool, &session).await?
        {
            tracing::info!(guest = %gone, %account, "a contribution followed its guest into an account");
            return Ok((account, false));
        }
        caller.session.vanished();
        let minted = self.user_or_mint(pool, caller, mint_key).await?;
        Ok((minted.user.id(), minted.created))
    }
}

/// A mint key as browsers send it: a random value of reasonable size.
fn well_formed(key: &str) -> bool {
    (16..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}
