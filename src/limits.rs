//! The one catalogue of rate-limited actions (like crates.io's
//! `LimitedAction`): each says how many per window, whose counter (a client
//! address, an email address or a user) and what the person reads when over.
//! The counting (fixed windows in Postgres, hashed subjects) is the identity
//! crate's (`anonymous_first::limits`); this adds the maxima in force and
//! counts refusals in the metrics.

pub use anonymous_first::limits::{TooMany, client_subject, network_subject, prune};
use sqlx::PgPool;

/// Whose counter an action uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// The client address (IPv6 by /64, see [`client_subject`]).
    Client,
    /// The email address a request is about: bounds what reaches one inbox,
    /// never what its owner can do to sign in.
    Email,
    /// The email address and the client together: one client's tries at an
    /// address, which nobody else can use up.
    EmailAndClient,
    /// The client's wider network (an IPv6 /48): what one holder of many /64s
    /// can do in all.
    Network,
    /// The signed-in user (guest or member).
    User,
}

/// Everything that is rate-limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LimitedAction {
    /// New guests per client per hour (a household or an office).
    NewGuest,
    /// New guests per IPv6 /48 per hour (one site's many /64s).
    NewGuestPerNetwork,
    /// Emails of any kind to one address per hour (its inbox, not its owner).
    MailPerAddress,
    /// Sign-in links per address and client.
    LinkPerEmail,
    /// Sign-in links per client.
    LinkPerClient,
    /// Password attempts per account and client (sign-in, confirming a
    /// sign-up's password, changing it).
    PasswordPerAccount,
    /// Password sign-in attempts per client.
    PasswordPerClient,
    /// Sign-in code attempts per client.
    CodePerClient,
    /// Sign-in code attempts per address and client (each code also dies after five).
    CodePerEmail,
    /// Sign-in code attempts per address and client per day (bounds slow guessing).
    CodePerEmailDaily,
    /// Sign-ins started with an OpenID Connect provider per client.
    OpenIdPerClient,
    /// Passkey prompts started per client (sign-in, adding one).
    PasskeyPerClient,
    /// Sign-ups and reset requests per client.
    AccountMailPerClient,
    /// Sign-ups and reset requests per address and client.
    AccountMailPerEmail,
    /// Photo uploads per user.
    Upload,
    /// Venue suggestions per user.
    Suggestion,
    /// Photo reports per user.
    Report,
    /// "Dogs still welcome inside?" answers per user per day.
    DogCheck,
    /// Places saved per user per hour.
    SavePlace,
    /// Proposed dog policies per user per day.
    PolicyProposal,
    /// Two-step sign-in codes tried per account.
    SecondFactor,
    /// Two-step sign-in codes tried per account per day (bounds slow guessing).
    SecondFactorDaily,
}

impl LimitedAction {
    /// Every action (a metric's label is one of their names, never anything
    /// else).
    pub const ALL: [LimitedAction; 22] = [
        Self::NewGuest,
        Self::NewGuestPerNetwork,
        Self::MailPerAddress,
        Self::LinkPerEmail,
        Self::LinkPerClient,
        Self::PasswordPerAccount,
        Self::PasswordPerClient,
        Self::CodePerClient,
        Self::CodePerEmail,
        Self::CodePerEmailDaily,
        Self::OpenIdPerClient,
        Self::PasskeyPerClient,
        Self::AccountMailPerClient,
        Self::AccountMailPerEmail,
        Self::Upload,
        Self::Suggestion,
        Self::Report,
        Self::DogCheck,
        Self::SavePlace,
        Self::PolicyProposal,
        Self::SecondFactor,
        Self::SecondFactorDaily,
    ];

