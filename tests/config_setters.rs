//! Configs are `#[non_exhaustive]`: code outside the crate builds them from
//! `default()` with setters only (a struct literal would not compile, E0639).

mod util;

use std::time::Duration;

use silly::net::http::{self, ClientConfig, Config, Limits, Timeouts};
use silly::net::tls;

#[test]
fn every_http_setter_sets_its_field_and_only_it() {
    let limits = Limits::default()
        .max_header_bytes(1000)
        .max_headers(7)
        .max_body_bytes(42);
    assert_eq!(
        (
            limits.max_header_bytes,
            limits.max_headers,
            limits.max_body_bytes
        ),
        (1000, 7, 42)
    );
    assert_eq!(
        Limits::default().max_headers(7).max_body_bytes,
        Limits::default().max_body_bytes,
        "other fields keep their defaults"
    );

    let ms = Duration::from_millis;
    let timeouts = Timeouts::default()
        .request_head(Some(ms(1)))
        .keep_alive(Some(ms(2)))
        .body_read(Some(ms(3)))
        .write(None);
    assert_eq!(
        (
            timeouts.request_head,
            timeouts.keep_alive,
            timeouts.body_read,
            timeouts.write
        ),
        (Some(ms(1)), Some(ms(2)), Some(ms(3)), None)
    );

    let tls = tls::ClientConfig::default().handshake_timeout(Some(ms(5)));
    let client = ClientConfig::default()
        .connect_timeout(Some(ms(6)))
        .read_timeout(Some(ms(7)))
        .request_timeout(Some(ms(13)))
        .max_idle_per_host(8)
        .idle_timeout(Some(ms(9)))
        .max_redirects(10)
        .max_response_head_bytes(11)
        .max_response_body_bytes(12)
        .tls(tls);
    assert_eq!(
        (
            client.connect_timeout,
            client.read_timeout,
            client.max_idle_per_host,
            client.idle_timeout,
            client.max_redirects,
            client.max_response_head_bytes,
            client.max_response_body_bytes,
            client.tls.handshake_timeout
        ),
        (
            Some(ms(6)),
            Some(ms(7)),
            8,
            Some(ms(9)),
            10,
            11,
            12,
            Some(ms(5))
        )
    );
    assert_eq!(client.request_timeout, Some(ms(13)));
    assert_eq!(ClientConfig::default().request_timeout, None, "no limit");
}

#[test]
fn a_server_built_with_setters_enforces_them() {
    silly::run(|| {
        let handler = |s: &mut http::Stream| {
            let body = s.read_all().unwrap_or_default();
            let _ = s.reply(200, &[], &body);
        };
        let config = Config::default()
            .limits(Limits::default().max_body_bytes(10))
            .timeouts(Timeouts::default().request_head(Some(Duration::from_secs(5))));
        let server = http::listen_with("127.0.0.1:0", config, handler).unwrap();
        let addr = server.local_addr();
        let small = util::raw_exchange(
            addr,
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789",
        );
        assert_eq!(util::status_of(&small), 200, "{small}");
        let large = util::raw_exchange(
            addr,
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n0123456789A",
        );
        assert_eq!(util::status_of(&large), 413, "{large}");
        server.close();
    });
}
