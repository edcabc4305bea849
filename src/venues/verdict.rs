//! How sure we are that dogs are still welcome inside: the rule that turns a
//! venue's "dogs still welcome?" answers into its verdict, in one place
//! (ARCHITECTURE.md, "Freshness and trust"), and the verdict as pages show it.
//!
//! - Only answers of the last [`MAX_AGE_DAYS`] count, and an answer's weight
//!   halves every [`HALF_LIFE_DAYS`] (today 1, three months ago ½, six ¼).
//! - A guest's answer weighs [`NEW_GUEST_WEIGHT`] until its account is claimed
//!   or the guest is [`GUEST_FULL_AFTER_DAYS`] old; a member's (and an
//!   answer whose person deleted their account) counts fully.
//! - One network (IPv4 address, IPv6 /64) counts once per venue and day: its
//!   latest answer of that day.
//! - A "no" an admin dismissed does not count.
//! - Of the weight, a share of "yes" of at least [`CLEAR_SHARE`] is
//!   "confirmed", of "no" at least as much is "reported not welcome", anything
//!   between is "disputed"; no answers is "unconfirmed".
//! - A brand-new guest cannot settle a question alone (PRODUCT.md, 9): a clear
//!   verdict needs at least one fully counted answer on its side; answers
//!   only of new guests leave the venue "unconfirmed" (they are still listed,
//!   dated, on its page, and they can make it "disputed").

use crate::keyed::keyed_enum;
use serde::{Deserialize, Serialize};

/// Answers older than this many days do not count.
pub const MAX_AGE_DAYS: i32 = 365;
/// An answer's weight halves every this many days (about three months).
pub const HALF_LIFE_DAYS: f64 = 91.0;
/// A guest's answer counts fully once the guest is this many days old.
pub const GUEST_FULL_AFTER_DAYS: i32 = 7;
/// What a newer guest's answer weighs, against a member's 1.
pub const NEW_GUEST_WEIGHT: f64 = 0.5;
/// The share of the weight one side needs for a clear verdict.
pub const CLEAR_SHARE: f64 = 0.75;

keyed_enum!(
    /// What the answers of the last year say.
    Verdict {
        Confirmed => "confirmed", "Confirmed";
        Disputed => "disputed", "Disputed";
        NotWelcome => "not_welcome", "Reported not welcome";
        Unconfirmed => "unconfirmed", "Unconfirmed";
    }
);

impl Verdict {
    /// The sign drawn beside the words (and inside map pins): a shape, so the
    /// verdict is never told by colour alone.
    pub fn mark(self) -> &'static str {
        match self {
            Self::Confirmed => "✓",
            Self::Disputed => "?",
            Self::NotWelcome => "✕",
            Self::Unconfirmed => "–",
        }
    }
}

/// One answer as the rule reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// Dogs still welcome.
    pub welcome: bool,
    /// Days since the answer's day (0: today, UTC).
    pub age_days: i32,
    /// Whole days since its guest was made; `None` for a member's answer (or
    /// one whose person deleted their account: it still counts as given).
    pub guest_days: Option<i32>,
    /// A "no" an admin dismissed.
    pub dismissed: bool,
    /// The network it came from (`None`: not known, counts on its own).
    pub network: Option<String>,
}

/// The verdict and what it rests on, as stored on the venue.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// What the answers say.
    pub verdict: Verdict,
    /// The weight behind it: its side's, or both sides' when disputed.
    pub weight: f64,
    /// "Yes" answers counted (one per network and day).
    pub yes: i32,
    /// "No" answers counted.
    pub no: i32,
    /// Days since the latest counted "yes".
    pub last_yes: Option<i32>,
    /// Days since the latest counted "no".
    pub last_no: Option<i32>,
}

/// What one answer weighs today.
pub fn weight(a: &Answer) -> f64 {
    if a.dismissed || !(0..=MAX_AGE_DAYS).contains(&a.age_days) {
        return 0.0;
    }
    let fresh = 0.5f64.powf(f64::from(a.age_days) / HALF_LIFE_DAYS);
    let full = a.guest_days.is_none_or(|d| d >= GUEST_FULL_AFTER_DAYS);
    fresh * if full { 1.0 } else { NEW_GUEST_WEIGHT }
}

