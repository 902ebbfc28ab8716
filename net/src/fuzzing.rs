//! Entry points for the fuzz targets in `fuzz/` (compiled only under
//! `cargo fuzz`, which sets `--cfg fuzzing`): the parsers that read bytes from
//! the network, without sockets.

use crate::http::fuzzing as http;

/// HTTP request head parsing and body framing rules.
pub fn request_head(data: &[u8]) {
    http::request_head(data);
}

/// HTTP response head parsing and body framing (client side).
pub fn response_head(data: &[u8]) {
    http::response_head(data);
}

/// Chunk-size lines.
pub fn chunk_size(data: &[u8]) {
    http::chunk_size(data);
}

/// silly-style addresses.
pub fn addr(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(addr) = crate::dns::Addr::parse(text) {
            assert_eq!(crate::dns::Addr::parse(&addr.to_string()), Ok(addr));
        }
    }
}
