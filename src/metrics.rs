//! A small Prometheus registry: labelled counters and request-latency
//! histograms, rendered in the text exposition format. Process-wide, because
//! events happen in every layer (server functions, the claim flow, jobs).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Mutex, OnceLock};

/// Latency bucket bounds, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The registry.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, Labels), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
}

/// The process-wide registry.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::default)
}

impl Metrics {
    /// Adds `n` to counter `name` with `labels`.
    pub fn add(&self, name: &'static str, labels: &[(&'static str, &str)], n: u64) {
        let key = (name, labels.iter().map(|(k, v)| (*k, v.to_string())).collect());
        if let Ok(mut counters) = self.counters.lock() {
            *counters.entry(key).or_default() += n;
        }
    }

    /// Adds one to counter `name` with `labels`.
    pub fn inc(&self, name: &'static str, labels: &[(&'static str, &str)]) {
        self.add(name, labels, 1);
    }

    /// Records one HTTP request: a counter by route and status, latency by route.
    pub fn observe_request(&self, route: &str, status: u16, seconds: f64) {
        self.inc(
            "paws_http_requests_total",
            &[("route", route), ("status", &status.to_string())],
        );
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

    /// The current value of a counter (tests, reports).
    pub fn get(&self, name: &'static str, labels: &[(&'static str, &str)]) -> u64 {
        let key = (
            name,
            labels
                .iter()
                .map(|(k, v)| (*k, v.to_string()))
                .collect::<Labels>(),
        );
        self.counters
            .lock()
            .map(|c| c.get(&key).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// Everything in Prometheus text format, plus `gauges` sampled by the caller.
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        if let Ok(counters) = self.counters.lock() {
            let mut last = "";
            for ((name, labels), value) in counters.iter() {
                if *name != last {
                    let _ = writeln!(out, "# TYPE {name} counter");
                    last = name;
                }
                let _ = writeln!(out, "{name}{} {value}", render_labels(labels, None));
            }
        }
        if let Ok(latency) = self.latency.lock() {
            let name = "paws_http_request_duration_seconds";
            let _ = writeln!(out, "# TYPE {name} histogram");
            for (route, h) in latency.iter() {
                let route_label = vec![("route", route.clone())];
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let le = bound.to_string();
                    let _ = writeln!(
                        out,
                        "{name}_bucket{} {}",
                        render_labels(&route_label, Some(&le)),
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "{name}_bucket{} {}",
                    render_labels(&route_label, Some("+Inf")),
                    h.count
                );
                let _ = writeln!(out, "{name}_sum{} {}", render_labels(&route_label, None), h.sum);
                let _ = writeln!(
                    out,
                    "{name}_count{} {}",
                    render_labels(&route_label, None),
                    h.count
                );
            }
        }
        out
    }
}

fn render_labels(labels: &Labels, le: Option<&str>) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}=\"{}\"",
                v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
            )
        })
        .collect();
    if let Some(le) = le {
        parts.push(format!("le=\"{le}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_prometheus_text() {
        let m = super::Metrics::default();
        m.inc("paws_guests_created_total", &[]);
        m.add("paws_reaped_total", &[("what", "guests")], 3);
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
        assert_eq!(m.get("paws_reaped_total", &[("what", "guests")]), 3);
    }
}
