//! Bot friction that costs people nothing: a honeypot field people never see
//! (bots fill every field) and a minimum time between showing a form and
//! submitting it. A caught submission gets the same answer as a real one and
//! changes nothing; it is counted in the metrics.

use leptos::prelude::*;

/// Name of the honeypot field.
pub const HONEYPOT: &str = "website";
/// Name of the field holding when the form was shown (Unix milliseconds).
pub const STARTED: &str = "form_started";

/// The two hidden fields; put inside every guarded form.
#[component]
pub fn BotFields() -> impl IntoView {
    view! {
        <div class="hp" aria-hidden="true">
            <label>"Leave this empty" <input name=HONEYPOT tabindex="-1" autocomplete="off" value="" /></label>
        </div>
        <input type="hidden" name=STARTED value=now_ms().to_string() />
    }
}

fn now_ms() -> u64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now() as u64;
    #[cfg(not(feature = "hydrate"))]
    return std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
}

/// How fast a person can fill a form, from the server's settings (in the
/// request context).
#[derive(Clone, Copy, Debug)]
pub struct FormTiming {
    /// Milliseconds between rendering a form and a human submitting it.
    pub min_fill_ms: u64,
}

/// Whether a submission of `form` looks automated: the honeypot is filled, or
/// it came faster than a person can fill the form. A missing start time is not
/// held against the caller (scripts and tests that post directly).
#[cfg(feature = "ssr")]
pub fn caught(form: &'static str, honeypot: &str, started: &str) -> bool {
    let min_ms = use_context::<FormTiming>().map_or(2000, |c| c.min_fill_ms);
    let too_fast = started
        .trim()
        .parse::<u64>()
        .is_ok_and(|at| now_ms().saturating_sub(at) < min_ms);
    let caught = !honeypot.is_empty() || too_fast;
    if caught {
        paws_inside::metrics::global().bot_rejections.inc(form);
        tracing::info!(form, "bot friction: submission ignored");
    }
    caught
}
