//! HTTP request heads and their body framing rules.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    silly_net::fuzzing::request_head(data);
    silly_net::fuzzing::chunk_size(data);
});