/// The verdict of a venue's answers, given newest first (within a day, the
/// latest first: that is the one its network's answer counts as).
pub fn decide(answers: &[Answer]) -> Outcome {
    let mut seen: Vec<(&str, i32)> = Vec::new();
    let (mut yes_w, mut no_w) = (0.0, 0.0);
    // Whether a side has an answer that counts fully (not a new guest's).
    let (mut yes_full, mut no_full) = (false, false);
    let mut out = Outcome {
        verdict: Verdict::Unconfirmed,
        weight: 0.0,
        yes: 0,
        no: 0,
        last_yes: None,
        last_no: None,
    };
    for a in answers.iter().filter(|a| weight(a) > 0.0) {
        if let Some(net) = a.network.as_deref() {
            if seen.contains(&(net, a.age_days)) {
                continue;
            }
            seen.push((net, a.age_days));
        }
        let (w, n, last, full) = if a.welcome {
            (&mut yes_w, &mut out.yes, &mut out.last_yes, &mut yes_full)
        } else {
            (&mut no_w, &mut out.no, &mut out.last_no, &mut no_full)
        };
        *full |= a.guest_days.is_none_or(|d| d >= GUEST_FULL_AFTER_DAYS);
        *w += weight(a);
        *n += 1;
        *last = Some(last.map_or(a.age_days, |d: i32| d.min(a.age_days)));
    }
    let total = yes_w + no_w;
    (out.verdict, out.weight) = if total <= 0.0 {
        (Verdict::Unconfirmed, 0.0)
    } else if yes_w / total >= CLEAR_SHARE {
        if yes_full {
            (Verdict::Confirmed, yes_w)
        } else {
            (Verdict::Unconfirmed, 0.0)
        }
    } else if no_w / total >= CLEAR_SHARE {
        if no_full {
            (Verdict::NotWelcome, no_w)
        } else {
            (Verdict::Unconfirmed, 0.0)
        }
    } else {
        (Verdict::Disputed, total)
    };
    out
}

/// How sure a verdict is, in words, from the weight behind it.
pub fn sureness(weight: f64) -> &'static str {
    if weight >= 3.0 {
        "sure"
    } else if weight >= 1.0 {
        "fairly sure"
    } else {
        "not very sure"
    }
}

/// A venue's stored verdict, as lists, cards and its page read it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(default)]
pub struct Standing {
    /// [`Verdict`] key.
    pub verdict: String,
    /// The weight behind it (see [`sureness`]).
    pub verdict_weight: f32,
    /// "Yes" answers counted in the last year.
    pub verdict_yes: i32,
    /// "No" answers counted in the last year.
    pub verdict_no: i32,
    /// The latest counted "yes", for display ("3 Dec 2026").
    pub verdict_last_yes: Option<String>,
    /// The latest counted "no", for display.
    pub verdict_last_no: Option<String>,
}

impl Standing {
    /// The verdict, unconfirmed for an unknown key.
    pub fn verdict(&self) -> Verdict {
        Verdict::parse(&self.verdict).unwrap_or(Verdict::Unconfirmed)
    }

    /// "confirmed · fairly sure", short enough for a card.
    pub fn headline(&self) -> String {
        match self.verdict() {
            Verdict::Unconfirmed => "Unconfirmed".to_owned(),
            v => format!("{} · {}", v.label(), sureness(f64::from(self.verdict_weight))),
        }
    }

    /// The verdict in a few words, for a card.
    pub fn card_line(&self) -> String {
        let day = |d: &Option<String>| d.as_deref().map(|d| format!(", latest {d}")).unwrap_or_default();
        match self.verdict() {
            Verdict::Confirmed => format!(
                "Confirmed by {} dog owner{}{}",
                self.verdict_yes,
                if self.verdict_yes == 1 { "" } else { "s" },
                day(&self.verdict_last_yes)
            ),
            Verdict::Disputed => format!(
                "Disputed: {} yes, {} no this year",
                self.verdict_yes, self.verdict_no
            ),
            Verdict::NotWelcome => format!("Reported not welcome{}", day(&self.verdict_last_no)),
            Verdict::Unconfirmed if self.verdict_yes + self.verdict_no == 0 => {
                "Unconfirmed: no answers this year".to_owned()
            }
            Verdict::Unconfirmed => "Unconfirmed: new answers, not settled yet".to_owned(),
        }
    }

