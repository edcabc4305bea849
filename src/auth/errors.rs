//! One error enum per kind of identity flow (see `crate::errors`).

use crate::limits::TooMany;
use crate::password::PasswordError;

use crate::errors::{Kind, UNEXPECTED, failure};

/// What a person reads when their session changed under a request.
const CHANGED: &str = "Your sign-in changed while this was under way (in another tab or device). Nothing was changed; please try again.";

/// Creating a guest.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    /// This client started many guests lately.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{UNEXPECTED}")]
    Unexpected(anyhow::Error),
}
failure!(MintError {});

/// Asking for an email (sign-in link, password reset).
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The address does not parse.
    #[error("{0}")]
    Invalid(String),
    /// Several emails went out lately.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{UNEXPECTED}")]
    Unexpected(anyhow::Error),
}
failure!(RequestError { Invalid => Kind::Invalid });

/// Using a one-time link (sign in, confirm an address, reset a password).
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Used already, or replaced by a newer link.
    #[error("This link has already been used.")]
    Used,
    /// Expired.
    #[error("This link has expired.")]
    Expired,
    /// Not a link we sent.
    #[error("This link is not valid.")]
    Unknown,
    /// A sign-in code that is not this mail's; this many tries are left.
    #[error("{}", wrong_code(*.0))]
    WrongCode(i32),
    /// Not eight digits.
    #[error("The code is the eight digits in the email.")]
    MalformedCode,
    /// Every try of this mail's code was used up.
    #[error("{TRIED_OUT}")]
    TriedOut,
    /// This browser's session changed while the request was under way.
    #[error("{CHANGED}")]
    Changed,
    /// Adding an address to a member needs a recent sign-in here.
    #[error("For your safety, sign in again (within the last {0} minutes), then open the link once more.")]
    NotRecent(i64),
    /// A code typed in another browser than the one that asked for the mail.
    #[error(
        "This code works only in the browser where you asked for it. Here, open the link in the email instead."
    )]
    OtherBrowser,
    /// The password typed to keep a sign-up's password is not that password.
    #[error("That is not the password chosen when signing up. Leave it empty to continue without it.")]
    WrongPassword,
    /// A new password that the policy refuses.
    #[error("{0}")]
    Weak(PasswordError),
    /// This browser holds a guest's things that would be left where nobody
    /// can reach them: the person has to choose to bring them.
    #[error(
        "This browser holds dogs or photos added as a guest. Tick “Also bring…” to keep them in this account, \
         or open the link in another browser."
    )]
    LeftBehind,
    /// An address link opened where its account is not signed in.
    #[error("Open this link in the browser where you are signed in to the account it is for.")]
    NotYours,
    /// The address belongs to another account already.
    #[error("That address already has a Paws Inside account. Sign in with it there instead.")]
    AddressTaken,
    /// An admin suspended the account (until these Unix seconds; `None`: until lifted).
    #[error("{}", suspended(*.0))]
    Banned(Option<i64>),
    /// An admin acting as this member cannot add a way in to it.
    #[error("While you act as someone, their ways in stay as they are.")]
    Acting,
    /// The account asks for its second step; the sign-in waits under this
    /// key, for the two-step cookie.
    #[error("Type the code from your authenticator app to finish signing in.")]
    SecondFactor(uuid::Uuid),
    /// Tried too often.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours; nothing was changed.
    #[error("{UNEXPECTED}")]
    Unexpected(anyhow::Error),
}
failure!(LinkError {
    SecondFactor => Kind::Unauthorized,
    TriedOut => Kind::Gone,
    Changed => Kind::Conflict,
    NotRecent => Kind::Forbidden,
    NotYours => Kind::Invalid,
    AddressTaken => Kind::Invalid,
    Banned => Kind::Forbidden,
    Acting => Kind::Forbidden,
    Used => Kind::Gone,
    Expired => Kind::Gone,
    Unknown => Kind::NotFound,
    WrongPassword => Kind::Invalid,
    WrongCode => Kind::Invalid,
    MalformedCode => Kind::Invalid,
    OtherBrowser => Kind::Invalid,
    Weak => Kind::Invalid,
    LeftBehind => Kind::Invalid,
});

