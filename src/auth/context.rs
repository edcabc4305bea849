//! What identity flows are given: the services they use ([`Auth`]) and the
//! request as they see it ([`Caller`]).

use super::session::TypedSession;
use super::user::User;
use crate::limits::{self, LimitedAction, Limits, TooMany};
use crate::mail::{Email, Mailer};
use crate::password::Hasher;
use crate::photos::PhotoStore;
use sqlx::PgPool;
use std::net::IpAddr;
use std::sync::Arc;

/// Settings of sign-in, from the server's settings.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// Base URL for links in emails, e.g. `https://pawsinside.example`.
    pub public_url: String,
    /// How long a sign-in link works.
    pub link_minutes: i64,
    /// How recent a sign-in must be to delete the account.
    pub reauth_minutes: i64,
    /// Rate limits in force.
    pub limits: Limits,
}

/// The services every identity flow uses; cheap to clone.
#[derive(Clone)]
pub struct Auth {
    /// The database.
    pub pool: PgPool,
    /// Password hashing (a few at a time).
    pub hasher: Hasher,
    /// Outgoing mail.
    pub mailer: Mailer,
    /// Photo files (deleting an account deletes them).
    pub media: PhotoStore,
    /// Settings.
    pub settings: Arc<AuthSettings>,
}

impl Auth {
    /// A link to `path` (`/auth/confirm?token=…`) on the public site.
    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url)
    }

    /// Hands an email to the mailer (sent off the request path).
    pub(super) fn send(&self, email: Email) {
        self.mailer.send_in_background(email);
    }

    /// Counts one hit of each `(limit, subject)`; the first one over answers
    /// with how long to wait. Each hit commits on its own: a refused attempt
    /// must count even though the flow then stops.
    pub(super) async fn limit(
        &self,
        checks: &[(LimitedAction, &str)],
    ) -> anyhow::Result<Result<(), TooMany>> {
        for (action, subject) in checks {
            if subject.is_empty() {
                continue;
            }
            if let Err(over) = limits::hit(&self.pool, &self.settings.limits, *action, subject).await? {
                return Ok(Err(over));
            }
        }
        Ok(Ok(()))
    }
}

/// The request as identity flows see it: its session and where it came from.
pub struct Caller {
    /// The session (loaded, with its current user).
    pub session: TypedSession,
    /// The client address (the socket peer or what a trusted proxy says).
    pub ip: Option<IpAddr>,
    /// The `User-Agent`, for the session list.
    pub user_agent: String,
}

impl Caller {
    /// Who the session is.
    pub fn user(&self) -> Option<&User> {
        self.session.user()
    }

    /// The subject of per-client limits (`""` without an address: not limited).
    pub(super) fn client(&self) -> String {
        self.ip.map(limits::client_subject).unwrap_or_default()
    }
}
