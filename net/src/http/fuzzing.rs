//! Fuzzing hooks of the HTTP codec (see `crate::fuzzing`).

use super::body;
use super::head::{self, BodyKind};

pub(crate) fn request_head(data: &[u8]) {
    match head::parse_request(data, 64 * 1024, 100) {
        Ok(Some(mut h)) => {
            assert!(h.len <= data.len());
            match head::check_host(&mut h) {
                Ok(()) => {
                    let target = h.target().to_ascii_lowercase();
                    assert!(!target.starts_with("http://") && !target.starts_with("https://"));
                }
                Err(e) => assert_eq!(e.status(), 400),
            }
            if let Ok(BodyKind::Length(n)) = head::request_body(&h) {
                assert!(n > 0);
            }
        }
        Ok(None) => {}
        Err(e) => assert!([400, 431, 501, 505].contains(&e.status())),
    }
}

pub(crate) fn response_head(data: &[u8]) {
    if let Ok(Some(h)) = head::parse_response(data, 64 * 1024) {
        let _ = head::response_body("GET", h.status, &h.headers);
        let _ = head::response_body("HEAD", h.status, &h.headers);
    }
}

pub(crate) fn chunk_size(data: &[u8]) {
    let _ = body::parse_chunk_size(data);
}