    /// What the answers of the last year say, in a sentence with dates.
    pub fn sentence(&self) -> String {
        let owners = |n: i32| match n {
            1 => "1 dog owner".to_owned(),
            n => format!("{n} dog owners"),
        };
        let when = |day: &Option<String>, n: i32| match (day, n) {
            (Some(d), 1) => format!(", on {d}"),
            (Some(d), _) => format!(", most recently {d}"),
            (None, _) => String::new(),
        };
        let (yes, no) = (self.verdict_yes, self.verdict_no);
        let said_yes = format!("{} said yes{}", owners(yes), when(&self.verdict_last_yes, yes));
        let said_no = format!("{} said no{}", owners(no), when(&self.verdict_last_no, no));
        match self.verdict() {
            Verdict::Unconfirmed if yes + no == 0 => "No dog owner has confirmed this yet.".to_owned(),
            Verdict::Unconfirmed => {
                let sides = [(yes, said_yes), (no, said_no)];
                let said: Vec<String> = sides
                    .into_iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(_, s)| s)
                    .collect();
                format!(
                    "Not settled yet: {}. A new visitor's answer counts fully once they keep their account, or after a week.",
                    said.join("; ")
                )
            }
            Verdict::Confirmed if no == 0 => format!(
                "{} confirmed this in the last year{}.",
                owners(yes),
                when(&self.verdict_last_yes, yes)
            ),
            Verdict::NotWelcome if yes == 0 => format!(
                "{} said dogs are not welcome inside any more{}.",
                owners(no),
                when(&self.verdict_last_no, no)
            ),
            _ => format!("In the last year {said_yes}; {said_no}."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(welcome: bool, age_days: i32) -> Answer {
        Answer {
            welcome,
            age_days,
            guest_days: None,
            dismissed: false,
            network: None,
        }
    }

    #[test]
    fn weight_halves_every_three_months_and_ends_after_a_year() {
        assert_eq!(weight(&a(true, 0)), 1.0);
        assert!((weight(&a(true, 91)) - 0.5).abs() < 1e-9);
        assert!((weight(&a(true, 182)) - 0.25).abs() < 1e-9);
        assert!(weight(&a(true, 365)) > 0.0);
        assert_eq!(weight(&a(true, 366)), 0.0);
        let guest = |days| Answer {
            guest_days: Some(days),
            ..a(true, 0)
        };
        assert_eq!(weight(&guest(6)), NEW_GUEST_WEIGHT);
        assert_eq!(weight(&guest(7)), 1.0);
        let dismissed = Answer {
            dismissed: true,
            ..a(false, 0)
        };
        assert_eq!(weight(&dismissed), 0.0);
    }

    #[test]
    fn decides() {
        assert_eq!(decide(&[]).verdict, Verdict::Unconfirmed);
        assert_eq!(decide(&[a(true, 400)]).verdict, Verdict::Unconfirmed);
        let yes = decide(&[a(true, 3), a(true, 40)]);
        assert_eq!(
            (yes.verdict, yes.yes, yes.last_yes),
            (Verdict::Confirmed, 2, Some(3))
        );
        assert_eq!(decide(&[a(false, 1), a(true, 2)]).verdict, Verdict::Disputed);
        assert_eq!(decide(&[a(false, 1)]).verdict, Verdict::NotWelcome);
        // A brand-new guest cannot settle it alone, either way; a week-old
        // guest can, and a new guest's answer beside a member's still counts.
        let new_guest = |welcome| Answer {
            guest_days: Some(0),
            ..a(welcome, 0)
        };
        for welcome in [true, false] {
            let lone = decide(&[new_guest(welcome)]);
            assert_eq!((lone.verdict, lone.yes + lone.no), (Verdict::Unconfirmed, 1));
            let two_new = decide(&[new_guest(welcome), new_guest(welcome)]);
            assert_eq!(two_new.verdict, Verdict::Unconfirmed);
        }
        let settled = decide(&[Answer {
            guest_days: Some(7),
            ..a(false, 0)
        }]);
        assert_eq!(settled.verdict, Verdict::NotWelcome);
        assert_eq!(decide(&[new_guest(true), a(true, 9)]).verdict, Verdict::Confirmed);
        assert_eq!(decide(&[new_guest(false), a(true, 0)]).verdict, Verdict::Disputed);
        // A "no" ten months old weighs little against this week's "yes".
        assert_eq!(decide(&[a(true, 2), a(false, 300)]).verdict, Verdict::Confirmed);
    }

    #[test]
    fn says_it_in_words() {
        let s = Standing {
            verdict: "confirmed".into(),
            verdict_weight: 4.2,
            verdict_yes: 5,
            verdict_last_yes: Some("3 Dec 2026".into()),
            ..Standing::default()
        };
        assert_eq!(s.headline(), "Confirmed · sure");
        assert_eq!(
            s.sentence(),
            "5 dog owners confirmed this in the last year, most recently 3 Dec 2026."
        );
        let d = Standing {
            verdict: "disputed".into(),
            verdict_no: 1,
            verdict_last_no: Some("2 Dec 2026".into()),
            ..s
        };
        assert_eq!(
            d.sentence(),
            "In the last year 5 dog owners said yes, most recently 3 Dec 2026; 1 dog owner said no, on 2 Dec 2026."
        );
        assert_eq!(
            Standing::default().sentence(),
            "No dog owner has confirmed this yet."
        );
    }

    #[test]
    fn one_network_counts_once_a_day() {
        let net = |welcome, age| Answer {
            network: Some("2001:db8:1:2::/64".into()),
            ..a(welcome, age)
        };
        let o = decide(&[net(false, 0), net(true, 0), net(true, 0)]);
        assert_eq!((o.verdict, o.yes, o.no), (Verdict::NotWelcome, 0, 1));
        let o = decide(&[net(true, 0), net(true, 1)]);
        assert_eq!(o.yes, 2, "another day counts again");
    }
}