/// What a suspended account's person reads, with the end when there is one
/// (a page that gets only the error's name from its URL says it without).
fn suspended(until: Option<i64>) -> String {
    match until {
        Some(end) => format!(
            "This account is suspended until {}, so you cannot sign in to it.",
            crate::time::date(end)
        ),
        None => "This account is suspended, so you cannot sign in to it.".to_owned(),
    }
}

/// After the last wrong code: the mail is closed, and nothing new was sent.
const TRIED_OUT: &str =
    "Too many tries — this email's code and link no longer work. We sent nothing new: ask for a new email.";

fn wrong_code(left: i32) -> String {
    match left {
        0 => format!("That code is not right. {TRIED_OUT}"),
        1 => "That code is not right. One more try, then it stops working.".to_owned(),
        n => format!("That code is not right. {n} more tries."),
    }
}

impl LinkError {
    /// A short name for what the person can fix, for the link page's URL:
    /// the page shows our own sentence for it, never text from the URL.
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongPassword => "wrong_password",
            Self::WrongCode(left) => match left {
                ..=0 => "wrong_code_0",
                1 => "wrong_code_1",
                2 => "wrong_code_2",
                3 => "wrong_code_3",
                _ => "wrong_code_4",
            },
            Self::MalformedCode => "bad_code",
            Self::TriedOut => "tried_out",
            Self::Changed => "changed",
            Self::NotRecent(_) => "not_recent",
            Self::OtherBrowser => "other_browser",
            Self::LeftBehind => "left_behind",
            Self::NotYours => "not_yours",
            Self::AddressTaken => "address_taken",
            Self::Banned(_) => "banned",
            Self::Acting => "acting",
            Self::SecondFactor(_) => "second_step",
            Self::TooMany(_) => "too_many",
            Self::Weak(PasswordError::TooShort) => "weak_short",
            Self::Weak(PasswordError::TooLong) => "weak_long",
            Self::Weak(PasswordError::Common) => "weak_common",
            Self::Weak(PasswordError::IsEmail) => "weak_email",
            Self::Used | Self::Expired | Self::Unknown | Self::Unexpected(_) => "",
        }
    }

    /// The sentence for a [`LinkError::code`]; `None` for anything else.
    pub fn message_for(code: &str) -> Option<String> {
        let err = match code {
            "wrong_password" => Self::WrongPassword,
            code if code.starts_with("wrong_code_") => match code["wrong_code_".len()..].parse::<i32>() {
                Ok(left @ 0..=4) => Self::WrongCode(left),
                _ => return None,
            },
            "bad_code" => Self::MalformedCode,
            "tried_out" => Self::TriedOut,
            "changed" => Self::Changed,
            "not_recent" => {
                return Some("For your safety, sign in again, then open the link once more.".into());
            }
            "not_yours" => Self::NotYours,
            "address_taken" => Self::AddressTaken,
            "banned" => Self::Banned(None),
            "acting" => Self::Acting,
            "other_browser" => Self::OtherBrowser,
            "code_dead" => {
                return Some(
                    "That code no longer works (used, replaced by a newer email, or expired). \
                             Please ask for a new email."
                        .into(),
                );
            }
            "left_behind" => Self::LeftBehind,
            "too_many" => {
                return Some("Too many attempts in a short time. Please try again in a few minutes.".into());
            }
            "weak_short" => Self::Weak(PasswordError::TooShort),
            "weak_long" => Self::Weak(PasswordError::TooLong),
            "weak_common" => Self::Weak(PasswordError::Common),
            "weak_email" => Self::Weak(PasswordError::IsEmail),
            _ => return None,
        };
        Some(err.to_string())
    }
}

/// Signing up with email and password.
#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    /// Already signed in: sign out to create another account.
    #[error("You are signed in already. Sign out first to create another account.")]
    SignedIn,
    /// The address or the password is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// Several sign-ups lately.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{UNEXPECTED}")]
    Unexpected(anyhow::Error),
}
failure!(SignUpError { SignedIn => Kind::Invalid, Invalid => Kind::Invalid });

