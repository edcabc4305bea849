//! The codes themselves: the authenticator's (checked by `totp-rs`, the used
//! step remembered here) and the backup codes (random, kept as SHA-256:
//! they carry 50 random bits, so a fast hash is enough).

use anyhow::Context as _;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use totp_rs::{Builder, Secret, Totp};
use uuid::Uuid;

/// How many backup codes a member gets.
pub const BACKUP_CODES: usize = 10;

/// Backup codes' letters: no 1, i, l or o to misread (an o typed is read
/// as the zero).
const ALPHABET: &[u8; 32] = b"023456789abcdefghjkmnpqrstuvwxyz";

/// Which code was accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    /// The authenticator's code of this step.
    Totp(u64),
    /// A backup code, now used.
    Backup,
}

/// A fresh 160-bit secret.
pub(super) fn new_secret() -> anyhow::Result<[u8; 20]> {
    let mut secret = [0u8; 20];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(secret)
}

/// The authenticator setup for `secret`, named `account` at `issuer`.
pub(super) fn totp(secret: &[u8], issuer: &str, account: &str) -> anyhow::Result<Totp> {
    // The otpauth label may not hold a colon.
    let clean = |s: &str| s.replace(':', " ");
    Builder::new()
        .with_secret(Secret::new(secret.into()))
        .with_issuer(Some(clean(issuer)))
        .with_account_name(clean(account))
        .build()
        .map_err(|e| anyhow::anyhow!("bad authenticator setup: {e:?}"))
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The digits of a typed six-digit code (spaces allowed), if it is one.
fn six_digits(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// A typed backup code as stored (lower-case, without spaces or dashes).
fn backup_form(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            c => c,
        })
        .collect();
    (code.len() == 10 && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

fn digest(code: &str) -> Vec<u8> {
    Sha256::digest(code.as_bytes()).to_vec()
}

/// Checks `typed` for `user` and uses it up: the authenticator's code of a
/// step after the last accepted one (the secret being set up when
/// `setting_up`), or, once on, an unused backup code. The caller holds the
/// member's row; the statements that accept a code decide on their own too.
pub(super) async fn check(
    conn: &mut PgConnection,
    user: Uuid,
    typed: &str,
    setting_up: bool,
) -> anyhow::Result<Option<Checked>> {
    if let Some(code) = six_digits(typed) {
        let secret: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT secret FROM two_factor
             WHERE user_id = $1 AND (enabled_at IS NULL) = $2 FOR UPDATE",
        )
        .bind(user)
        .bind(setting_up)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to read the authenticator secret")?;
        let Some(secret) = secret else { return Ok(None) };
        let Some(step) = totp(&secret, "-", "-")?.check(&code, now_secs()) else {
            return Ok(None);
        };
        // Compare and set: a step at or before the last accepted one is used.
        let taken = sqlx::query("UPDATE two_factor SET last_step = $2 WHERE user_id = $1 AND last_step < $2")
            .bind(user)
            .bind(step as i64)
            .execute(&mut *conn)
            .await
            .context("failed to use the code's step")?;
        return Ok((taken.rows_affected() == 1).then_some(Checked::Totp(step)));
    }
    let Some(code) = backup_form(typed).filter(|_| !setting_up) else {
        return Ok(None);
    };
    let used = sqlx::query(
        "UPDATE backup_codes SET used_at = now()
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user)
    .bind(digest(&code))
    .execute(&mut *conn)
    .await
    .context("failed to use a backup code")?;
    Ok((used.rows_affected() == 1).then_some(Checked::Backup))
}

/// [`BACKUP_CODES`] new backup codes as shown once: `abcde-fghjk`.
pub(super) fn fresh_backup_codes() -> anyhow::Result<Vec<String>> {
    let mut bytes = [0u8; BACKUP_CODES * 10];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(bytes
        .chunks(10)
        .map(|chunk| {
            let code: String = chunk
                .iter()
                .map(|b| ALPHABET[(b % 32) as usize] as char)
                .collect();
            format!("{}-{}", &code[..5], &code[5..])
        })
        .collect())
}

/// Keeps the hashes of `codes` as `user`'s backup codes, replacing any.
pub(super) async fn keep_backup_codes(
    conn: &mut PgConnection,
    user: Uuid,
    codes: &[String],
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM backup_codes WHERE user_id = $1")
        .bind(user)
        .execute(&mut *conn)
        .await
        .context("failed to drop old backup codes")?;
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .filter_map(|c| backup_form(c))
        .map(|c| digest(&c))
        .collect();
    sqlx::query("INSERT INTO backup_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])")
        .bind(user)
        .bind(&hashes)
        .execute(&mut *conn)
        .await
        .context("failed to keep the backup codes")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{backup_form, six_digits, totp};

    #[test]
    fn typed_codes() {
        assert_eq!(six_digits(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(six_digits("12345"), None);
        assert_eq!(six_digits("12345a"), None);
        assert_eq!(backup_form("ABCDE-fghjk").as_deref(), Some("abcdefghjk"));
        assert_eq!(backup_form("abcde-fghj1"), None);
        assert_eq!(backup_form("oabcd fghjk").as_deref(), Some("0abcdfghjk"));
    }

    #[test]
    fn rfc_6238_sha1_vector() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s.
        let t = totp(b"12345678901234567890", "Site", "a@b").unwrap();
        assert_eq!(t.generate(59).to_string(), "287082");
        // One step either side, and no further.
        assert_eq!(t.check("287082", 59 + 30), Some(1));
        assert_eq!(t.check("287082", 59 + 60), None);
    }
}
