//! A venue's opening hours from OpenStreetMap's `opening_hours` text:
//! "Open now · closes 18:00" and the week's table, in the venue's own time.
//!
//! The syntax is OSM's and it is large (week ranges, "PH off", "sunrise-sunset",
//! past-midnight times, comments): we use `opening-hours`, the OSM
//! community's Rust implementation (Rémi Dupré; releases through 2025, a
//! fuzzed parser tested against real OSM data, also behind its Python
//! package) rather than a hand-written subset. It weighs pest plus
//! a compressed holiday calendar, and builds with rustc 1.95; it runs on the
//! server only (the page is rendered there), so the browser bundle does not
//! grow.
//!
//! The venue's time zone is not stored: it is looked up from the venue's
//! coordinates when the page is rendered (`tzf-rs`'s `EmbeddedFinder`, about
//! 0.1 µs a lookup over a boundary file read in place), so it is right for
//! every venue already listed and follows an admin who moves one. Its country,
//! for public holidays, comes from the coordinates the same way.

use super::door::{DayHours, Hours, ReadHours, StatusLine};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use opening_hours::localization::{Coordinates, Country, TzLocation};
use opening_hours::{Context, OpeningHours, RuleKind};
use std::sync::LazyLock;

/// How far ahead the page's "open now" lines reach: a page kept open (or
/// served from the page cache) stays right for a week.
const AHEAD_DAYS: i64 = 7;
/// At most this many lines (a change or a midnight each).
const MAX_LINES: usize = 40;

static ZONES: LazyLock<tzf_rs::EmbeddedFinder> = LazyLock::new(tzf_rs::EmbeddedFinder::new);

/// The IANA time zone at a position; UTC out at sea.
pub fn time_zone(lat: f64, lng: f64) -> Tz {
    ZONES.get_tz_name(lng, lat).parse().unwrap_or(Tz::UTC)
}

/// Whether `raw` is `opening_hours` text the page can read; the refusal says
/// where it stops making sense, for the admin's form.
pub fn check(raw: &str) -> Result<(), String> {
    raw.parse::<OpeningHours>().map(|_| ()).map_err(|err| {
        let at = match &err {
            opening_hours_syntax::error::Error::Syntax(e) => match e.line_col {
                pest::error::LineColLocation::Pos((_, col))
                | pest::error::LineColLocation::Span((_, col), _) => {
                    format!(" (it stops making sense at character {col})")
                }
            },
            _ => String::new(),
        };
        format!(
            "The opening hours are not in OpenStreetMap's opening_hours format{at}. \
             Write them like \"Mo-Fr 08:00-18:00; Sa 09:00-14:00; PH off\", or leave them empty."
        )
    })
}

/// What `raw` says at `now` for a venue at `lat`, `lng`.
pub fn describe(raw: &str, lat: f64, lng: f64, now: DateTime<Utc>) -> Hours {
    let read = raw.parse::<OpeningHours>().ok().and_then(|oh| {
        let coords = Coordinates::new(lat, lng)?;
        let tz = time_zone(lat, lng);
        let holidays = Country::try_from_coords(coords)
            .map(Country::holidays)
            .unwrap_or_default();
        let ctx = Context::default()
            .with_holidays(holidays)
            .with_locale(TzLocation::new(tz).with_coords(coords));
        let oh = oh.with_context(ctx);
        Some(ReadHours {
            status: status(&oh, tz, now),
            week: week(&oh, now.with_timezone(&tz).date_naive()),
            time_zone: tz.name().to_owned(),
        })
    });
    Hours {
        raw: raw.to_owned(),
        read,
    }
}

type Local = OpeningHours<TzLocation<Tz>>;

/// The sentence at `now`, then one at each change and each local midnight
/// (where "tomorrow" becomes "today") for [`AHEAD_DAYS`].
fn status(oh: &Local, tz: Tz, now: DateTime<Utc>) -> Vec<StatusLine> {
    let end = now + Duration::days(AHEAD_DAYS);
    let mut lines: Vec<StatusLine> = Vec::new();
    let mut at = now.with_timezone(&tz);
    while at.with_timezone(&Utc) < end && lines.len() < MAX_LINES {
        let change = oh.next_change(at);
        let (open, text) = sentence(oh, &at, change.as_ref());
        if lines.last().is_none_or(|l| l.text != text) {
            lines.push(StatusLine {
                from_ms: at.timestamp_millis(),
                open,
                text,
            });
        }
        // Always forward (a midnight is), so the loop ends.
        let midnight = next_midnight(&at, tz);
        at = match change {
            Some(c) if c > at && c < midnight => c,
            _ => midnight,
        };
    }
    lines
}

/// The start of the venue's next day.
fn next_midnight(at: &DateTime<Tz>, tz: Tz) -> DateTime<Tz> {
    let day = at.date_naive() + Duration::days(1);
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A midnight a clock change skips: the first valid minute after it.
    (0..180)
        .find_map(|m| tz.from_local_datetime(&(naive + Duration::minutes(m))).earliest())
        .unwrap_or_else(|| *at + Duration::days(1))
}