    /// Its name in the counter table and the `paws_rate_limited_total` metric.
    pub fn name(self) -> &'static str {
        match self {
            Self::NewGuest => "guest_client",
            Self::NewGuestPerNetwork => "guest_network",
            Self::MailPerAddress => "mail_address",
            Self::LinkPerEmail => "magic_link_email",
            Self::LinkPerClient => "magic_link_client",
            Self::PasswordPerAccount => "sign_in_account",
            Self::PasswordPerClient => "sign_in_client",
            Self::CodePerClient => "sign_in_code_client",
            Self::CodePerEmail => "sign_in_code_email",
            Self::CodePerEmailDaily => "sign_in_code_email_day",
            Self::OpenIdPerClient => "openid_client",
            Self::PasskeyPerClient => "passkey_client",
            Self::AccountMailPerClient => "account_mail_client",
            Self::AccountMailPerEmail => "account_mail_email",
            Self::Upload => "upload_user",
            Self::Suggestion => "suggestion_user",
            Self::Report => "report_user",
            Self::DogCheck => "dog_check_user",
            Self::SavePlace => "save_place_user",
            Self::PolicyProposal => "policy_proposal_user",
            Self::SecondFactor => "second_factor_account",
            Self::SecondFactorDaily => "second_factor_account_day",
        }
    }

    /// Hits allowed per window unless the settings say otherwise.
    pub fn default_max(self) -> i32 {
        match self {
            Self::NewGuest => 30,
            // Four busy households' worth: a site with many /64s, not a scraper's.
            Self::NewGuestPerNetwork => 120,
            // Enough for every kind of mail a person asks for in an hour.
            Self::MailPerAddress => 20,
            // The sign-in page starts one for autofill on every visit.
            Self::PasskeyPerClient => 60,
            Self::LinkPerEmail | Self::AccountMailPerEmail => 3,
            Self::LinkPerClient | Self::AccountMailPerClient | Self::PasswordPerAccount => 10,
            Self::CodePerEmail => 10,
            Self::PasswordPerClient
            | Self::CodePerClient
            | Self::CodePerEmailDaily
            | Self::OpenIdPerClient => 30,
            Self::Upload => 60,
            Self::Suggestion => 20,
            Self::Report => 30,
            // A day out with a dog is a handful of places, not a hundred.
            Self::DogCheck => 40,
            // Saving a city's worth in one evening, not a crawl.
            Self::SavePlace => 100,
            Self::PolicyProposal => 20,
            // Room for a typo while setting up and a few devices' sign-ins;
            // three codes are good at a time, so 30 tries a day leave a
            // guesser who has the password about one chance in 11 000 a day
            // (and each waiting sign-in dies after five wrong codes).
            Self::SecondFactor => 10,
            Self::SecondFactorDaily => 30,
        }
    }

    /// Window length in seconds.
    pub fn window_secs(self) -> i64 {
        match self {
            Self::NewGuest
            | Self::NewGuestPerNetwork
            | Self::MailPerAddress
            | Self::Upload
            | Self::Report
            | Self::SavePlace => 3600,
            Self::Suggestion
            | Self::CodePerEmailDaily
            | Self::DogCheck
            | Self::PolicyProposal
            | Self::SecondFactorDaily => 86_400,
            _ => 900,
        }
    }

    /// Whose counter it is.
    pub fn key(self) -> Key {
        match self {
            Self::NewGuest
            | Self::LinkPerClient
            | Self::PasswordPerClient
            | Self::CodePerClient
            | Self::OpenIdPerClient
            | Self::PasskeyPerClient
            | Self::AccountMailPerClient => Key::Client,
            Self::NewGuestPerNetwork => Key::Network,
            Self::MailPerAddress => Key::Email,
            Self::LinkPerEmail
            | Self::AccountMailPerEmail
            | Self::PasswordPerAccount
            | Self::CodePerEmail
            | Self::CodePerEmailDaily => Key::EmailAndClient,
            Self::Upload
            | Self::Suggestion
            | Self::Report
            | Self::DogCheck
            | Self::SavePlace
            | Self::PolicyProposal
            | Self::SecondFactor
            | Self::SecondFactorDaily => Key::User,
        }
    }

    /// What the person reads when over the limit (before how long to wait).
    pub fn message(self) -> &'static str {
        match self {
            Self::NewGuest | Self::NewGuestPerNetwork => {
                "Many guest accounts were started from your network lately."
            }
            Self::MailPerAddress
            | Self::LinkPerEmail
            | Self::LinkPerClient
            | Self::AccountMailPerClient
            | Self::AccountMailPerEmail => {
                "We have sent several emails already. Please check your inbox (and spam folder)."
            }
            Self::PasswordPerAccount
            | Self::PasswordPerClient
            | Self::CodePerClient
            | Self::CodePerEmail
            | Self::CodePerEmailDaily
            | Self::OpenIdPerClient
            | Self::PasskeyPerClient
            | Self::SecondFactor
            | Self::SecondFactorDaily => "Too many attempts in a short time.",
            Self::Upload => "That is a lot of photos in a short time.",
            Self::Suggestion => "That is a lot of suggestions for one day, thank you!",
            Self::Report => "That is a lot of reports in a short time, thank you!",
            Self::DogCheck => "That is a lot of places for one day, thank you!",
            Self::SavePlace => "That is a lot of places saved in a short time.",
            Self::PolicyProposal => "That is a lot of changes for one day, thank you!",
        }
    }
}

