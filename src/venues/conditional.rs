//! OpenStreetMap's `dog:conditional` (`no @ (Mo-Fr 11:30-14:00); leashed @
//! (Jun-Aug)`): rules of a `dog=*` value and a time. The time part is
//! `opening_hours` syntax, read by the `opening-hours` crate on the server
//! (see `hours.rs` for why that crate); the words for people are made from the
//! same text here, so the browser bundle needs no parser. Conditions other
//! than times (`wet`, `weight>20`) are valid OSM but refused here.

use serde::{Deserialize, Serialize};

/// Longest `dog:conditional` (OpenStreetMap's limit for any tag value).
pub const CONDITIONAL_MAX: usize = 255;
/// At most this many rules in one `dog:conditional`.
pub const RULES_MAX: usize = 8;

/// The `dog=*` values a rule may set, with their words.
pub const RULE_VALUES: &[(&str, &str)] = &[
    ("yes", "Allowed"),
    ("no", "Not allowed"),
    ("leashed", "On a leash"),
    ("unleashed", "Allowed off the leash"),
    ("outside", "Outside only"),
    ("designated", "Welcome"),
];

/// One rule of a `dog:conditional`: a `dog=*` value and when it applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// One of [`RULE_VALUES`].
    pub value: String,
    /// The time, `opening_hours` syntax, without parentheses.
    pub when: String,
}

/// A checked `dog:conditional`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DogConditional(Vec<Rule>);

/// Why a `dog:conditional` was refused, in words the person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConditionalError {
    /// Over [`CONDITIONAL_MAX`] characters.
    #[error("The times are too long: at most {CONDITIONAL_MAX} characters.")]
    TooLong,
    /// Over [`RULES_MAX`] rules.
    #[error("That is more than {RULES_MAX} rules; keep the most important ones.")]
    TooMany,
    /// `;;` or a trailing `;`.
    #[error("There is an empty rule between two semicolons.")]
    EmptyRule,
    /// Parentheses that do not close.
    #[error("A parenthesis is not closed in \"{0}\".")]
    Unbalanced(String),
    /// A rule without `value @ time`.
    #[error("\"{0}\" needs a value, an @ and a time, like \"no @ (Mo-Fr 11:30-14:00)\".")]
    NoAt(String),
    /// A value other than [`RULE_VALUES`].
    #[error("\"{0}\" is not a value we know: use yes, no, leashed, unleashed, outside or designated.")]
    UnknownValue(String),
    /// A condition that is not a time (`wet`, `weight>20`, `… AND …`) or not one we can read.
    #[error(
        "\"{0}\" is not a time we can read. Write it like opening hours, for example \"Mo-Fr 11:30-14:00\" or \"Jun-Aug\"."
    )]
    BadTime(String),
}

/// Splits at `sep` outside parentheses; `None` when they do not balance.
fn split_top(raw: &str, sep: char) -> Option<Vec<&str>> {
    let (mut depth, mut start, mut parts) = (0i32, 0, Vec::new());
    for (i, c) in raw.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == sep && depth == 0 => {
                parts.push(&raw[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
        if depth < 0 {
            return None;
        }
    }
    parts.push(&raw[start..]);
    (depth == 0).then_some(parts)
}

impl DogConditional {
    /// Reads `value @ time; value @ time`; the time is checked by `time_ok`
    /// (the server passes the `opening_hours` parser, see [`Self::parse`]).
    pub fn parse_with(raw: &str, time_ok: impl Fn(&str) -> bool) -> Result<Self, ConditionalError> {
        let raw = raw.trim();
        if raw.chars().count() > CONDITIONAL_MAX {
            return Err(ConditionalError::TooLong);
        }
        let parts = split_top(raw, ';').ok_or_else(|| ConditionalError::Unbalanced(raw.to_owned()))?;
        if parts.len() > RULES_MAX {
            return Err(ConditionalError::TooMany);
        }
        let mut rules = Vec::with_capacity(parts.len());
        for part in parts {
            let part = part.trim();
            if part.is_empty() {
                return Err(ConditionalError::EmptyRule);
            }
            let Some((value, when)) = part.split_once('@') else {
                return Err(ConditionalError::NoAt(part.to_owned()));
            };
            let value = value.trim();
            if value.is_empty() {
                return Err(ConditionalError::NoAt(part.to_owned()));
            }
            if !RULE_VALUES.iter().any(|(v, _)| *v == value) {
                return Err(ConditionalError::UnknownValue(value.to_owned()));
            }
            let when = when.trim();
            let when = match when.strip_prefix('(') {
                Some(inner) => inner
                    .strip_suffix(')')
                    .ok_or_else(|| ConditionalError::Unbalanced(part.to_owned()))?
                    .trim(),
                None => when,
            };
            // Conditions other than times (`wet`, `weight>20`) and their
            // combinations are valid OSM but not something we can show or keep.
            let bad = || ConditionalError::BadTime(when.to_owned());
            if when.is_empty()
                || when.contains(" AND ")
                || when.contains(['<', '>', '=', '@'])
                || !time_ok(when)
            {
                return Err(bad());
            }
            rules.push(Rule {
                value: value.to_owned(),
                when: when.to_owned(),
            });
        }
        Ok(Self(rules))
    }

    /// Reads and checks a `dog:conditional` (the time with the `opening-hours` crate).
    #[cfg(feature = "ssr")]
    pub fn parse(raw: &str) -> Result<Self, ConditionalError> {
        Self::parse_with(raw, |when| super::hours::check(when).is_ok())
    }

    /// The rules.
    pub fn rules(&self) -> &[Rule] {
        &self.0
    }

    /// As OSM writes it: `no @ (Mo-Fr 11:30-14:00); leashed @ (Jun-Aug)`.
    pub fn to_osm(&self) -> String {
        self.0
            .iter()
            .map(|r| format!("{} @ ({})", r.value, r.when))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// One line per rule in people's words: "Not allowed Mon–Fri 11:30–14:00".
    pub fn words(&self) -> Vec<String> {
        self.0.iter().map(Rule::words).collect()
    }
}

impl Rule {
    /// "Not allowed Mon–Fri 11:30–14:00".
    pub fn words(&self) -> String {
        let value = RULE_VALUES
            .iter()
            .find(|(v, _)| *v == self.value)
            .map_or("Allowed", |(_, w)| *w);
        format!("{value} {}", time_words(&self.when))
    }
}

/// `opening_hours` text with days spelt out and dashes for ranges:
/// `Mo-Fr 11:30-14:00; PH off` → `Mon–Fri 11:30–14:00; public holidays closed`.
pub fn time_words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 8);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(match word.as_str() {
            "Mo" => "Mon",
            "Tu" => "Tue",
            "We" => "Wed",
            "Th" => "Thu",
            "Fr" => "Fri",
            "Sa" => "Sat",
            "Su" => "Sun",
            "PH" => "public holidays",
            "SH" => "school holidays",
            "off" | "closed" => "closed",
            "sunrise" => "sunrise",
            "sunset" => "sunset",
            w => w,
        });
        word.clear();
    };
    for c in raw.chars() {
        if c.is_alphanumeric() || c == ':' {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        match c {
            '-' => out.push('–'),
            ',' => out.push_str(", "),
            '"' => {}
            c => out.push(c),
        }
    }
    flush(&mut word, &mut out);
    out.replace(",  ", ", ").trim().to_owned()
}
