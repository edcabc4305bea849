//! What the crate counts, through the [`metrics`] facade: the app installs
//! the recorder it wants (a Prometheus exporter, or a bridge to metrics of
//! its own), and without one counting costs next to nothing. Every label
//! value comes from a closed set (the app's catalogue of limited actions, a
//! mail's fixed outcomes), so no request can grow the number of series.

/// Guests made (a new user row, not one joined by its mint key).
pub const GUESTS_CREATED: &str = "anonymous_first_guests_created_total";

/// Requests refused by a rate limit, labelled `limit` with the action's name.
pub const RATE_LIMITED: &str = "anonymous_first_rate_limited_total";

/// Mails by what happened: `event` is queued, sent, failed (retried
/// later) or gave_up.
pub const MAIL: &str = "anonymous_first_mail_total";

/// Counts a mail's event (one of [`MAIL`]'s four).
pub(crate) fn mail(event: &'static str) {
    metrics::counter!(MAIL, "event" => event).increment(1);
}

/// Counts a guest made.
pub(crate) fn guest_created() {
    metrics::counter!(GUESTS_CREATED).increment(1);
}

/// Counts a refusal by the limited action's name.
pub(crate) fn refused(action: &'static str) {
    metrics::counter!(RATE_LIMITED, "limit" => action).increment(1);
}

/// Sign-ins by what came along: `way` is the method's way in (link, code,
/// password, passkey, provider), `outcome` one guest's (promoted, merged,
/// merge_failed), or `none` once for a sign-in that brought no guest.
pub const CLAIMS: &str = "anonymous_first_claims_total";

/// Merges rolled back and recorded in `claim_failures` for a retry.
pub const MERGE_FAILURES: &str = "anonymous_first_merge_failures_total";

/// Counts a committed sign-in's outcomes, by their labels (see [`CLAIMS`]).
pub(crate) fn claims(way: &'static str, outcomes: impl ExactSizeIterator<Item = &'static str>) {
    if outcomes.len() == 0 {
        metrics::counter!(CLAIMS, "way" => way, "outcome" => "none").increment(1);
    }
    for outcome in outcomes {
        metrics::counter!(CLAIMS, "way" => way, "outcome" => outcome).increment(1);
    }
}

/// Counts a merge rolled back and recorded.
pub(crate) fn merge_failed() {
    metrics::counter!(MERGE_FAILURES).increment(1);
}
