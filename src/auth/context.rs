//! The request as every flow sees it ([`Caller`]): its session and where it
//! came from.

use super::session::TypedSession;
use super::user::User;
use crate::limits;
use std::net::IpAddr;

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
    pub(crate) fn client(&self) -> String {
        self.ip.map(limits::client_subject).unwrap_or_default()
    }
}
