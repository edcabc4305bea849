//! What a dog owner needs at the venue's door: how to get there, its phone
//! number, its website and its opening hours. The types are shared with the
//! browser; the hours are worked out on the server (`venues::hours`), the
//! phone and website checks here serve the import and the admin's edit alike.

use serde::{Deserialize, Serialize};

/// Longest phone number we keep, as written ("+358 9 123 4567 ext. 12" fits).
pub const PHONE_MAX: usize = 40;
/// Longest `opening_hours` text: OpenStreetMap's own limit for a tag value.
pub const HOURS_MAX: usize = 255;

/// A venue's opening hours as its page shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hours {
    /// The text as OpenStreetMap (or an admin) wrote it.
    pub raw: String,
    /// What it means, or `None` when the parser refuses it (the page then shows `raw`).
    pub read: Option<ReadHours>,
}

/// Opening hours the parser understood, worked out in the venue's time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadHours {
    /// "Open now · closes 18:00" and the lines that follow it, each from its
    /// instant on; the first is the one at the time of rendering.
    pub status: Vec<StatusLine>,
    /// Seven days from the venue's today.
    pub week: Vec<DayHours>,
    /// The IANA time zone the times are in ("Europe/Helsinki").
    pub time_zone: String,
}

/// One "open now" sentence and when it starts to hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusLine {
    /// From this instant on (milliseconds since 1970, UTC).
    pub from_ms: i64,
    /// Open (or maybe open) at that time.
    pub open: bool,
    /// "Open now · closes 18:00", "Closed · opens 08:00 tomorrow".
    pub text: String,
}

/// One row of the week's table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    /// "Monday", with "(public holiday)" when it is one.
    pub day: String,
    /// "08:00–18:00", "10:00–14:00, 17:00–22:00", "Closed", "Open all day".
    pub hours: String,
    /// The venue's today.
    pub today: bool,
}

/// A phone number people can read and dial: digits, spaces and `+ - ( ) / .`,
/// 5 to 15 digits (E.164's most), up to [`PHONE_MAX`] characters. The first of
/// several (`;`-separated, as OSM writes them) is taken. `None` for empty.
pub fn phone(raw: &str) -> Result<Option<String>, &'static str> {
    let first = raw.split(';').next().unwrap_or_default().trim();
    if first.is_empty() {
        return Ok(None);
    }
    let digits = first.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || " +-()/.".contains(c);
    if first.chars().count() > PHONE_MAX
        || !first.chars().all(allowed)
        || !(5..=15).contains(&digits)
        || first[1..].contains('+')
    {
        return Err(
            "A phone number has 5 to 15 digits and only spaces, + - ( ) / . between them (up to 40 characters), or leave it empty.",
        );
    }
    Ok(Some(first.to_owned()))
}

/// The `tel:` address of a number [`phone`] accepted: `+` and digits only.
pub fn tel_href(phone: &str) -> String {
    let dial: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{dial}")
}

/// The host of an http(s) address as a person reads it (`example.fi` for
/// `https://www.example.fi/koira?x`), or `None` for anything else — so a
/// `javascript:` or `data:` address is never a link.
pub fn website_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // "user:pass@host" would let an address pose as another host.
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default().to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let ok = |c: char| c.is_alphanumeric() || c == '-' || c == '.';
    (!host.is_empty() && host.contains('.') && host.chars().all(ok) && !url.contains(char::is_whitespace))
        .then(|| host.to_owned())
}

/// `geo:` address of a position (phones open their maps app with it).
pub fn geo_href(lat: f64, lng: f64) -> String {
    format!("geo:{lat:.6},{lng:.6}")
}

/// OpenStreetMap's route planner with the venue as the destination.
pub fn directions_href(lat: f64, lng: f64) -> String {
    format!("https://www.openstreetmap.org/directions?to={lat:.6}%2C{lng:.6}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_people_can_dial() {
        assert_eq!(phone("+358 9 123 4567"), Ok(Some("+358 9 123 4567".into())));
        assert_eq!(
            phone("+358 40 1234567;+358 9 7654321"),
            Ok(Some("+358 40 1234567".into()))
        );
        assert_eq!(phone("  "), Ok(None));
        assert_eq!(phone("(030) 123-45/67"), Ok(Some("(030) 123-45/67".into())));
        assert!(phone("call us").is_err());
        assert!(phone("1234").is_err());
        assert!(phone("+1 234 567 890 123 456 78").is_err());
        assert!(phone("12+345678").is_err());
        assert_eq!(tel_href("+358 (9) 123-4567"), "tel:+35891234567");
    }

    #[test]
    fn websites_show_their_host_and_only_http_is_a_link() {
        assert_eq!(
            website_host("https://www.example.fi/koira?x=1").as_deref(),
            Some("example.fi")
        );
        assert_eq!(
            website_host("http://Kahvila.example.com:8080").as_deref(),
            Some("kahvila.example.com")
        );
        // The table's check is for lower-case schemes.
        assert_eq!(website_host("HTTPS://example.fi"), None);
        assert_eq!(
            website_host("https://evil@bank.example/").as_deref(),
            Some("bank.example")
        );
        assert_eq!(website_host("javascript:alert(1)//https://x.fi"), None);
        assert_eq!(website_host("data:text/html,hi"), None);
        assert_eq!(website_host("https://"), None);
        assert_eq!(website_host("https://a b.fi"), None);
        assert_eq!(website_host("https://\"><script>.fi"), None);
    }

    #[test]
    fn directions_name_the_place() {
        assert_eq!(geo_href(60.1635, 24.9387), "geo:60.163500,24.938700");
        assert_eq!(
            directions_href(60.1635, 24.9387),
            "https://www.openstreetmap.org/directions?to=60.163500%2C24.938700"
        );
    }
}
