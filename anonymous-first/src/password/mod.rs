//! Passwords: the policy (8–128 characters, not one of the 1,000 most common)
//! and argon2id hashing with OWASP's parameters (19 MiB, 2 passes, 1 lane), off
//! the async runtime and behind a bound on concurrent hashes so a burst of
//! sign-ins cannot exhaust memory. And the way in by password
//! ([`sign_in`], through the one ending) and changing one ([`change`]).

mod flows;

pub use flows::{ChangeError, SignInError, change, sign_in};

use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// Why a new password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than 8 characters.
    #[error("Use at least 8 characters.")]
    TooShort,
    /// More than 128 characters.
    #[error("Use at most 128 characters.")]
    TooLong,
    /// On the list of passwords attackers try first.
    #[error("That password is one of the most common ones; please pick another.")]
    Common,
    /// The same as the email address.
    #[error("Your password must not be your email address.")]
    IsEmail,
}

/// The shipped list (see the header of `common_passwords.txt` for its source).
const COMMON: &str = include_str!("common_passwords.txt");

fn common() -> &'static std::collections::HashSet<&'static str> {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

/// Checks a new password against the policy.
pub fn check(password: &str, email: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < 8 {
        return Err(PasswordError::TooShort);
    }
    if chars > 128 {
        return Err(PasswordError::TooLong);
    }
    if common().contains(password.to_lowercase().as_str()) {
        return Err(PasswordError::Common);
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(PasswordError::IsEmail);
    }
    Ok(())
}

/// argon2id hashing and verification on the blocking pool, a few at a time.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// A real hash of a random password: unknown emails verify against it so
    /// they take as long as known ones.
    dummy: Arc<OnceLock<String>>,
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?
        .to_string())
}

/// Hashes a short-lived secret (a sign-in code) with the same argon2id
/// parameters, off the async threads.
pub async fn hash_secret(secret: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&secret))
        .await
        .context("hash task failed")?
}

impl Hasher {
    /// At most `concurrent` hashes at once (each takes 19 MiB).
    pub fn new(concurrent: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
            dummy: Arc::new(OnceLock::new()),
        }
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        tokio::task::spawn_blocking(move || hash_blocking(&password))
            .await
            .context("hashing task failed")?
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown email,
    /// or an account without a password) it still does the work, then says no.
    pub async fn verify(&self, password: String, stored: Option<String>) -> anyhow::Result<bool> {
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let dummy = self.dummy.clone();
        tokio::task::spawn_blocking(move || {
            let real = stored.is_some();
            let phc = match stored {
                Some(h) => h,
                None => dummy
                    .get_or_init(|| hash_blocking("not a real password").unwrap_or_default())
                    .clone(),
            };
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return Ok(false);
            };
            let matches = argon2().verify_password(password.as_bytes(), &parsed).is_ok();
            Ok(real && matches)
        })
        .await
        .context("verify task failed")?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check("short", "a@b.co"), Err(PasswordError::TooShort));
        assert_eq!(check(&"x".repeat(129), "a@b.co"), Err(PasswordError::TooLong));
        assert_eq!(check("Password", "a@b.co"), Err(PasswordError::Common));
        assert_eq!(check("trustno1", "a@b.co"), Err(PasswordError::Common));
        assert_eq!(
            check("bella@example.com", "bella@example.com"),
            Err(PasswordError::IsEmail)
        );
        assert_eq!(check("correct horse battery", "a@b.co"), Ok(()));
        assert_eq!(
            check("ünïcødé🐕🐕", "a@b.co"),
            Ok(()),
            "counted in characters, not bytes"
        );
        assert!(common().len() >= 1000);
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hasher = Hasher::new(2);
        let hash = hasher.hash("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(
            hasher
                .verify("correct horse battery".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse battery".into(), Some(hash))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("anything".into(), None).await.unwrap());
    }
}
