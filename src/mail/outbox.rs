//! The outbox is the identity crate's (`anonymous_first::outbox`: queued in
//! the flow's transaction, sent by a worker on any instance, one sender per
//! row, the link's secret made as it is sent). What the mails say is ours:
//! [`PawsWords`] gives the crate the sign-in, sign-up, reset and address
//! mails (`templates`) and renders our own kind, the weekly digest of saved
//! places (`digest`, queued by `saved::digest` with a user and a time, no
//! token), as it is sent.

pub use anonymous_first::outbox::{
    CHANNEL, Letter, Link, Queued, Retry, Sender, Sent, Words, backlog, next_due, queue, queue_own,
    record_unsent, send_next,
};

use super::Email;
use crate::email::EmailAddress;
use anonymous_first::hooks::BoxFuture;
use sqlx::PgPool;
use uuid::Uuid;

/// Our one kind of mail besides the identity letters.
pub const SAVED_DIGEST: &str = "saved_digest";

/// Paws Inside's words for the outbox.
#[derive(Clone, Debug)]
pub struct PawsWords {
    /// Base URL of the site, for the digest's links.
    pub public_url: String,
}

impl Words for PawsWords {
    fn letter(&self, letter: Letter, to: &EmailAddress, link: &Link) -> Email {
        let url = link.url.as_str();
        match letter {
            Letter::MagicLink => super::magic_link(to, url, link.minutes, link.code.as_deref()),
            Letter::SignUpAttempt => super::sign_up_attempt(to, url),
            Letter::VerifyEmail => super::verify_email(to, url),
            Letter::PasswordReset => super::password_reset(to, url),
            Letter::AddEmail => super::add_email(to, url),
            Letter::ChangeEmail => super::change_email(to, url),
            Letter::EmailChanged => super::email_changed(to, url),
        }
    }

    fn own<'a>(
        &'a self,
        pool: &'a PgPool,
        kind: &'a str,
        to: &'a EmailAddress,
        user: Uuid,
        since: f64,
    ) -> BoxFuture<'a, anyhow::Result<Option<Email>>> {
        Box::pin(async move {
            match kind {
                SAVED_DIGEST => super::digest::render(pool, &self.public_url, user, since, to).await,
                _ => Ok(None),
            }
        })
    }
}
