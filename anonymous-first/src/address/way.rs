//! Every proof of an address — a mailed link, the mail's code, a sign-up's
//! confirmation, a password reset — as one [`Way`] into the ending: it uses
//! the token up inside the ending's transaction and names the account that
//! holds the address, or a member to be.

use super::AddressError;
use crate::claim::ClaimChoice;
use crate::ending::{Asker, Method, Proof, Way, Whom};
use crate::guests::Caller;
use crate::merge;
use crate::tokens::{self, Peek, Purpose};
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// What proves the address: the link's secret, or the code from the same
/// mail typed in the browser that asked (the token's id stands for it there).
#[derive(Clone, Copy, Debug)]
pub enum Secret<'a> {
    /// The secret in the link.
    Link(&'a str),
    /// A sign-in link's code, checked right against this stored hash.
    Code {
        /// The token the code belongs to.
        request: Uuid,
        /// The hash the code matched (the token must still hold it).
        code_hash: &'a str,
    },
}

/// A proof of an address, for the ending.
pub struct ByAddress<'a> {
    /// What the token is for.
    pub purpose: Purpose,
    /// Its secret.
    pub secret: Secret<'a>,
    /// What the person chose on the page (links only).
    pub choice: ClaimChoice,
    /// The password hash the account ends with (`None`: a proven one stays,
    /// one nobody proved goes).
    pub password: Option<String>,
}

/// Why a link could not be used, from how it looks now.
pub fn dead_link(peek: Peek) -> AddressError {
    match peek {
        Peek::Expired => AddressError::Expired,
        Peek::TriedOut => AddressError::TriedOut,
        Peek::Unknown => AddressError::Unknown,
        Peek::Used | Peek::Valid(_) => AddressError::Used,
    }
}

impl<P: Send + Sync> Way<P> for ByAddress<'_> {
    type Error = AddressError;

    async fn redeem(&mut self, _caller: &Caller<P>, conn: &mut PgConnection) -> Result<Proof, AddressError> {
        let (row, asker) = match self.secret {
            Secret::Link(token) => match tokens::consume(conn, self.purpose, token).await? {
                Some(row) => {
                    let guest = row.guest_id;
                    (row, Asker::Link { guest })
                }
                // Peeked on this transaction's connection: waiting for a
                // second one while holding this could starve the pool.
                None => return Err(dead_link(tokens::peek(&mut *conn, self.purpose, token).await?)),
            },
            // Typed in the browser that asked: its guest is this browser's.
            Secret::Code { request, code_hash } => {
                match tokens::consume_code(conn, request, code_hash).await? {
                    Some(row) => (row, Asker::Here),
                    // Used (by the link, or a racing try) or expired since it was checked.
                    None => return Err(AddressError::Used),
                }
            }
        };
        merge::lock_address(conn, &row.email).await?;
        let existing: Option<(Uuid, bool)> =
            sqlx::query_as("SELECT id, email_verified_at IS NULL FROM users WHERE email = $1 FOR UPDATE")
                .bind(&row.email)
                .fetch_optional(&mut *conn)
                .await
                .context("failed to look up the account")?;
        let whom = match existing {
            Some((id, unproven)) => Whom::Member {
                id,
                first_proof: unproven,
                password: self.password.clone(),
            },
            // Reset links only go to accounts; this one was deleted since. The
            // link is used up ([`Way::spent`]), so its page says so.
            None if self.purpose == Purpose::PasswordReset => return Err(AddressError::Unknown),
            None => Whom::New {
                email: Some(row.email),
                password: self.password.clone(),
            },
        };
        let method = match (self.purpose, self.secret) {
            (_, Secret::Code { .. }) => Method::Code,
            (Purpose::EmailVerify, _) => Method::Verify,
            (Purpose::PasswordReset, _) => Method::Reset,
            _ => Method::Link,
        };
        Ok(Proof {
            method,
            whom,
            asker,
            choice: self.choice,
            next: row.next_path,
        })
    }

    fn spent(err: &AddressError) -> bool {
        // Nothing else was done before these: committing keeps the token used.
        matches!(err, AddressError::Unknown)
    }
}
