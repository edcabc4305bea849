//! One-time email tokens: sign-in links, address confirmations, password
//! resets. A token is 256 bits from the OS CSPRNG, hex in the URL; only its
//! SHA-256 is stored, so a database leak does not leak usable links.

use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// What a token is for; a token of one purpose never works for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Sign in (and claim a guest's things) by email link or code.
    MagicLink,
    /// Prove the address given at sign-up (and finish it).
    EmailVerify,
    /// Set a new password.
    PasswordReset,
    /// Add an address to an account that has none.
    EmailAdd,
    /// Make a new address the account's (sent to the new address).
    EmailChange,
    /// Put the old address back (sent to the old address).
    EmailUndo,
}

impl Purpose {
    /// The key stored in `auth_tokens.purpose`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MagicLink => "magic_link",
            Self::EmailVerify => "email_verify",
            Self::PasswordReset => "password_reset",
            Self::EmailAdd => "email_add",
            Self::EmailChange => "email_change",
            Self::EmailUndo => "email_undo",
        }
    }

    /// Parses a stored key; unknown keys give `None`.
    pub fn parse(key: &str) -> Option<Self> {
        [
            Self::MagicLink,
            Self::EmailVerify,
            Self::PasswordReset,
            Self::EmailAdd,
            Self::EmailChange,
            Self::EmailUndo,
        ]
        .into_iter()
        .find(|p| p.as_str() == key)
    }
}

/// Why a code got no try: every try was taken, or the token was used (by its
/// link, a right code, a newer mail) or expired meanwhile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoTry {
    /// All [`CODE_TRIES`] were taken.
    TriedOut,
    /// Used, replaced or expired.
    Used,
}

/// A stored token's useful fields.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TokenRow {
    /// The address the link was sent to.
    pub email: String,
    /// The guest that asked for it, if it still exists.
    pub guest_id: Option<Uuid>,
    /// Where to go after confirming.
    pub next_path: String,
    /// A pending sign-up's password (argon2id), waiting for the address.
    pub password_hash: Option<String>,
}

/// A token's state, looked at without using it.
#[derive(Clone, Debug)]
pub enum Peek {
    /// Usable.
    Valid(TokenRow),
    /// Used already.
    Used,
    /// Closed after [`CODE_TRIES`] wrong codes (its link with it).
    TriedOut,
    /// Expired.
    Expired,
    /// Unknown, malformed, or replaced by a newer link.
    Unknown,
}

/// What a new token is sent for.
#[derive(Clone, Copy, Debug)]
pub struct NewToken<'a> {
    /// Purpose.
    pub purpose: Purpose,
    /// The address it goes to.
    pub email: &'a str,
    /// The guest of the browser that asked.
    pub guest_id: Option<Uuid>,
    /// A same-site path to go to afterwards.
    pub next_path: &'a str,
    /// Lifetime.
    pub ttl_minutes: i64,
    /// For a pending sign-up: the chosen password's hash.
    pub password_hash: Option<&'a str>,
    /// For a sign-in link: the SHA-256 of the asking browser's key, the only
    /// browser its code works in.
    pub browser_hash: Option<&'a [u8]>,
    /// For an address to add: the member it is for.
    pub user_id: Option<Uuid>,
}

/// A new random token: 32 bytes as 64 hex characters.
pub fn generate() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// SHA-256 of a well-formed token, or `None` for anything else (so garbage
/// never reaches a query).
pub fn hash(token: &str) -> Option<Vec<u8>> {
    let well_formed = token.len() == 64 && token.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    well_formed.then(|| Sha256::digest(token.as_bytes()).to_vec())
}

/// Stores a new token and retires the older unused ones of the same purpose
/// and address *that the same asker asked for* — the same browser, or the
/// same member (marked used, so their pages say "replaced by a newer link").
/// Someone else asking never retires yours: that would let anyone cancel a
/// person's sign-in, and tell whether the address has an account. One
/// statement, so it can run inside a flow's transaction or on its own.
pub async fn issue(conn: &mut PgConnection, new: NewToken<'_>) -> anyhow::Result<Issued> {
    let token = generate()?;
    let digest = hash(&token).context("generated token is malformed")?;
    let id: Uuid = sqlx::query_scalar(
        "WITH retired AS (
           UPDATE auth_tokens SET used_at = now()
           WHERE email = $3 AND purpose = $2 AND used_at IS NULL
             AND (browser_hash = $8 OR user_id = $9))
         INSERT INTO auth_tokens (token_hash, purpose, email, guest_id, next_path, expires_at, password_hash,
                                  browser_hash, user_id)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6), $7, $8, $9)
         RETURNING id",
    )
    .bind(&digest)
    .bind(new.purpose.as_str())
    .bind(new.email)
    .bind(new.guest_id)
    .bind(new.next_path)
    .bind(new.ttl_minutes as i32)
    .bind(new.password_hash)
    .bind(new.browser_hash)
    .bind(new.user_id)
    .fetch_one(conn)
    .await
    .context("failed to store token")?;
    Ok(Issued { id, token })
}

