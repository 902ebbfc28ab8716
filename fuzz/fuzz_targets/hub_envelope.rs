//! The Redis hub backplane's message envelope: decoded, re-encoded, compared.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    silly_redis::fuzzing::envelope(data);
});
