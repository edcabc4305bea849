//! The `metrics` facade's recorder for this process: what the identity crate
//! counts (`anonymous_first::counters`) lands in our typed [`Metrics`] under
//! the names dashboards already use (`paws_guests_created_total`,
//! `paws_rate_limited_total{limit}`, `paws_mail_total{event}`). A hand-written bridge rather than
//! `metrics-exporter-prometheus`: that exporter cannot rename a series, and
//! ours renders every other metric of the app already. A name or a label
//! value outside the known set counts nowhere, so nothing a request does can
//! add a series.

use super::{Counter as Own, Family, Metrics, global};
use crate::limits::LimitedAction;
use ::metrics::{Counter, CounterFn, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use anonymous_first::counters::{GUESTS_CREATED, MAIL, RATE_LIMITED};
use std::sync::Arc;

/// Where one of the crate's counters adds up.
enum Target {
    One(&'static Own),
    In(&'static Family, &'static str),
}

impl CounterFn for Target {
    fn increment(&self, n: u64) {
        match self {
            Target::One(counter) => counter.add(n),
            Target::In(family, label) => family.add(label, n),
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
        MAIL => {
            let value = label("event")?;
            let event = MAIL_EVENTS.into_iter().find(|e| *e == value)?;
            Some(Target::In(&metrics.mail, event))
        }
        _ => None,
    }
}

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
    use anonymous_first::counters::{GUESTS_CREATED, MAIL, RATE_LIMITED};

    #[test]
    fn the_crates_counts_land_under_our_names_and_nothing_else_does() {
        let m = global();
        let (guests, uploads, sent) = (
            m.guests_created.get(),
            m.rate_limited.get("upload_user"),
            m.mail.get("sent"),
        );
        ::metrics::with_local_recorder(&Bridge, || {
            ::metrics::counter!(GUESTS_CREATED).increment(2);
            ::metrics::counter!(RATE_LIMITED, "limit" => "upload_user").increment(1);
            ::metrics::counter!(RATE_LIMITED, "limit" => "made_up_by_a_request").increment(1);
            ::metrics::counter!(MAIL, "event" => "sent").increment(1);
            ::metrics::counter!(MAIL, "event" => "made_up").increment(1);
            ::metrics::counter!("anything_else_total").increment(1);
        });
        assert!(m.guests_created.get() >= guests + 2);
        assert!(m.rate_limited.get("upload_user") > uploads);
        assert!(m.mail.get("sent") > sent);
        assert_eq!(m.rate_limited.get("made_up_by_a_request"), 0);
        assert_eq!(m.mail.get("made_up"), 0);
        let text = m.render(&[]);
        assert!(!text.contains("made_up") && !text.contains("anything_else"));
    }
}
