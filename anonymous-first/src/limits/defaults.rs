//! The crate's own catalogue of limited actions, with their defaults written
//! once: the address flows' ([`AddressLimits`]) and the guest mint's
//! ([`GuestAction`]). An app with a catalogue of its own builds the same
//! structs from its actions instead (names are metric labels).

use super::{Limit, Limited};

/// The rate limits of the address flows. Tries are counted per client and,
/// for an address, per address *and* client, so nobody else can use up its
/// owner's tries; only `mail_per_address` counts an address alone (it keeps
/// an inbox from a flood, so a flood from many clients can hold its mail
/// back for the window: watch `rate_limited_total{limit}` for it).
#[derive(Clone, Copy, Debug)]
pub struct AddressLimits {
    /// Sign-in mails asked for per client.
    pub link_per_client: Limit,
    /// Sign-in mails per address and client.
    pub link_per_email: Limit,
    /// Mails of any kind to one address (keeps an inbox from a flood).
    pub mail_per_address: Limit,
    /// Code tries per client.
    pub code_per_client: Limit,
    /// Code tries per address and client.
    pub code_per_email: Limit,
    /// Code tries per address and client per day (bounds slow guessing).
    pub code_per_email_daily: Limit,
    /// Password sign-in tries per client.
    pub password_per_client: Limit,
    /// Password tries per address and client (signing in, confirming a change,
    /// keeping a sign-up's password in another browser).
    pub password_per_account: Limit,
    /// Account mails (sign-up, reset, adding an address) asked for per client.
    pub account_mail_per_client: Limit,
    /// Account mails per address and client.
    pub account_mail_per_email: Limit,
    /// Two-step codes tried per account, from anywhere (the password is
    /// already known to whoever types them).
    pub second_factor_per_account: Limit,
    /// Two-step codes tried per account per day (bounds slow guessing).
    pub second_factor_per_account_daily: Limit,
}

/// The crate's own catalogue for [`AddressLimits::default`]; an app with a
/// catalogue of its own builds [`AddressLimits`] from it instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressAction {
    /// See [`AddressLimits::link_per_client`].
    LinkPerClient,
    /// See [`AddressLimits::link_per_email`].
    LinkPerEmail,
    /// See [`AddressLimits::mail_per_address`].
    MailPerAddress,
    /// See [`AddressLimits::code_per_client`].
    CodePerClient,
    /// See [`AddressLimits::code_per_email`].
    CodePerEmail,
    /// See [`AddressLimits::code_per_email_daily`].
    CodePerEmailDaily,
    /// See [`AddressLimits::password_per_client`].
    PasswordPerClient,
    /// See [`AddressLimits::password_per_account`].
    PasswordPerAccount,
    /// See [`AddressLimits::account_mail_per_client`].
    AccountMailPerClient,
    /// See [`AddressLimits::account_mail_per_email`].
    AccountMailPerEmail,
    /// See [`AddressLimits::second_factor_per_account`].
    SecondFactorPerAccount,
    /// See [`AddressLimits::second_factor_per_account_daily`].
    SecondFactorPerAccountDaily,
}

impl Limited for AddressAction {
    fn name(self) -> &'static str {
        match self {
            Self::LinkPerClient => "magic_link_client",
            Self::LinkPerEmail => "magic_link_email",
            Self::MailPerAddress => "mail_address",
            Self::CodePerClient => "sign_in_code_client",
            Self::CodePerEmail => "sign_in_code_email",
            Self::CodePerEmailDaily => "sign_in_code_email_day",
            Self::PasswordPerClient => "sign_in_client",
            Self::PasswordPerAccount => "sign_in_account",
            Self::AccountMailPerClient => "account_mail_client",
            Self::AccountMailPerEmail => "account_mail_email",
            Self::SecondFactorPerAccount => "second_factor_account",
            Self::SecondFactorPerAccountDaily => "second_factor_account_day",
        }
    }

    fn window_secs(self) -> i64 {
        match self {
            Self::MailPerAddress => 3600,
            Self::CodePerEmailDaily | Self::SecondFactorPerAccountDaily => 86_400,
            _ => 900,
        }
    }

    fn message(self) -> &'static str {
        match self {
            Self::LinkPerClient
            | Self::LinkPerEmail
            | Self::MailPerAddress
            | Self::AccountMailPerClient
            | Self::AccountMailPerEmail => {
                "We have sent several emails already. Please check your inbox (and spam folder)."
            }
            _ => "Too many attempts in a short time.",
        }
    }
}

impl Default for AddressLimits {
    fn default() -> Self {
        use AddressAction::*;
        Self {
            link_per_client: Limit::new(LinkPerClient, 10),
            link_per_email: Limit::new(LinkPerEmail, 3),
            mail_per_address: Limit::new(MailPerAddress, 20),
            code_per_client: Limit::new(CodePerClient, 30),
            code_per_email: Limit::new(CodePerEmail, 10),
            code_per_email_daily: Limit::new(CodePerEmailDaily, 30),
            password_per_client: Limit::new(PasswordPerClient, 30),
            password_per_account: Limit::new(PasswordPerAccount, 10),
            account_mail_per_client: Limit::new(AccountMailPerClient, 10),
            account_mail_per_email: Limit::new(AccountMailPerEmail, 3),
            second_factor_per_account: Limit::new(SecondFactorPerAccount, 10),
            second_factor_per_account_daily: Limit::new(SecondFactorPerAccountDaily, 30),
        }
    }
}

/// The crate's own catalogue for [`Minter::with_default_limits`](crate::Minter::with_default_limits); an app
/// with a catalogue of its own gives [`Minter::new`](crate::Minter::new) its actions instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuestAction {
    /// Guests per client (an IPv4 address, an IPv6 /64) per hour.
    PerClient,
    /// Guests per IPv6 /48 per hour.
    PerNetwork,
}

impl Limited for GuestAction {
    fn name(self) -> &'static str {
        match self {
            Self::PerClient => "guest_client",
            Self::PerNetwork => "guest_network",
        }
    }
    fn window_secs(self) -> i64 {
        3600
    }
    fn message(self) -> &'static str {
        "Many guest accounts were started from your network lately."
    }
}

/// The crate's own catalogue for [`Passkeys::new`](crate::passkeys::Passkeys::new)'s
/// default limit; an app with a catalogue of its own gives
/// [`Passkeys::limited`](crate::passkeys::Passkeys::limited) its action instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasskeyAction {
    /// Passkey prompts (sign-in or adding one) started per client.
    PerClient,
}

impl Limited for PasskeyAction {
    fn name(self) -> &'static str {
        "passkey_client"
    }
    fn window_secs(self) -> i64 {
        900
    }
    fn message(self) -> &'static str {
        "Too many attempts in a short time."
    }
}

/// The crate's own catalogue for [`Providers::new`](crate::oidc::Providers::new)'s
/// default limit; an app with a catalogue of its own gives
/// [`Providers::limited`](crate::oidc::Providers::limited) its action instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OidcAction {
    /// Provider sign-ins started per client.
    PerClient,
}

impl Limited for OidcAction {
    fn name(self) -> &'static str {
        "openid_client"
    }
    fn window_secs(self) -> i64 {
        900
    }
    fn message(self) -> &'static str {
        "Too many attempts in a short time."
    }
}
