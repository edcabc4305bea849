//! What the app does when identity changes what a user owns or who a
//! session is: the erase hook, the sign-in's notes and notice, and the claim
//! hook.
//!
//! Deleting an account or discarding a guest deletes its rows in one
//! transaction (owned rows by cascade, rows that outlive their owner
//! released). What lives outside the database — files in an object store,
//! shared copies of pages that showed the user's things — is the app's: in
//! that transaction, before the rows go, the app reads what it needs and
//! hands back the work to do once the deletion has committed.

use crate::owned::Counts;
use crate::signed_in::{Ended, Method};
use sqlx::PgConnection;
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

/// A boxed future that may move between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Work for after a commit. A future does nothing until awaited, so if the
/// transaction does not commit it is dropped and nothing happens.
pub type AfterCommit = BoxFuture<'static, ()>;

/// A sign-in that brought guests' things into an account, as the claim hook
/// sees it once committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    /// The account (a promoted guest keeps its id).
    pub account: Uuid,
    /// A guest became the account in place.
    pub promoted: bool,
    /// What each merged guest's rows moved, per table.
    pub merged: Vec<Counts>,
}

/// The app's side of removing a user and of a claim.
pub trait Hooks: Send + Sync + 'static {
    /// Called in the transaction that deletes `user`, before its rows go:
    /// reads what must be removed outside the database and returns the work
    /// that removes it, run only after the commit. An error rolls the
    /// deletion back.
    fn erasing<'c>(
        &'c self,
        conn: &'c mut PgConnection,
        user: Uuid,
    ) -> BoxFuture<'c, anyhow::Result<Option<AfterCommit>>>;

    /// Called after a sign-in that promoted or merged guests has committed,
    /// outside its transaction: what the app derives from who owns what
    /// (caches, scores) catches up. It cannot undo the sign-in, so it has no
    /// error to return: log a failure and let a later pass repair it.
    fn claimed(&self, claim: Claimed) -> BoxFuture<'_, ()> {
        let _ = claim;
        Box::pin(async {})
    }

    /// Called inside the one ending's transaction, after the sign-in is
    /// recorded and before it commits: the app's own notes of it (a report's
    /// counts) commit or roll back with the sign-in. An error rolls the
    /// sign-in back. Not called when a member only added a way in.
    fn signing_in<'c>(
        &'c self,
        conn: &'c mut PgConnection,
        method: Method,
        ended: &'c Ended,
    ) -> BoxFuture<'c, anyhow::Result<()>> {
        let _ = (conn, method, ended);
        Box::pin(async { Ok(()) })
    }

    /// Called in the reaper's transaction that deleted `guests` idle guests
    /// ([`crate::reaper`]), before it commits: the app's count of them
    /// commits with the deletion. An error rolls the batch back.
    fn reaped<'c>(&'c self, conn: &'c mut PgConnection, guests: u64) -> BoxFuture<'c, anyhow::Result<()>> {
        let _ = (conn, guests);
        Box::pin(async { Ok(()) })
    }

    /// Which of `users` hold the app's admin role, read on the caller's
    /// connection (inside a flow's transaction: lock what you read, `FOR
    /// SHARE`, so a role taken away meanwhile waits for the flow). Only they
    /// may use [`crate::admin`], and nobody can ban them there. Nobody, by
    /// default.
    fn admins<'c>(
        &'c self,
        conn: &'c mut PgConnection,
        users: &'c [Uuid],
    ) -> BoxFuture<'c, anyhow::Result<Vec<Uuid>>> {
        let _ = (conn, users);
        Box::pin(async { Ok(Vec::new()) })
    }

    /// What the next page tells the person who just signed in (kept on the
    /// new session and shown once), in the app's words; `None`: nothing.
    fn notice(&self, method: Method, ended: &Ended) -> Option<String> {
        let _ = (method, ended);
        None
    }
}

/// For an app whose users own nothing outside the database and that derives
/// nothing from who owns what.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHooks;

impl Hooks for NoHooks {
    fn erasing<'c>(
        &'c self,
        _conn: &'c mut PgConnection,
        _user: Uuid,
    ) -> BoxFuture<'c, anyhow::Result<Option<AfterCommit>>> {
        Box::pin(async { Ok(None) })
    }
}
