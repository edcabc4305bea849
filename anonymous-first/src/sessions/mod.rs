//! Sessions in Postgres: the store behind tower-sessions, the typed session
//! every flow reads and changes it through, and the farewells left for
//! browsers whose session another device ended.
//!
//! Three rules make a session trustworthy:
//! - **Loading is the one round trip** of a request that needs its user, and
//!   it joins `users`: the user a request sees is the current row (a guest
//!   promoted since reads as a member, a demoted admin as no admin, a deleted
//!   user as nobody), never a copy taken at sign-in. The app's own fields
//!   ([`ProfileRow`]) come in the same statement.
//! - **Only identity flows insert rows**, inside the flow's transaction.
//!   `create` here just takes over the id the flow chose ([`keys::ADOPT`]).
//! - **Saving only updates a row that still exists**: a session revoked while
//!   a request was in flight is not written back when that request ends.
//!
//! The tables (`sessions`, `session_farewells`, and `users` with `id`,
//! `is_anonymous`, `email`, `last_seen_at`) are the crate's; the README has
//! their shape.

pub mod farewell;
mod store;
mod typed;

pub use farewell::{Ending, Farewell};
pub use store::PgSessionStore;
pub(crate) use typed::now_ms as typed_now_ms;
pub use typed::{ACTING_MINUTES, Notice, Terms, TypedSession};

use crate::user::Profile;

/// Keys of the values the store puts into a loaded record. They start with
/// `~` so nothing else would pick them; only the app's typed session reads
/// them.
pub mod keys {
    /// The session's user ([`crate::User`]), from `users` at load time.
    pub const USER: &str = "~user";
    /// Unix milliseconds of the session's last proof of identity.
    pub const AUTHENTICATED_AT: &str = "~authenticated_at";
    /// The one-time message for the next page; removing it clears the column.
    pub const NOTICE: &str = "~notice";
    /// The session was last seen over a day ago: extend it on this request.
    pub const TOUCH_DUE: &str = "~touch_due";
    /// Set when the session was touched, so the layer saves it.
    pub const TOUCHED: &str = "~touched";
    /// The id of a row an identity flow inserted for this browser.
    pub const ADOPT: &str = "~adopt";
    /// Why this browser's session ended elsewhere (a [`super::Farewell`]):
    /// the only value of a record whose session row is gone.
    pub const FAREWELL: &str = "~farewell";
    /// Unix seconds until which an admin acts as this member (the crate's `admin`).
    pub const ACTING_UNTIL: &str = "~acting_until";
}

/// How the app's [`Profile`] is read from its users row.
pub trait ProfileRow: Profile {
    /// SQL expressions over the users row `u`, selected after the crate's own
    /// columns, e.g. `"u.display_name, u.role = 'admin'"`; empty for none.
    const COLUMNS: &'static str;

    /// The profile from `row`, whose first own column is at index `first`.
    fn from_row(row: &sqlx::postgres::PgRow, first: usize) -> sqlx::Result<Self>;
}

impl ProfileRow for crate::user::NoProfile {
    const COLUMNS: &'static str = "";

    fn from_row(_: &sqlx::postgres::PgRow, _: usize) -> sqlx::Result<Self> {
        Ok(Self)
    }
}

/// `, COLUMNS` for a select list (nothing when the profile has no columns).
fn profile_columns<P: ProfileRow>() -> String {
    match P::COLUMNS.trim() {
        "" => String::new(),
        columns => format!(", {columns}"),
    }
}

/// The member `id` with their address and profile as the users row says now,
/// on the caller's connection (a flow about to open a session for them);
/// `None` when there is no such member.
pub async fn member<P: ProfileRow>(
    conn: &mut sqlx::PgConnection,
    id: uuid::Uuid,
) -> anyhow::Result<Option<crate::User<P>>> {
    use anyhow::Context as _;
    use sqlx::Row as _;
    let sql = format!(
        "SELECT u.email{} FROM users u WHERE u.id = $1 AND NOT u.is_anonymous",
        profile_columns::<P>()
    );
    let Some(row) = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await
        .context("failed to read a member")?
    else {
        return Ok(None);
    };
    Ok(Some(crate::User::Member {
        id,
        email: row.try_get(0).context("failed to read a member's address")?,
        profile: P::from_row(&row, 1).context("failed to read a member's profile")?,
    }))
}
