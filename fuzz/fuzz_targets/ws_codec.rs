//! WebSocket frame headers, the incremental UTF-8 validator, close payloads,
//! permessage-deflate negotiation and inflation.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    silly_websocket::fuzzing::frame_header(data);
    silly_websocket::fuzzing::utf8(data);
    silly_websocket::fuzzing::close_payload(data);
    silly_websocket::fuzzing::deflate(data);
});
