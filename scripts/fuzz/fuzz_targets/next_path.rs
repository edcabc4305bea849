//! The `next` redirect sanitizer only ever returns a path on this site.
#![no_main]
use libfuzzer_sys::fuzz_target;
use paws_inside::redirect::safe_next;

fuzz_target!(|raw: &str| {
    let next = safe_next(Some(raw));
    assert!(next.starts_with('/'), "{next:?}");
    assert!(!next.starts_with("//") && !next.contains('\\'), "{next:?}");
    assert!(
        !next.chars().any(|c| c.is_control() || c.is_whitespace()),
        "{next:?}"
    );
    assert!(next == "/" || next == raw.trim(), "{next:?}");
});
