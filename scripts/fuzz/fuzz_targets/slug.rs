//! Slug parsing never panics; a slug made from free text always parses.
#![no_main]
use libfuzzer_sys::fuzz_target;
use paws_inside::Slug;

fuzz_target!(|raw: &str| {
    if let Ok(slug) = Slug::parse(raw) {
        assert_eq!(slug.as_str(), raw);
    }
    if let Some(slug) = Slug::from_text(raw) {
        assert!(Slug::parse(slug.as_str()).is_ok(), "{slug:?}");
    }
});
