//! Latency per step, errors and interruptions, printed as a Markdown table.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// The steps of a journey, in the order they run.
pub const STEPS: [&str; 9] = [
    "browse home",
    "browse venue",
    "ensure session",
    "add dog",
    "upload photo",
    "request link",
    "mail arrives",
    "open link",
    "claim",
];

#[derive(Default)]
struct Step {
    samples: Vec<Duration>,
    errors: u64,
    interrupted: u64,
}

/// Shared counters of the whole run.
#[derive(Default)]
pub struct Stats {
    steps: Mutex<BTreeMap<&'static str, Step>>,
    messages: Mutex<Vec<String>>,
    busy: std::sync::atomic::AtomicU64,
}

impl Stats {
    /// One acknowledged step and how long it took.
    pub fn ok(&self, step: &'static str, took: Duration) {
        self.steps
            .lock()
            .unwrap()
            .entry(step)
            .or_default()
            .samples
            .push(took);
    }

    /// A step that failed while the server was up: a real error.
    pub fn error(&self, step: &'static str, message: String) {
        self.steps.lock().unwrap().entry(step).or_default().errors += 1;
        let mut messages = self.messages.lock().unwrap();
        if messages.len() < 20 {
            messages.push(format!("{step}: {message}"));
        }
    }

    /// A step cut off by the SIGKILL (retried after the restart).
    pub fn interrupted(&self, step: &'static str) {
        self.steps.lock().unwrap().entry(step).or_default().interrupted += 1;
    }

    /// Requests cut off by the kill for `step`.
    pub fn interruptions(&self, step: &'static str) -> u64 {
        self.steps.lock().unwrap().get(step).map_or(0, |s| s.interrupted)
    }

    /// An upload answered "busy" (503 with `Retry-After`), waited out and sent again.
    pub fn busy(&self) {
        self.busy.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Real errors of the run.
    pub fn errors(&self) -> u64 {
        self.steps.lock().unwrap().values().map(|s| s.errors).sum()
    }

    /// Prints the table and the first error messages.
    pub fn print(&self, elapsed: Duration) {
        let steps = self.steps.lock().unwrap();
        println!("\nFinished in {:.1} s.\n", elapsed.as_secs_f64());
        println!("| step | done | errors | cut off by the kill | p50 | p99 | max |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for name in STEPS {
            let Some(step) = steps.get(name) else { continue };
            let mut samples = step.samples.clone();
            samples.sort();
            let at = |q: f64| {
                samples
                    .get(((samples.len() as f64 * q).ceil() as usize).saturating_sub(1))
                    .map_or("–".to_owned(), |d| {
                        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
                    })
            };
            println!(
                "| {name} | {} | {} | {} | {} | {} | {} |",
                samples.len(),
                step.errors,
                step.interrupted,
                at(0.5),
                at(0.99),
                at(1.0)
            );
        }
        let busy = self.busy.load(std::sync::atomic::Ordering::Relaxed);
        if busy > 0 {
            println!(
                "\nUploads answered 503 busy (bounded decode queue), waited out and sent again: {busy}."
            );
        }
        for message in self.messages.lock().unwrap().iter() {
            println!("error: {message}");
        }
    }
}
