//! Email parsing never panics, and a parsed address parses to itself again.
#![no_main]
use libfuzzer_sys::fuzz_target;
use paws_inside::EmailAddress;

fuzz_target!(|raw: &str| {
    if let Ok(email) = EmailAddress::parse(raw) {
        assert_eq!(EmailAddress::parse(email.as_str()).as_ref(), Ok(&email));
        assert!(email.as_str().len() <= 254 && !email.as_str().contains(char::is_whitespace));
        let _ = email.masked();
    }
});
