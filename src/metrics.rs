//! Typed metrics: one struct holds every counter and histogram, each named and
//! described once, so adding a metric touches this file only and a call site
//! cannot misspell a name or a label. Rendered in Prometheus' text format.
//! Process-wide, because events happen in every layer (flows, jobs, the page
//! cache).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// Latency bucket bounds, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// The route label of every request that matched no route.
pub const OTHER_ROUTE: &str = "other";

/// Most route labels kept; requests of any further route count as
/// [`OTHER_ROUTE`]. The server's labels are its router's patterns (a few
/// dozen), so this is never reached: it bounds the memory whatever a caller
/// passes.
const MAX_ROUTES: usize = 256;

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

/// Requests of one route: counts by status and the latency histogram, all
/// atomics, so observing a request takes no lock beyond a shared read.
#[derive(Default)]
struct Route {
    /// Requests by status, in the order first seen (a handful per route).
    statuses: RwLock<Vec<(u16, AtomicU64)>>,
    /// Cumulative: each holds the requests at most its bound took.
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    nanos: AtomicU64,
}

impl Route {
    fn observe(&self, status: u16, seconds: f64) {
        let counted = read(&self.statuses)
            .iter()
            .find(|(s, _)| *s == status)
            .map(|(_, n)| n.fetch_add(1, Ordering::Relaxed))
            .is_some();
        if !counted {
            let mut statuses = write(&self.statuses);
            match statuses.iter().find(|(s, _)| *s == status) {
                Some((_, n)) => {
                    n.fetch_add(1, Ordering::Relaxed);
                }
                None => statuses.push((status, AtomicU64::new(1))),
            }
        }
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.nanos.fetch_add((seconds * 1e9) as u64, Ordering::Relaxed);
    }
}

/// A shared read of `lock`; a panic elsewhere does not stop the counting.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(std::sync::PoisonError::into_inner)
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
    /// Requests by route: a route's entry is made once, on its first request.
    routes: RwLock<HashMap<Box<str>, Arc<Route>>>,
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
        let known = read(&self.routes).get(route).cloned();
        let entry = known.unwrap_or_else(|| {
            let mut routes = write(&self.routes);
            let route = if routes.len() < MAX_ROUTES || routes.contains_key(route) {
                route
            } else {
                OTHER_ROUTE
            };
            routes.entry(route.into()).or_default().clone()
        });
        entry.observe(status, seconds);
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
        self.render_requests(&mut out);
        out
    }

    fn render_requests(&self, out: &mut String) {
        // The routes are copied out (a reference count each), so requests
        // being observed never wait for the formatting below.
        let mut routes: Vec<(Box<str>, Arc<Route>)> = read(&self.routes)
            .iter()
            .map(|(name, route)| (name.clone(), route.clone()))
            .collect();
        routes.sort_by(|a, b| a.0.cmp(&b.0));
        let name = "paws_http_requests_total";
        let _ = writeln!(
            out,
            "# HELP {name} requests by route and status\n# TYPE {name} counter"
        );
        for (route, stats) in &routes {
            let mut statuses: Vec<(u16, u64)> = read(&stats.statuses)
                .iter()
                .map(|(s, n)| (*s, n.load(Ordering::Relaxed)))
                .collect();
            statuses.sort_unstable();
            for (status, n) in statuses {
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
        for (route, stats) in &routes {
            let route = escape(route);
            for (bucket, bound) in stats.buckets.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "{name}_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    bucket.load(Ordering::Relaxed)
                );
            }
            let count = stats.count.load(Ordering::Relaxed);
            let sum = stats.nanos.load(Ordering::Relaxed) as f64 / 1e9;
            let _ = writeln!(out, "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}");
            let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {sum}");
            let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {count}");
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

    #[test]
    fn route_labels_are_bounded_whatever_the_caller_passes() {
        let m = super::Metrics::default();
        for i in 0..super::MAX_ROUTES + 50 {
            m.observe_request(&format!("/r/{i}"), 200, 0.001);
        }
        m.observe_request("/r/0", 404, 0.001);
        let text = m.render(&[]);
        let labels: std::collections::HashSet<&str> = text
            .lines()
            .filter(|l| l.starts_with("paws_http_requests_total{"))
            .filter_map(|l| l.split('"').nth(1))
            .collect();
        assert_eq!(labels.len(), super::MAX_ROUTES + 1, "the routes kept and other");
        assert!(text.contains("paws_http_requests_total{route=\"other\",status=\"200\"} 50\n"));
        assert!(text.contains("paws_http_requests_total{route=\"/r/0\",status=\"404\"} 1\n"));
    }
}