/// A stored token: its row, and the secret for the caller to hand over
/// (or drop: a mail's secret is made anew when it is sent, [`rekey`]).
#[derive(Debug)]
pub struct Issued {
    /// The row.
    pub id: Uuid,
    /// The secret (64 hex characters); only its hash is stored.
    pub token: String,
}

/// A token's fresh secrets, for its mail.
#[derive(Debug)]
pub struct Rekeyed {
    /// The link's secret.
    pub token: String,
    /// The code typed instead of opening the link (sign-in mails only).
    pub code: Option<String>,
}

/// Gives a still usable token a fresh secret (and, `with_code`, a fresh code)
/// and returns them; `None` when the token was used, replaced by a newer one or
/// has expired. The mail worker calls it at send time, so no working secret
/// waits in the database; on its own commit, so the link works the moment the
/// mail arrives.
pub async fn rekey(pool: &PgPool, id: Uuid, with_code: bool) -> anyhow::Result<Option<Rekeyed>> {
    let token = generate()?;
    let digest = hash(&token).context("generated token is malformed")?;
    let code = with_code.then(generate_code).transpose()?;
    let code_hash = match &code {
        Some(code) => Some(crate::password::hash_secret(code.clone()).await?),
        None => None,
    };
    let done = sqlx::query(
        "UPDATE auth_tokens SET token_hash = $2, code_hash = $3, code_attempts = 0
         WHERE id = $1 AND used_at IS NULL AND expires_at > now()",
    )
    .bind(id)
    .bind(&digest)
    .bind(code_hash)
    .execute(pool)
    .await
    .context("failed to renew token")?;
    Ok((done.rows_affected() == 1).then_some(Rekeyed { token, code }))
}

/// Digits in a sign-in code.
pub const CODE_DIGITS: usize = 8;
/// Wrong codes a token survives; the next wrong one uses it up.
pub const CODE_TRIES: i32 = 5;

/// A uniformly random code of [`CODE_DIGITS`] digits.
pub fn generate_code() -> anyhow::Result<String> {
    const RANGE: u32 = 100_000_000;
    // Rejection sampling: the top of the u32 range would favour low codes.
    let limit = u32::MAX - u32::MAX % RANGE;
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
        let n = u32::from_le_bytes(bytes);
        if n < limit {
            return Ok(format!("{:0width$}", n % RANGE, width = CODE_DIGITS));
        }
    }
}

/// A typed code as we store it (digits only; spaces and dashes people type
/// from the mail's "1234 5678" are dropped), or `None` if it cannot be one.
pub fn normalize_code(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Where a typed code stands before it is checked.
#[derive(Debug)]
pub enum CodeTarget {
    /// A code can be tried against this hash.
    Live(String),
    /// Not the browser that asked for this mail.
    OtherBrowser,
    /// The token cannot be used any more (or never had a code).
    Dead(Peek),
}

/// Looks up the token `id` for a code typed in the browser holding
/// `browser_key` (none: no cookie). Reads only; the hash is checked outside
/// any transaction, so slow hashing never holds a connection or a lock.
pub async fn code_target(pool: &PgPool, id: Uuid, browser_key: Option<&str>) -> anyhow::Result<CodeTarget> {
    let browser = browser_key.and_then(hash);
    type Row = (Option<String>, bool, bool, bool, bool);
    let row: Option<Row> = sqlx::query_as(
        "SELECT code_hash, used_at IS NOT NULL, expires_at <= now(), browser_hash IS NOT DISTINCT FROM $2,
                code_attempts >= $3
         FROM auth_tokens WHERE id = $1 AND purpose = 'magic_link'",
    )
    .bind(id)
    .bind(browser)
    .bind(CODE_TRIES)
    .fetch_optional(pool)
    .await
    .context("failed to look up the code's token")?;
    Ok(match row {
        None | Some((None, ..)) => CodeTarget::Dead(Peek::Unknown),
        Some((_, true, _, _, true)) => CodeTarget::Dead(Peek::TriedOut),
        Some((_, true, ..)) => CodeTarget::Dead(Peek::Used),
        Some((_, _, true, ..)) => CodeTarget::Dead(Peek::Expired),
        Some((_, _, _, false, _)) => CodeTarget::OtherBrowser,
        Some((Some(code_hash), false, false, true, _)) => CodeTarget::Live(code_hash),
    })
}

/// Takes one of the token's tries for a code about to be checked, if it still
/// holds `code_hash` and has tries left; returns which try it is (1-based).
/// Counted before the check: however many codes are in flight at once, at
/// most [`CODE_TRIES`] are ever checked against one mail.
pub async fn take_try(pool: &PgPool, id: Uuid, code_hash: &str) -> anyhow::Result<Option<i32>> {
    sqlx::query_scalar(
        "UPDATE auth_tokens SET code_attempts = code_attempts + 1
         WHERE id = $1 AND code_hash = $2 AND used_at IS NULL AND expires_at > now() AND code_attempts < $3
         RETURNING code_attempts",
    )
    .bind(id)
    .bind(code_hash)
    .bind(CODE_TRIES)
    .fetch_optional(pool)
    .await
    .context("failed to count a code's try")
}

/// Why no try was left for a code of the token `id`.
pub async fn why_no_try(pool: &PgPool, id: Uuid) -> anyhow::Result<NoTry> {
    let tried: Option<bool> = sqlx::query_scalar("SELECT code_attempts >= $2 FROM auth_tokens WHERE id = $1")
        .bind(id)
        .bind(CODE_TRIES)
        .fetch_optional(pool)
        .await
        .context("failed to look up the code's token")?;
    Ok(match tried {
        Some(true) => NoTry::TriedOut,
        _ => NoTry::Used,
    })
}

/// Ends the token after its last try was wrong (if it still holds `code_hash`).
pub async fn retire_tried_out(pool: &PgPool, id: Uuid, code_hash: &str) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE auth_tokens SET used_at = now() WHERE id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(id)
    .bind(code_hash)
    .execute(pool)
    .await
    .context("failed to end a tried-out code")?;
    Ok(())
}

