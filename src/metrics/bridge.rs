//! The `metrics` facade's recorder for this process: what the identity crate
//! counts (`anonymous_first::counters`) lands in our typed [`Metrics`] under
//! the names dashboards already use (`paws_guests_created_total`,
//! `paws_rate_limited_total{limit}`, `paws_mail_total{event}`,
//! `paws_merge_failures_total`; a claim adds up in both
//! `paws_claims_total{kind}` and `paws_funnel_claims_total{way,outcome}`). A hand-written bridge rather than
//! `metrics-exporter-prometheus`: that exporter cannot rename a series, and
//! ours renders every other metric of the app already. A name or a label
//! value outside the known set counts nowhere, so nothing a request does can
//! add a series.

use super::{Counter as Own, Family, Metrics, Pairs, global};
use crate::limits::LimitedAction;
use ::metrics::{Counter, CounterFn, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use anonymous_first::counters::{CLAIMS, GUESTS_CREATED, MAIL, MERGE_FAILURES, RATE_LIMITED};
use std::sync::Arc;

/// Where one of the crate's counters adds up.
enum Target {
    One(&'static Own),
    In(&'static Family, &'static str),
    /// A claim: its kind, and its way and outcome (none for a sign-in that
    /// brought nobody, which the funnel does not count).
    Claim(
        &'static Family,
        &'static str,
        Option<(&'static Pairs, &'static str, &'static str)>,
    ),
}

impl CounterFn for Target {
    fn increment(&self, n: u64) {
        match self {
            Target::One(counter) => counter.add(n),
            Target::In(family, label) => family.add(label, n),
            Target::Claim(kinds, kind, pair) => {
                kinds.add(kind, n);
                if let Some((pairs, way, outcome)) = pair {
                    for _ in 0..n {
                        pairs.inc(way, outcome);
                    }
                }
            }
        }
    }

    fn absolute(&self, _: u64) {}
}

/// The recorder (see the module).
struct Bridge;

fn target(metrics: &'static Metrics, key: &Key) -> Option<Target> {
    let label = |name: &str| key.labels().find(|l| l.key() == name).map(|l| l.value());
    match key.name() {
        GUESTS_CREATED => Some(Target::One(&metrics.guests_created)),
        RATE_LIMITED => {
            let value = label("limit")?;
            let action = LimitedAction::ALL.into_iter().find(|a| a.name() == value)?;
            Some(Target::In(&metrics.rate_limited, action.name()))
        }
        MERGE_FAILURES => Some(Target::One(&metrics.merge_failures)),
        CLAIMS => {
            let way = WAYS.into_iter().find(|w| Some(*w) == label("way"))?;
            let (kind, outcome) = CLAIM_KINDS
                .into_iter()
                .find(|(_, o)| Some(*o) == label("outcome"))?;
            let pair = (outcome != "none").then_some((&metrics.funnel_claims, way, outcome));
            Some(Target::Claim(&metrics.claims, kind, pair))
        }
        MAIL => {
            let value = label("event")?;
            let event = MAIL_EVENTS.into_iter().find(|e| *e == value)?;
            Some(Target::In(&metrics.mail, event))
        }
        _ => None,
    }
}

/// The ways in (`Method::way`), the `way` of `paws_funnel_claims_total`.
const WAYS: [&str; 5] = ["link", "code", "password", "passkey", "provider"];

/// A claim's `kind` in `paws_claims_total` by the crate's `outcome`.
const CLAIM_KINDS: [(&str, &str); 4] = [
    ("promote", "promoted"),
    ("merge", "merged"),
    ("merge_failed", "merge_failed"),
    ("plain", "none"),
];

/// What can happen to a mail (`paws_mail_total{event}`).
const MAIL_EVENTS: [&str; 4] = ["queued", "sent", "failed", "gave_up"];

impl Recorder for Bridge {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        target(global(), key).map_or_else(Counter::noop, |t| Counter::from_arc(Arc::new(t)))
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

/// Makes this process's `metrics` facade count into [`global`]. Once per
/// process; later calls (several servers in one test binary) change nothing.
pub fn install() {
    let _ = ::metrics::set_global_recorder(Bridge);
}

#[cfg(test)]
mod tests {
    use super::{Bridge, global};
    use anonymous_first::counters::{CLAIMS, GUESTS_CREATED, MAIL, MERGE_FAILURES, RATE_LIMITED};

    #[test]
    fn the_crates_counts_land_under_our_names_and_nothing_else_does() {
        let m = global();
        let (guests, uploads, sent) = (
            m.guests_created.get(),
            m.rate_limited.get("upload_user"),
            m.mail.get("sent"),
        );
        let (promoted, by_code, plain, failures) = (
            m.claims.get("promote"),
            m.funnel_claims.get("code", "promoted"),
            m.claims.get("plain"),
            m.merge_failures.get(),
        );
        ::metrics::with_local_recorder(&Bridge, || {
            ::metrics::counter!(GUESTS_CREATED).increment(2);
            ::metrics::counter!(RATE_LIMITED, "limit" => "upload_user").increment(1);
            ::metrics::counter!(RATE_LIMITED, "limit" => "made_up_by_a_request").increment(1);
            ::metrics::counter!(MAIL, "event" => "sent").increment(1);
            ::metrics::counter!(MAIL, "event" => "made_up").increment(1);
            ::metrics::counter!("anything_else_total").increment(1);
            ::metrics::counter!(CLAIMS, "way" => "code", "outcome" => "promoted").increment(1);
            ::metrics::counter!(CLAIMS, "way" => "passkey", "outcome" => "none").increment(1);
            ::metrics::counter!(CLAIMS, "way" => "made_up", "outcome" => "merged").increment(1);
            ::metrics::counter!(MERGE_FAILURES).increment(1);
        });
        assert!(m.claims.get("promote") > promoted);
        assert!(m.funnel_claims.get("code", "promoted") > by_code);
        assert!(
            m.claims.get("plain") > plain,
            "a plain sign-in counts as a claim of nobody"
        );
        assert_eq!(m.funnel_claims.get("passkey", "none"), 0, "but not in the funnel");
        assert_eq!(m.funnel_claims.get("made_up", "merged"), 0);
        assert!(m.merge_failures.get() > failures);
        assert!(m.guests_created.get() >= guests + 2);
        assert!(m.rate_limited.get("upload_user") > uploads);
        assert!(m.mail.get("sent") > sent);
        assert_eq!(m.rate_limited.get("made_up_by_a_request"), 0);
        assert_eq!(m.mail.get("made_up"), 0);
        let text = m.render(&[]);
        assert!(!text.contains("made_up") && !text.contains("anything_else"));
    }
}
