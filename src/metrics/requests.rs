//! Requests by route and status, and their latency: per-route atomics, so
//! observing a request takes no lock beyond a shared read, and rendering
//! copies the routes out before it formats.

use super::escape;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Latency bucket bounds, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// The route label of every request that matched no route.
pub const OTHER_ROUTE: &str = "other";

/// Most route labels kept; requests of any further route count as
/// [`OTHER_ROUTE`]. The server's labels are its router's patterns (a few
/// dozen), so this is never reached: it bounds the memory whatever a caller
/// passes.
const MAX_ROUTES: usize = 256;

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

/// Every route's requests; a route's entry is made once, on its first request.
#[derive(Default)]
pub(super) struct Requests(RwLock<HashMap<Box<str>, Arc<Route>>>);

impl Requests {
    /// Counts one request of `route` (at most [`MAX_ROUTES`] labels are kept).
    pub(super) fn observe(&self, route: &str, status: u16, seconds: f64) {
        let known = read(&self.0).get(route).cloned();
        let entry = known.unwrap_or_else(|| {
            let mut routes = write(&self.0);
            let route = if routes.len() < MAX_ROUTES || routes.contains_key(route) {
                route
            } else {
                OTHER_ROUTE
            };
            routes.entry(route.into()).or_default().clone()
        });
        entry.observe(status, seconds);
    }

    /// Both metrics in Prometheus text format.
    pub(super) fn render(&self, out: &mut String) {
        // The routes are copied out (a reference count each), so requests
        // being observed never wait for the formatting below.
        let mut routes: Vec<(Box<str>, Arc<Route>)> = read(&self.0)
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

#[cfg(test)]
mod tests {
    #[test]
    fn route_labels_are_bounded_whatever_the_caller_passes() {
        let m = crate::metrics::Metrics::default();
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
