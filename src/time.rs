//! Dates as people read them, and today's date, without a calendar
//! dependency (a few lines of civil arithmetic; the `time` crate's formatting
//! would need its macros feature in every build, wasm included).
//!
//! One style on every page: "6 Dec 2026", with a time "6 Dec 2026, 08:57 UTC"
//! (written out, so a phone never breaks it like "2021-/04-05"). Times are
//! UTC, said so: a page rendered on the server knows neither the person's time
//! zone nor (yet) the venue's; where the hour matters to a person — when a
//! device was last active — pages say how long ago instead ([`ago`]).

use std::time::{SystemTime, UNIX_EPOCH};

/// Today's UTC date as (year, month, day).
pub fn today_utc() -> (i32, u32, u32) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// Milliseconds since the Unix epoch (file names that sort by time).
pub fn unix_millis() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "6 Dec 2026" for a civil date.
pub fn day(year: i32, month: u32, day: u32) -> String {
    let name = MONTHS.get(month.wrapping_sub(1) as usize).unwrap_or(&"?");
    format!("{day} {name} {year}")
}

/// "6 Dec 2026" for Unix seconds (UTC).
pub fn date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    day(y, m, d)
}

/// "6 Dec 2026, 08:57 UTC" for Unix seconds.
pub fn date_time(secs: i64) -> String {
    let minutes = secs.rem_euclid(86_400) / 60;
    format!("{}, {:02}:{:02} UTC", date(secs), minutes / 60, minutes % 60)
}

/// "5 Apr 2021" for a `YYYY-MM-DD` value (a birthday); anything else as it is.
pub fn iso_day(value: &str) -> String {
    let mut parts = value.splitn(3, '-').map(str::parse::<u32>);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(Ok(y)), Some(Ok(m @ 1..=12)), Some(Ok(d @ 1..=31))) if value.len() == 10 => day(y as i32, m, d),
        _ => value.to_owned(),
    }
}

/// How long before `now` (both Unix seconds) `then` was: "just now", "5
/// minutes ago", "3 hours ago", "yesterday", "4 days ago", then the date.
pub fn ago(then: i64, now: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match (now - then).max(0) {
        s if s < 60 => "just now".to_owned(),
        s if s < 3_600 => plural(s / 60, "minute"),
        s if s < 86_400 => plural(s / 3_600, "hour"),
        s if s < 2 * 86_400 => "yesterday".to_owned(),
        s if s < 14 * 86_400 => plural(s / 86_400, "day"),
        _ => date(then),
    }
}

/// Seconds since the Unix epoch.
pub fn unix_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Days since 1970-01-01 → civil date (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_readable_style() {
        // 2026-12-06 08:57:30 UTC
        let t = 20_793 * 86_400 + 8 * 3_600 + 57 * 60 + 30;
        assert_eq!(super::date(t), "6 Dec 2026");
        assert_eq!(super::date_time(t), "6 Dec 2026, 08:57 UTC");
        assert_eq!(super::iso_day("2021-04-05"), "5 Apr 2021");
        assert_eq!(super::iso_day("2021-13-05"), "2021-13-05");
        assert_eq!(super::iso_day(""), "");
        assert_eq!(super::date(0), "1 Jan 1970");
    }

    #[test]
    fn how_long_ago() {
        let now = 1_000_000_000;
        assert_eq!(super::ago(now - 5, now), "just now");
        assert_eq!(super::ago(now + 5, now), "just now");
        assert_eq!(super::ago(now - 60, now), "1 minute ago");
        assert_eq!(super::ago(now - 3 * 3_600, now), "3 hours ago");
        assert_eq!(super::ago(now - 86_400, now), "yesterday");
        assert_eq!(super::ago(now - 4 * 86_400, now), "4 days ago");
        assert_eq!(super::ago(now - 30 * 86_400, now), super::date(now - 30 * 86_400));
    }

    #[test]
    fn known_days() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(super::civil_from_days(20_414), (2025, 11, 22));
    }
}
