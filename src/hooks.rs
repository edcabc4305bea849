//! Paws Inside's side of the identity crate's hooks.
//!
//! - **Erase**: when an account is deleted or a guest discarded, its photos'
//!   files go (after the rows have gone, so no page ever links to a missing
//!   file), and if any of its photos showed at a venue, the shared copies of
//!   the public pages are dropped.
//! - **Claimed**: a claimed guest's "dogs still welcome?" answers now count
//!   fully, and a merge can drop the guest's answer of a day the account
//!   also answered: the verdicts of the venues it answered are recomputed
//!   (in a transaction of their own; a failure is logged and the daily pass
//!   repairs it) and the public pages dropped when something changed.
//! - **Admins**: who holds the admin role, for the crate's admin flows.
//! - **Signing in**: the next page's words ([`crate::auth::ending::said`]),
//!   and the funnel's claims, noted in the sign-in's own transaction.

use crate::context::PublicPages;
use crate::photos::PhotoStore;
use anonymous_first::ending::{Ended, Method};
use anonymous_first::hooks::{AfterCommit, BoxFuture, Claimed, Hooks};
use anyhow::Context;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Paws Inside's hooks: photo files, the page cache, the verdicts.
pub struct PawsHooks {
    pool: PgPool,
    store: PhotoStore,
    public: PublicPages,
}

impl PawsHooks {
    /// Verdicts in `pool`, files in `store`; public page changes told to `public`.
    pub fn new(pool: PgPool, store: PhotoStore, public: PublicPages) -> Self {
        Self { pool, store, public }
    }
}

impl Hooks for PawsHooks {
    fn erasing<'c>(
        &'c self,
        conn: &'c mut PgConnection,
        user: Uuid,
    ) -> BoxFuture<'c, anyhow::Result<Option<AfterCommit>>> {
        Box::pin(async move {
            let (keys, shown): (Vec<String>, bool) = sqlx::query_as(
                "SELECT coalesce(array_agg(storage_key), '{}'),
                        coalesce(bool_or(venue_id IS NOT NULL AND hidden_at IS NULL), false)
                 FROM photos WHERE user_id = $1",
            )
            .bind(user)
            .fetch_one(conn)
            .await
            .context("failed to list the user's photos")?;
            if keys.is_empty() {
                return Ok(None);
            }
            let (store, public) = (self.store.clone(), self.public.clone());
            let after: AfterCommit = Box::pin(async move {
                if shown {
                    public.changed();
                }
                for key in &keys {
                    store.remove(key).await;
                }
                tracing::info!(photos = keys.len(), "a deleted user's photo files removed");
            });
            Ok(Some(after))
        })
    }

    fn admins<'c>(
        &'c self,
        conn: &'c mut PgConnection,
        users: &'c [Uuid],
    ) -> BoxFuture<'c, anyhow::Result<Vec<Uuid>>> {
        // Our role column; `FOR SHARE` keeps a revoke waiting for the flow.
        Box::pin(async move {
            sqlx::query_scalar(
                "SELECT id FROM users WHERE id = ANY($1) AND role = 'admin' AND NOT is_anonymous FOR SHARE",
            )
            .bind(users)
            .fetch_all(conn)
            .await
            .context("failed to read the admin role")
        })
    }

    fn notice(&self, method: Method, ended: &Ended) -> Option<String> {
        Some(crate::auth::ending::said(method, ended))
    }

    fn signing_in<'c>(
        &'c self,
        conn: &'c mut PgConnection,
        method: Method,
        ended: &'c Ended,
    ) -> BoxFuture<'c, anyhow::Result<()>> {
        Box::pin(async move {
            if ended.outcomes.is_empty() {
                return Ok(());
            }
            // Guests came along: the funnel's claims, in this transaction.
            let claimed = crate::auth::funnel::Note::Claimed(method.way(), &ended.outcomes);
            crate::auth::funnel::note(conn, claimed).await
        })
    }

    fn reaped<'c>(&'c self, conn: &'c mut PgConnection, guests: u64) -> BoxFuture<'c, anyhow::Result<()>> {
        // The funnel's "reaped", in the same transaction as the deletes.
        Box::pin(crate::auth::funnel::note(
            conn,
            crate::auth::funnel::Note::Reaped(guests),
        ))
    }

    fn claimed(&self, claim: Claimed) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let answers_merged = claim.merged.iter().any(|moved| moved.get("venue_checks") > 0);
            match crate::venues::verdicts::after_claim(&self.pool, claim.account).await {
                Ok(0) if !answers_merged => {}
                Ok(_) => self.public.changed(),
                Err(err) => {
                    tracing::error!(error = ?err, "recomputing verdicts after a claim");
                    if answers_merged {
                        self.public.changed();
                    }
                }
            }
        })
    }
}
