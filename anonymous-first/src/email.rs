//! Email addresses, validated once at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically plausible, lower-cased email address (≤ 254 bytes).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress(String);

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was entered.
    #[error("Please enter your email address.")]
    Empty,
    /// Something was entered, but it is not an address.
    #[error("That does not look like an email address.")]
    Invalid,
}

impl EmailAddress {
    /// Trims, lower-cases and checks the shape `local@domain.tld`. Delivery is
    /// the real test; this only keeps obvious mistakes and header tricks out.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(EmailError::Invalid);
        };
        // Hidden characters (zero-width, direction codes) would make two
        // addresses that read alike differ, or one read as another.
        let bad_char =
            |c: char| c.is_whitespace() || crate::text::invisible(c) || "<>()[],;:\\\"@".contains(c);
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        let ok = email.len() <= 254
            && (1..=64).contains(&local.len())
            && !local.chars().any(bad_char)
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && domain.contains('.')
            && labels_ok
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if ok {
            Ok(Self(email))
        } else {
            Err(EmailError::Invalid)
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address with the local part hidden, e.g. `b…@example.com`, for pages
    /// that anyone holding a link can see.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or(("", &self.0));
        let first: String = local.chars().take(1).collect();
        format!("{first}…@{domain}")
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let e = EmailAddress::parse("  Bella.Owner+lists@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "bella.owner+lists@example.com");
        assert_eq!(e.masked(), "b…@example.com");
        assert!(EmailAddress::parse("ü@bücher.de").is_ok());
    }

    #[test]
    fn rejects() {
        assert_eq!(EmailAddress::parse("  "), Err(EmailError::Empty));
        for bad in [
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a b@example.com",
            "a@exa mple.com",
            "a@@example.com",
            "a@example..com",
            ".a@example.com",
            "a.@example.com",
            "a\r\nBcc: x@y.z@example.com",
            "<a>@example.com",
            "a@-example.com",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(EmailError::Invalid), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(EmailAddress::parse(&long).is_err());
    }
}
