//! silly-style address strings.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    silly_net::fuzzing::addr(data);
});