/// "Open now · closes 18:00", "Closed · opens 08:00 tomorrow".
fn sentence(oh: &Local, at: &DateTime<Tz>, change: Option<&DateTime<Tz>>) -> (bool, String) {
    let (kind, comment) = oh.state(*at);
    let within_week = change.filter(|c| **c - *at <= Duration::days(AHEAD_DAYS));
    let when = within_week.map(|c| when(at.date_naive(), c));
    let note = if comment.is_empty() {
        String::new()
    } else {
        format!(" ({comment})")
    };
    match (kind, when) {
        (RuleKind::Open, Some(w)) => (true, format!("Open now{note} · closes {w}")),
        (RuleKind::Open, None) if comment.is_empty() => (true, "Open now · open around the clock".into()),
        (RuleKind::Open, None) => (true, format!("Open now{note}")),
        (RuleKind::Unknown, Some(w)) => (true, format!("Maybe open{note} · until {w}")),
        (RuleKind::Unknown, None) => (true, format!("Maybe open{note}")),
        (RuleKind::Closed, Some(w)) => (false, format!("Closed{note} · opens {w}")),
        (RuleKind::Closed, None) => (false, format!("Closed{note}")),
    }
}

/// "18:00", "08:00 tomorrow", "08:00 on Monday" (seen from the day `today`).
fn when(today: NaiveDate, at: &DateTime<Tz>) -> String {
    let time = format!("{:02}:{:02}", at.hour(), at.minute());
    match (at.date_naive() - today).num_days() {
        0 => time,
        1 => format!("{time} tomorrow"),
        _ => format!("{time} on {}", day_name(at.date_naive())),
    }
}

fn day_name(date: NaiveDate) -> &'static str {
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    DAYS[date.weekday().num_days_from_monday() as usize]
}

/// An open (or maybe open) stretch of a day: minutes from its midnight.
struct Stretch {
    from: u16,
    to: u16,
    maybe: bool,
    comment: String,
}

/// The day's open stretches as the evaluator splits them (at midnight).
fn stretches(oh: &Local, date: NaiveDate) -> Vec<Stretch> {
    oh.schedule_at(date)
        .into_iter()
        .filter(|r| r.kind != RuleKind::Closed)
        .map(|r| Stretch {
            from: r.range.start.mins_from_midnight(),
            to: r.range.end.mins_from_midnight(),
            maybe: r.kind == RuleKind::Unknown,
            comment: r.comment.to_string(),
        })
        .collect()
}

/// Seven rows from `today`: each day's open (or maybe open) times, a night
/// that runs past midnight written on the day it starts ("Fr 10:00–03:00").
fn week(oh: &Local, today: NaiveDate) -> Vec<DayHours> {
    const DAY: u16 = 24 * 60;
    let days: Vec<Vec<Stretch>> = (-1..=7)
        .map(|i| stretches(oh, today + Duration::days(i)))
        .collect();
    let runs_on = |day: &[Stretch]| day.last().is_some_and(|s| s.to == DAY && s.from > 0);
    let spill = |day: &[Stretch]| day.first().filter(|s| s.from == 0 && s.to < DAY).map(|s| s.to);
    (1..=7)
        .map(|i| {
            let date = today + Duration::days(i as i64 - 1);
            let mut day: Vec<&Stretch> = days[i].iter().collect();
            // The early hours of a night that began the day before.
            if runs_on(&days[i - 1]) && spill(&days[i]).is_some() {
                day.remove(0);
            }
            let tonight = runs_on(&days[i]).then(|| spill(&days[i + 1])).flatten();
            let count = day.len();
            let ranges: Vec<String> = day
                .iter()
                .enumerate()
                .map(|(n, s)| {
                    let hm = |m: u16| format!("{:02}:{:02}", (m / 60) % 24, m % 60);
                    let to = if n + 1 == count {
                        tonight.unwrap_or(s.to)
                    } else {
                        s.to
                    };
                    let maybe = if s.maybe { " (maybe)" } else { "" };
                    let note = if s.comment.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", s.comment)
                    };
                    match (s.from, to) {
                        (0, DAY) => format!("Open all day{maybe}{note}"),
                        (from, to) => format!("{}–{}{maybe}{note}", hm(from), hm(to)),
                    }
                })
                .collect();
            let holiday = oh.get_context().holidays.get_public().contains(date);
            DayHours {
                day: format!(
                    "{}{}",
                    day_name(date),
                    if holiday { " (public holiday)" } else { "" }
                ),
                hours: if ranges.is_empty() {
                    "Closed".into()
                } else {
                    ranges.join(", ")
                },
                today: i == 1,
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "hours_tests.rs"]
mod tests;
