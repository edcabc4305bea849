//! Typed metrics: one struct holds every counter and histogram, each named and
//! described once, so adding a metric touches this file only and a call site
//! cannot misspell a name or a label. Rendered in Prometheus' text format.
//! Process-wide, because events happen in every layer (flows, jobs, the page
//! cache).

mod bridge;
mod requests;

pub use bridge::install;
pub use requests::OTHER_ROUTE;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// A counter without labels.
#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn inc(&self) {
        self.add(1);
    }

    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Counters by one label's value (a closed set at every call site: a
/// `LimitedAction` name, a form name, a claim kind).
#[derive(Default)]
pub struct Family(Mutex<BTreeMap<&'static str, u64>>);

impl Family {
    /// Adds one under `label`.
    pub fn inc(&self, label: &'static str) {
        self.add(label, 1);
    }

    /// Adds `n` under `label`.
    pub fn add(&self, label: &'static str, n: u64) {
        if let Ok(mut values) = self.0.lock() {
            *values.entry(label).or_default() += n;
        }
    }

    /// The current value under `label`.
    pub fn get(&self, label: &str) -> u64 {
        self.0.lock().map_or(0, |v| v.get(label).copied().unwrap_or(0))
    }
}

/// Counters by two labels' values, each from a closed set (the funnel's
/// way in and outcome).
#[derive(Default)]
pub struct Pairs(Mutex<BTreeMap<(&'static str, &'static str), u64>>);

impl Pairs {
    /// Adds one under (`a`, `b`).
    pub fn inc(&self, a: &'static str, b: &'static str) {
        if let Ok(mut values) = self.0.lock() {
            *values.entry((a, b)).or_default() += 1;
        }
    }

    /// The current value under (`a`, `b`).
    pub fn get(&self, a: &str, b: &str) -> u64 {
        self.0.lock().map_or(0, |v| {
            v.iter()
                .find(|((x, y), _)| *x == a && *y == b)
                .map_or(0, |(_, n)| *n)
        })
    }
}

/// Every metric of the app.
#[derive(Default)]
pub struct Metrics {
    /// Guests created (`paws_guests_created_total`).
    pub guests_created: Counter,
    /// Claims by what happened to the guest: promote, merge, merge_failed, plain.
    pub claims: Family,
    /// Guests brought into an account, by way in and outcome (promoted,
    /// merged, merge_failed).
    pub funnel_claims: Pairs,
    /// Merges rolled back and recorded for a retry.
    pub merge_failures: Counter,
    /// Requests refused by a rate limit, by `LimitedAction` name.
    pub rate_limited: Family,
    /// Form submissions taken for a bot's, by form.
    pub bot_rejections: Family,
    /// Page cache lookups: hit or miss.
    pub page_cache: Family,
    /// Rows and files the reaper removed, by what.
    pub reaped: Family,
    /// Emails by what happened: queued, sent, failed (retried later), gave_up.
    pub mail: Family,
    /// Requests by route and status, and their latency.
    requests: requests::Requests,
}

/// The process-wide metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::default)
}

impl Metrics {
    /// Records one HTTP request: a counter by route and status, latency by
    /// route. `route` must come from a closed set (a router's patterns).
    pub fn observe_request(&self, route: &str, status: u16, seconds: f64) {
        self.requests.observe(route, status, seconds);
    }

    /// Everything in Prometheus text format, plus `gauges` sampled by the caller.
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        let counters = [
            (
                "paws_guests_created_total",
                "guests created",
                &self.guests_created,
            ),
            (
                "paws_merge_failures_total",
                "guest merges rolled back and recorded",
                &self.merge_failures,
            ),
        ];
        for (name, help, counter) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                counter.get()
            );
        }
        let families = [
            (
                "paws_claims_total",
                "claims by what happened to the guest",
                "kind",
                &self.claims,
            ),
            (
                "paws_rate_limited_total",
                "requests refused by a rate limit",
                "limit",
                &self.rate_limited,
            ),
            (
                "paws_bot_rejections_total",
                "form submissions taken for a bot's",
                "form",
                &self.bot_rejections,
            ),
            (
                "paws_page_cache_total",
                "page cache lookups",
                "result",
                &self.page_cache,
            ),
            (
                "paws_reaped_total",
                "rows and files the reaper removed",
                "what",
                &self.reaped,
            ),
            (
                "paws_mail_total",
                "emails queued, sent, failed (to be retried) and given up",
                "event",
                &self.mail,
            ),
        ];
        for (name, help, label, family) in families {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            // Copied out: counting never waits for the formatting.
            let values = family.0.lock().map(|v| v.clone()).unwrap_or_default();
            for (value, n) in values {
                let _ = writeln!(out, "{name}{{{label}=\"{}\"}} {n}", escape(value));
            }
        }
        let _ = writeln!(
            out,
            "# HELP paws_funnel_claims_total guests brought into an account, by way in and outcome\n\
             # TYPE paws_funnel_claims_total counter"
        );
        let pairs = self.funnel_claims.0.lock().map(|v| v.clone()).unwrap_or_default();
        for ((way, outcome), n) in pairs {
            let _ = writeln!(
                out,
                "paws_funnel_claims_total{{way=\"{}\",outcome=\"{}\"}} {n}",
                escape(way),
                escape(outcome)
            );
        }
        self.requests.render(&mut out);
        out
    }
}

/// `value` as a label value.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_prometheus_text() {
        let m = super::Metrics::default();
        m.guests_created.inc();
        m.reaped.add("guests", 3);
        m.funnel_claims.inc("code", "promoted");
        m.observe_request("/api/{x}", 200, 0.004);
        let text = m.render(&[("paws_db_pool_size", "connections", 5.0)]);
        assert!(text.contains("paws_guests_created_total 1\n"));
        assert!(text.contains("paws_reaped_total{what=\"guests\"} 3\n"));
        assert!(text.contains("paws_funnel_claims_total{way=\"code\",outcome=\"promoted\"} 1\n"));
        assert!(text.contains("paws_http_requests_total{route=\"/api/{x}\",status=\"200\"} 1\n"));
        assert!(
            text.contains("paws_http_request_duration_seconds_bucket{route=\"/api/{x}\",le=\"0.005\"} 1\n")
        );
        assert!(
            text.contains("paws_http_request_duration_seconds_bucket{route=\"/api/{x}\",le=\"0.0025\"} 0\n")
        );
        assert!(text.contains("paws_db_pool_size 5\n"));
        assert_eq!(m.reaped.get("guests"), 3);
        assert!(
            text.contains("# TYPE paws_claims_total counter"),
            "every metric is described even at zero"
        );
    }
}