/// Signing in with email and password.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown address, wrong password, no password, or one nobody proved.
    #[error("That email and password do not match an account.")]
    Mismatch,
    /// This browser's session changed while the request was under way.
    #[error("{CHANGED}")]
    Changed,
    /// An admin suspended the account (until these Unix seconds; `None`: until lifted).
    #[error("{}", suspended(*.0))]
    Banned(Option<i64>),
    /// The account asks for its second step; the sign-in waits under this
    /// key, for the two-step cookie.
    #[error("Type the code from your authenticator app to finish signing in.")]
    SecondFactor(uuid::Uuid),
    /// Tried too often.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{UNEXPECTED}")]
    Unexpected(anyhow::Error),
}
failure!(SignInError {
    Mismatch => Kind::Unauthorized,
    Changed => Kind::Conflict,
    Banned => Kind::Forbidden,
    SecondFactor => Kind::Unauthorized,
});

/// Managing an account: password, sessions, deletion.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// No member (or, for discarding, no guest) in this session.
    #[error("{0}")]
    NotFound(&'static str),
    /// The request is not acceptable; the message says why.
    #[error("{0}")]
    Invalid(String),
    /// Tried too often.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{UNEXPECTED}")]
    Unexpected(anyhow::Error),
}
failure!(AccountError { NotFound => Kind::NotFound, Invalid => Kind::Invalid });

/// Signing in with an OpenID Connect provider, and managing the links.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// No provider by that name is configured.
    #[error("That sign-in provider is not available here.")]
    UnknownProvider,
    /// The attempt is unknown, used, expired, or from another browser.
    #[error(
        "This sign-in attempt is no longer valid (it expired, was used, or was started in another browser). Please start again."
    )]
    Stale,
    /// The person cancelled at the provider.
    #[error("Sign-in was cancelled at the provider. Nothing was changed.")]
    Denied,
    /// The provider answered with an error of its own.
    #[error("The provider could not sign you in. Nothing was changed; please try again.")]
    ProviderRefused,
    /// The code or ID token did not check out (wrong nonce, bad signature, a replayed code).
    #[error("The provider's answer could not be verified. Nothing was changed; please start again.")]
    Unverifiable,
    /// The provider could not be reached.
    #[error("We could not reach the provider. Please try again in a moment.")]
    ProviderDown(anyhow::Error),
    /// That provider account already signs in to another account here.
    #[error("That provider account already signs in to another Paws Inside account.")]
    Taken,
    /// Unlinking would leave no way in.
    #[error("This is your only way in. Add an address or another sign-in first.")]
    LastWayIn,
    /// Not linked to this account.
    #[error("That provider is not linked to your account.")]
    NotLinked,
    /// Linking needs the member who started it to still be signed in.
    #[error("Please sign in to your account first.")]
    SignedOut,
    /// A member's last sign-in is too old to add a way in.
    #[error("For your safety, sign in again (within the last {0} minutes) to link a provider.")]
    NeedsRecentSignIn(i64),
    /// A new identity whose verified address has an account here: the person
    /// confirms on our page first (not shown: the flow answers with that page).
    #[error("Please confirm how to use this sign-in.")]
    MustConfirm,
    /// This browser came back holding another guest's things than the one that left.
    #[error(
        "This browser holds dogs or photos added as a guest since you left to sign in. Nothing was changed: start again to bring them along."
    )]
    LeftBehind,
    /// This browser's session changed while the request was under way.
    #[error("{CHANGED}")]
    Changed,
    /// An admin suspended the account (until these Unix seconds; `None`: until lifted).
    #[error("{}", suspended(*.0))]
    Banned(Option<i64>),
    /// An admin acting as this member cannot add a way in to it.
    #[error("While you act as someone, their ways in stay as they are.")]
    Acting,
    /// The account asks for its second step; the sign-in waits under this
    /// key, for the two-step cookie.
    #[error("Type the code from your authenticator app to finish signing in.")]
    SecondFactor(uuid::Uuid),
    /// Tried too often.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{UNEXPECTED}")]
    Unexpected(anyhow::Error),
}
failure!(OidcError {
    SecondFactor => Kind::Unauthorized,
    MustConfirm => Kind::Invalid,
    LeftBehind => Kind::Invalid,
    Changed => Kind::Conflict,
    Banned => Kind::Forbidden,
    Acting => Kind::Forbidden,
    UnknownProvider => Kind::NotFound,
    Stale => Kind::Gone,
    Denied => Kind::Invalid,
    ProviderRefused => Kind::Invalid,
    Unverifiable => Kind::Invalid,
    ProviderDown => Kind::Busy(30),
    Taken => Kind::Invalid,
    LastWayIn => Kind::Invalid,
    NotLinked => Kind::NotFound,
    SignedOut => Kind::Unauthorized,
    NeedsRecentSignIn => Kind::Forbidden,
});

