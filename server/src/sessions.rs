//! Sessions: the identity crate's axum face ([`anonymous_first::web`]) with
//! our cookie's name. Cookies hold an opaque id only, are HttpOnly +
//! SameSite=Lax (+ Secure behind https), and are only ever set when an
//! identity flow opened a session — never for a visitor who only reads.
//! Handlers take the request's [`paws_inside::auth::Caller`] as an extractor
//! (the crate's: the session, loaded once, and the client address), and the
//! router mounts the crate's `touch` for the rolling expiry.

use paws_inside::auth::PgSessionStore;
use sqlx::PgPool;
use tower_sessions::SessionManagerLayer;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "paws_session";

/// The session layer for the router.
pub fn layer(pool: PgPool, secure: bool, days: i64) -> SessionManagerLayer<PgSessionStore> {
    anonymous_first::web::session_layer(PgSessionStore::new(pool), COOKIE_NAME, secure, days)
}
