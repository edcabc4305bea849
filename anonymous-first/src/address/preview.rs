//! What a one-time link's page shows before anything is used: whether the
//! link still works, the address partly hidden, and what each guest the
//! person may bring along holds (counted over the owned tables). Looking
//! never uses a link up, so a mail scanner that opens it changes nothing.

use super::sign_up::unproven_password;
use crate::email::EmailAddress;
use crate::guests::Caller;
use crate::identity::Identity;
use crate::owned::Counts;
use crate::sessions::ProfileRow;
use crate::tokens::{self, Peek, Purpose};
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// The state of a one-time link, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkCheck {
    /// Usable: the page asks to confirm.
    Valid(LinkPreview),
    /// Used already (each link works once).
    Used,
    /// Past its expiry.
    Expired,
    /// Closed after too many wrong codes typed from its mail.
    TriedOut,
    /// Not a link that was sent (mistyped, cut off), or replaced by a newer one.
    Unknown,
}

/// What confirming a usable link will do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkPreview {
    /// The address, partly hidden: `b…@example.com`.
    pub masked_email: String,
    /// This browser is the guest that asked for the link.
    pub same_browser: bool,
    /// What the guest that asked for the link holds (this browser's own when
    /// `same_browser`), while it is still a guest.
    pub requester: Option<Counts>,
    /// What this browser's own guest holds, when it is not the requester.
    pub this_browser: Option<Counts>,
    /// A sign-up's password nobody has proved the address of: kept in the
    /// browser that signed up; anywhere else the page asks for it, so nobody
    /// adopts a password someone else picked.
    pub unproven_password: bool,
}

/// What `token`'s page shows to this browser. Never uses the link up.
pub async fn preview<P: ProfileRow>(
    id: &Identity,
    caller: &Caller<P>,
    purpose: Purpose,
    token: &str,
) -> anyhow::Result<LinkCheck> {
    let row = match tokens::peek(&id.pool, purpose, token).await? {
        Peek::Valid(row) => row,
        Peek::Used => return Ok(LinkCheck::Used),
        Peek::Expired => return Ok(LinkCheck::Expired),
        Peek::TriedOut => return Ok(LinkCheck::TriedOut),
        Peek::Unknown => return Ok(LinkCheck::Unknown),
    };
    let masked_email = EmailAddress::parse(&row.email)
        .map(|e| e.masked())
        .unwrap_or_else(|_| "your address".to_owned());
    let browser = caller.session.guest();
    let same_browser = browser.is_some() && browser == row.guest_id;
    let mut conn = id.pool.acquire().await.context("no database connection")?;
    let requester = counts_if_guest(id, &mut conn, row.guest_id).await?;
    let this_browser = counts_if_guest(id, &mut conn, browser.filter(|_| !same_browser)).await?;
    let unproven_password = purpose == Purpose::EmailVerify
        && (row.password_hash.is_some() || unproven_password(&id.pool, &row.email).await?.is_some());
    Ok(LinkCheck::Valid(LinkPreview {
        masked_email,
        same_browser,
        requester,
        this_browser,
        unproven_password,
    }))
}

/// What `user` owns, when it is (still) a guest.
async fn counts_if_guest(
    id: &Identity,
    conn: &mut PgConnection,
    user: Option<Uuid>,
) -> anyhow::Result<Option<Counts>> {
    let Some(user) = user else { return Ok(None) };
    let guest: Option<bool> = sqlx::query_scalar("SELECT is_anonymous FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to look up the guest")?;
    match guest {
        Some(true) => Ok(Some(id.owned.count(conn, user).await?)),
        _ => Ok(None),
    }
}
