//! Photo processing (type sniffing, header pixel check, decoding with limits,
//! re-encoding) never panics or allocates past its limits on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use paws_inside::photos::PhotoLimits;
use paws_inside::photos::process::{process, sniff};

fuzz_target!(|bytes: &[u8]| {
    let _ = sniff(bytes);
    let limits = PhotoLimits {
        max_bytes: 1 << 20,
        max_pixels: 1 << 20,
    };
    let _ = process(bytes, &limits);
});