/// Passkeys: adding one, signing in with one, removing one.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The site is reached by IP address (or not configured for passkeys).
    #[error("Passkeys need the site to be opened by its domain name, not an IP address.")]
    Unavailable,
    /// No such ceremony, used already, or timed out.
    #[error("That passkey prompt expired or was already used. Please try again.")]
    Expired,
    /// The browser's answer is not a WebAuthn credential.
    #[error("The browser's passkey answer could not be read. Please try again.")]
    Malformed,
    /// The credential is not one of ours (removed, or for another site).
    #[error("This passkey is not registered here (it may have been removed). Please sign in another way.")]
    UnknownCredential,
    /// The signature, challenge, origin or user verification did not check out.
    #[error("The passkey's answer could not be verified. Nothing was changed.")]
    Rejected,
    /// The counter went backwards: the key may have been copied.
    #[error(
        "This passkey may have been copied (its counter went backwards), so it was refused. Sign in another way and remove it."
    )]
    Cloned,
    /// This authenticator is registered already.
    #[error("This passkey is already registered.")]
    Duplicate,
    /// Nobody (or someone else) is signed in here.
    #[error("Please sign in (or add something as a guest) first.")]
    SignedOut,
    /// A member's last sign-in is too old to add a way in.
    #[error("For your safety, sign in again (within the last {0} minutes) to add a passkey.")]
    NeedsRecentSignIn(i64),
    /// The name is too long or holds hidden characters; the field's sentence.
    #[error("{0}")]
    BadName(String),
    /// Removing it would leave no way in.
    #[error("This is your only way in. Add an address, a provider or another passkey first.")]
    LastWayIn,
    /// Not one of this account's passkeys.
    #[error("That passkey is not on your account.")]
    NotFound,
    /// This browser's session changed while the request was under way.
    #[error("{CHANGED}")]
    Changed,
    /// An admin suspended the account (until these Unix seconds; `None`: until lifted).
    #[error("{}", suspended(*.0))]
    Banned(Option<i64>),
    /// An admin acting as this member cannot add a way in to it.
    #[error("While you act as someone, their ways in stay as they are.")]
    Acting,
    /// Tried too often.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{UNEXPECTED}")]
    Unexpected(anyhow::Error),
}
failure!(PasskeyError {
    Unavailable => Kind::NotFound,
    Expired => Kind::Gone,
    Malformed => Kind::Invalid,
    UnknownCredential => Kind::Invalid,
    Rejected => Kind::Invalid,
    Cloned => Kind::Invalid,
    Duplicate => Kind::Invalid,
    SignedOut => Kind::Unauthorized,
    NeedsRecentSignIn => Kind::Forbidden,
    BadName => Kind::Invalid,
    LastWayIn => Kind::Invalid,
    NotFound => Kind::NotFound,
    Changed => Kind::Conflict,
    Banned => Kind::Forbidden,
    Acting => Kind::Forbidden,
});

