//! Typed metrics: one struct holds every counter and histogram, each named and
//! described once, so adding a metric touches this file only and a call site
//! cannot misspell a name or a label. Rendered in Prometheus' text format.
//! Process-wide, because events happen in every layer (flows, jobs, the page
//! cache).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// Latency bucket bounds, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

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

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Every metric of the app.
#[derive(Default)]
pub struct Metrics {
    /// Guests created (`paws_guests_created_total`).
    pub guests_created: Counter,
    /// Claims by what happened to the guest: promote, merge, merge_failed, plain.
    pub claims: Family,
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
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
}

/// The process-wide metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::default)
}

impl Metrics {
    /// Records one HTTP request: a counter by route and status, latency by route.
    pub fn observe_request(&self, route: &str, status: u16, seconds: f64) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((route.to_owned(), status)).or_default() += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            let h = latency.entry(route.to_owned()).or_default();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += seconds;
        }
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
            if let Ok(values) = family.0.lock() {
                for (value, n) in values.iter() {
                    let _ = writeln!(out, "{name}{{{label}=\"{}\"}} {n}", escape(value));
                }
            }
        }
        self.render_requests(&mut out);
        out
    }

    fn render_requests(&self, out: &mut String) {
        let name = "paws_http_requests_total";
        let _ = writeln!(
            out,
            "# HELP {name} requests by route and status\n# TYPE {name} counter"
        );
        if let Ok(requests) = self.requests.lock() {
            for ((route, status), n) in requests.iter() {
                let _ = writeln!(
                    out,
                    "{name}{{route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        let name = "paws_http_request_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} request latency by route\n# TYPE {name} histogram"
        );
        if let Ok(latency) = self.latency.lock() {
            for (route, h) in latency.iter() {
                let route = escape(route);
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{name}_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(out, "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {}", h.count);
            }
        }
    }
}

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
        m.observe_request("/api/{x}", 200, 0.004);
        let text = m.render(&[("paws_db_pool_size", "connections", 5.0)]);
        assert!(text.contains("paws_guests_created_total 1\n"));
        assert!(text.contains("paws_reaped_total{what=\"guests\"} 3\n"));
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
