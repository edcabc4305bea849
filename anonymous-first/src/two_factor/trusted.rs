//! Browsers a member trusted to skip the second step: a row each (listed
//! beside the sessions, revocable one by one), matched by the SHA-256 of a
//! random key in the app's HttpOnly cookie. Turning two-step sign-in off, or
//! the account's address being taken back, forgets them all.

use anyhow::Context as _;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

/// How long a trusted browser skips the second step, in days.
pub const TRUST_DAYS: i32 = 30;

/// The trusted-browser cookie's name (`__Host-` first behind https). A
/// cookie planted from a sibling site could only mark a browser trusted for
/// an account whose code the planter passed: both names are read.
pub const TRUSTED_COOKIE: &str = "af_trusted";

/// The trusted-browser key among a request's `Cookie` header values.
pub fn trusted_key<'a>(headers: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let (host, plain) = (format!("__Host-{TRUSTED_COOKIE}="), format!("{TRUSTED_COOKIE}="));
    let mut found = None;
    for pair in headers.into_iter().flat_map(|v| v.split(';')).map(str::trim) {
        if let Some(key) = pair.strip_prefix(host.as_str()) {
            return Some(key.to_owned()).filter(|k| !k.is_empty());
        }
        if let Some(key) = pair.strip_prefix(plain.as_str()) {
            found = Some(key.to_owned());
        }
    }
    found.filter(|k| !k.is_empty())
}

/// A `Set-Cookie` value keeping `key` for [`TRUST_DAYS`] days: HttpOnly,
/// `SameSite=Lax`, and `__Host-` with `Secure` behind https.
pub fn trusted_cookie(secure: bool, key: &str) -> String {
    let (prefix, flag) = if secure { ("__Host-", "; Secure") } else { ("", "") };
    let age = i64::from(TRUST_DAYS) * 86_400;
    format!("{prefix}{TRUSTED_COOKIE}={key}; Path=/; Max-Age={age}; HttpOnly; SameSite=Lax{flag}")
}

/// A trusted browser, as the account page lists it.
#[derive(Clone, Debug)]
pub struct TrustedBrowser {
    /// Its id, for [`forget`].
    pub id: Uuid,
    /// The `User-Agent` it was trusted from.
    pub user_agent: String,
    /// When, in Unix seconds.
    pub since: i64,
    /// Until when, in Unix seconds.
    pub until: i64,
}

fn digest(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// Trusts the browser holding `key` for `user`.
pub(super) async fn add(
    conn: &mut PgConnection,
    user: Uuid,
    key: &str,
    user_agent: &str,
) -> anyhow::Result<()> {
    let agent: String = user_agent.chars().filter(|c| !c.is_control()).take(300).collect();
    sqlx::query(
        "INSERT INTO trusted_browsers (id, user_id, key_hash, user_agent, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))",
    )
    .bind(Uuid::new_v4())
    .bind(user)
    .bind(digest(key))
    .bind(agent)
    .bind(TRUST_DAYS)
    .execute(conn)
    .await
    .context("failed to trust this browser")?;
    Ok(())
}

/// `user`'s trusted browsers, the newest first.
pub async fn trusted_browsers(pool: &sqlx::PgPool, user: Uuid) -> anyhow::Result<Vec<TrustedBrowser>> {
    let rows: Vec<(Uuid, String, i64, i64)> = sqlx::query_as(
        "SELECT id, user_agent, extract(epoch FROM created_at)::int8, extract(epoch FROM expires_at)::int8
         FROM trusted_browsers WHERE user_id = $1 AND expires_at > now()
         ORDER BY created_at DESC LIMIT 50",
    )
    .bind(user)
    .fetch_all(pool)
    .await
    .context("failed to list the trusted browsers")?;
    Ok(rows
        .into_iter()
        .map(|(id, user_agent, since, until)| TrustedBrowser {
            id,
            user_agent,
            since,
            until,
        })
        .collect())
}

/// Forgets one of `user`'s trusted browsers (its next sign-in asks for the
/// code again); `false` when there was none such.
pub async fn forget(pool: &sqlx::PgPool, user: Uuid, browser: Uuid) -> anyhow::Result<bool> {
    let gone = sqlx::query("DELETE FROM trusted_browsers WHERE id = $1 AND user_id = $2")
        .bind(browser)
        .bind(user)
        .execute(pool)
        .await
        .context("failed to forget a trusted browser")?;
    Ok(gone.rows_affected() == 1)
}