impl OidcError {
    /// A short name for the sign-in page's URL (the page shows our sentence).
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownProvider => "oidc_unknown",
            Self::Stale => "oidc_stale",
            Self::Denied => "oidc_denied",
            Self::ProviderRefused => "oidc_refused",
            Self::Unverifiable => "oidc_unverifiable",
            Self::ProviderDown(_) => "oidc_down",
            Self::Taken => "oidc_taken",
            Self::LastWayIn => "oidc_last",
            Self::NotLinked => "oidc_not_linked",
            Self::SignedOut => "oidc_signed_out",
            Self::NeedsRecentSignIn(_) => "oidc_reauth",
            Self::LeftBehind => "oidc_left_behind",
            Self::MustConfirm => "oidc_confirm",
            Self::Changed => "changed",
            Self::Banned(_) => "oidc_banned",
            Self::Acting => "oidc_acting",
            Self::SecondFactor(_) => "second_step",
            Self::TooMany(_) => "too_many",
            Self::Unexpected(_) => "oidc_ours",
        }
    }

    /// The sentence for an [`OidcError::code`]; `None` for anything else.
    pub fn message_for(code: &str) -> Option<String> {
        let err = match code {
            "oidc_unknown" => Self::UnknownProvider,
            "oidc_stale" => Self::Stale,
            "oidc_denied" => Self::Denied,
            "oidc_refused" => Self::ProviderRefused,
            "oidc_unverifiable" => Self::Unverifiable,
            "oidc_down" => Self::ProviderDown(anyhow::anyhow!("")),
            "oidc_taken" => Self::Taken,
            "oidc_last" => Self::LastWayIn,
            "oidc_not_linked" => Self::NotLinked,
            "oidc_signed_out" => Self::SignedOut,
            "oidc_left_behind" => Self::LeftBehind,
            "oidc_banned" => Self::Banned(None),
            "oidc_acting" => Self::Acting,
            "oidc_reauth" => return Some("For your safety, sign in again to link a provider.".to_owned()),
            "oidc_ours" => Self::Unexpected(anyhow::anyhow!("")),
            _ => return None,
        };
        Some(err.to_string())
    }
}

/// Two-step sign-in (the identity crate's errors, whose words are ours).
pub use anonymous_first::two_factor::TwoFactorError as TwoStepError;

impl crate::errors::Failure for TwoStepError {
    fn kind(&self) -> Kind {
        match self {
            Self::NotSignedIn => Kind::Unauthorized,
            Self::NotRecent(_) | Self::Acting | Self::Banned(_) => Kind::Forbidden,
            Self::AlreadyOn | Self::Changed => Kind::Conflict,
            Self::NotOn | Self::WrongCode | Self::LeftBehind => Kind::Invalid,
            Self::Expired => Kind::Gone,
            Self::TooMany(over) => Kind::TooMany(over.retry_after),
            Self::Unexpected(_) => Kind::Unexpected,
        }
    }

    fn unexpected(&self) -> Option<&anyhow::Error> {
        match self {
            Self::Unexpected(err) => Some(err),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::Failure;

    #[test]
    fn kinds_and_messages() {
        let e = MintError::TooMany(TooMany::new(crate::limits::LimitedAction::NewGuest, 61.0));
        assert_eq!(e.kind(), Kind::TooMany(61));
        assert!(e.to_string().ends_with("in 2 minutes."), "{e}");
        let e = LinkError::Unexpected(anyhow::anyhow!("db down at 10.0.0.3"));
        assert_eq!(e.to_string(), UNEXPECTED, "no detail leaks");
        assert!(e.unexpected().is_some());
        assert_eq!(LinkError::Used.kind(), Kind::Gone);
        assert_eq!(SignInError::Mismatch.kind(), Kind::Unauthorized);
        for err in [
            LinkError::WrongPassword,
            LinkError::LeftBehind,
            LinkError::NotYours,
            LinkError::AddressTaken,
            LinkError::Banned(None),
            LinkError::Weak(PasswordError::Common),
        ] {
            assert_eq!(LinkError::message_for(err.code()), Some(err.to_string()));
        }
        assert_eq!(LinkError::message_for("<script>Call 555</script>"), None);
    }
}
