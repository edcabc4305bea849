//! Logging setup.

use tracing_subscriber::EnvFilter;

/// Installs the global tracing subscriber (text, or JSON lines with `json`);
/// `RUST_LOG` overrides the default filter.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if json {
        // The whole span list, not only the innermost span: a line logged
        // inside a layer's own span (tower-sessions' `call`) still carries the
        // request span with its id.
        builder
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .try_init()
    } else {
        builder.try_init()
    };
}