impl anonymous_first::limits::Limited for LimitedAction {
    fn name(self) -> &'static str {
        LimitedAction::name(self)
    }
    fn window_secs(self) -> i64 {
        LimitedAction::window_secs(self)
    }
    fn message(self) -> &'static str {
        LimitedAction::message(self)
    }
}

/// The maxima in force: the catalogue's defaults with the settings' overrides.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `GUESTS_PER_CLIENT_PER_HOUR` (benchmarks raise it).
    pub guests_per_client_per_hour: i32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            guests_per_client_per_hour: LimitedAction::NewGuest.default_max(),
        }
    }
}

impl Limits {
    /// Hits allowed per window for `action`.
    pub fn max(&self, action: LimitedAction) -> i32 {
        match action {
            LimitedAction::NewGuest => self.guests_per_client_per_hour.max(1),
            // Scales with the per-client setting (benchmarks raise both).
            LimitedAction::NewGuestPerNetwork => self.guests_per_client_per_hour.max(1).saturating_mul(4),
            other => other.default_max(),
        }
    }
}

/// The counter row of `action` for `subject`.
pub fn bucket(action: LimitedAction, subject: &str) -> String {
    anonymous_first::limits::bucket(action, subject)
}

/// Whether `subject` is already at the limit for `action`, without counting:
/// for turning a request away before reading its body (the hit that counts
/// comes later, in the flow).
pub async fn peek(
    pool: &PgPool,
    limits: &Limits,
    action: LimitedAction,
    subject: &str,
) -> anyhow::Result<Result<(), TooMany>> {
    anonymous_first::limits::peek(pool, action, limits.max(action), subject).await
}

#[cfg(test)]
mod tests {
    use super::{LimitedAction, Limits, TooMany};

    #[test]
    fn messages_say_how_long() {
        let over = TooMany::new(LimitedAction::Upload, 61.0);
        assert_eq!(
            over.to_string(),
            "That is a lot of photos in a short time. Please try again in 2 minutes."
        );
        let limits = Limits {
            guests_per_client_per_hour: 5,
        };
        assert_eq!(limits.max(LimitedAction::NewGuest), 5);
        assert_eq!(limits.max(LimitedAction::NewGuestPerNetwork), 20);
        assert_eq!(limits.max(LimitedAction::Report), 30);
    }

    #[test]
    fn every_action_is_listed_once_with_a_name_of_its_own() {
        let names: std::collections::BTreeSet<_> = LimitedAction::ALL.iter().map(|a| a.name()).collect();
        assert_eq!(names.len(), LimitedAction::ALL.len());
    }
}
