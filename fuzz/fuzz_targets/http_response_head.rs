//! HTTP response heads (the client's parser) and their body framing.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    silly_net::fuzzing::response_head(data);
});
