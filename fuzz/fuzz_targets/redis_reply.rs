//! Redis RESP2 replies as the client decodes them: fed whole and in pieces
//! (same replies either way), nesting and announced lengths past the limits.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    silly_redis::fuzzing::reply(data);
});