/// Uses the token up inside the caller's transaction if it still holds the
/// `code_hash` a right code was checked against (not used, renewed, expired or
/// tried out meanwhile); `None` otherwise. One of many racing callers wins.
pub async fn consume_code(
    conn: &mut PgConnection,
    id: Uuid,
    code_hash: &str,
) -> anyhow::Result<Option<TokenRow>> {
    sqlx::query_as(
        "UPDATE auth_tokens SET used_at = now()
         WHERE id = $1 AND purpose = 'magic_link' AND code_hash = $2
           AND used_at IS NULL AND expires_at > now()
         RETURNING email, guest_id, next_path, password_hash",
    )
    .bind(id)
    .bind(code_hash)
    .fetch_optional(conn)
    .await
    .context("failed to use the code's token")
}

/// The address a token was sent to (for per-address limits), if it exists.
pub async fn email_of(pool: &PgPool, id: Uuid) -> anyhow::Result<Option<String>> {
    sqlx::query_scalar("SELECT email FROM auth_tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .context("failed to look up the token")
}

/// Looks at a token without consuming it (GET and HEAD of a link, mail
/// scanners), on a pool or on a transaction's own connection (which must not
/// wait for a second one).
pub async fn peek<'e>(
    conn: impl sqlx::PgExecutor<'e>,
    purpose: Purpose,
    token: &str,
) -> anyhow::Result<Peek> {
    let Some(digest) = hash(token) else {
        return Ok(Peek::Unknown);
    };
    type Row = (String, Option<Uuid>, String, Option<String>, bool, bool, bool);
    let row: Option<Row> = sqlx::query_as(
        "SELECT email, guest_id, next_path, password_hash, used_at IS NOT NULL, expires_at <= now(),
                code_attempts >= $3
         FROM auth_tokens WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(&digest)
    .bind(purpose.as_str())
    .bind(CODE_TRIES)
    .fetch_optional(conn)
    .await
    .context("failed to look up token")?;
    Ok(match row {
        None => Peek::Unknown,
        Some((.., true, _, true)) => Peek::TriedOut,
        Some((.., true, _, _)) => Peek::Used,
        Some((.., true, _)) => Peek::Expired,
        Some((email, guest_id, next_path, password_hash, false, false, _)) => Peek::Valid(TokenRow {
            email,
            guest_id,
            next_path,
            password_hash,
        }),
    })
}

/// Uses a token up inside the caller's transaction: exactly one caller of many
/// concurrent ones gets the row; the rest get `None` (the row lock serialises them).
pub async fn consume(
    conn: &mut PgConnection,
    purpose: Purpose,
    token: &str,
) -> anyhow::Result<Option<TokenRow>> {
    let Some(digest) = hash(token) else {
        return Ok(None);
    };
    sqlx::query_as(
        "UPDATE auth_tokens SET used_at = now()
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
         RETURNING email, guest_id, next_path, password_hash",
    )
    .bind(&digest)
    .bind(purpose.as_str())
    .fetch_optional(conn)
    .await
    .context("failed to consume token")
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_eight_digits_and_typed_forgivingly() {
        let code = super::generate_code().unwrap();
        assert_eq!(code.len(), 8);
        assert_eq!(super::normalize_code(&code), Some(code.clone()));
        assert_eq!(super::normalize_code("1234 5678").as_deref(), Some("12345678"));
        assert_eq!(super::normalize_code("1234-5678").as_deref(), Some("12345678"));
        assert_eq!(super::normalize_code("1234567"), None);
        assert_eq!(super::normalize_code("1234567a"), None);
        assert_eq!(
            super::normalize_code("１２３４５６７８"),
            None,
            "only ASCII digits"
        );
        let distinct: std::collections::HashSet<_> =
            (0..50).map(|_| super::generate_code().unwrap()).collect();
        assert!(distinct.len() > 45, "codes repeat too often: {}", distinct.len());
    }

    #[test]
    fn tokens_are_random_and_hashable() {
        let (a, b) = (super::generate().unwrap(), super::generate().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(super::hash(&a).is_some());
        assert!(super::hash("short").is_none());
        assert!(super::hash(&a.to_uppercase()).is_none());
    }
}
