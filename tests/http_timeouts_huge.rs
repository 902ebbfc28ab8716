//! A huge timeout (`Duration::MAX`) means none, on the server and in the
//! client: nothing panics on a deadline past what `Instant` can hold.

use std::time::Duration;

use silly::net::http::{self, Client, ClientConfig, Config, Timeouts};
use silly::time;

#[test]
fn duration_max_everywhere_serves_and_requests() {
    silly::run(|| {
        let max = Some(Duration::MAX);
        let timeouts = Timeouts::default()
            .request_head(max)
            .keep_alive(max)
            .body_read(max)
            .write(max);
        let server = http::listen_with("127.0.0.1:0", Config::default().timeouts(timeouts), |s| {
            let body = s.read_all().unwrap();
            s.reply(200, &[], &body).unwrap();
        })
        .unwrap();
        let config = ClientConfig::default()
            .connect_timeout(max)
            .read_timeout(max)
            .request_timeout(max)
            .idle_timeout(max);
        let client = Client::new(config).unwrap();
        let url = format!("http://{}/", server.local_addr());
        // Twice: the second goes on the pooled connection (keep-alive, idle check).
        for body in [&b"first"[..], b"second"] {
            let reply = client.post(&url, &[], body).unwrap();
            assert_eq!((reply.status, &reply.body[..]), (200, body));
        }
        let reply = client
            .build_request("POST", &url)
            .body(b"third")
            .timeout(max)
            .deadline(time::deadline(max))
            .send()
            .unwrap();
        assert_eq!((reply.status, &reply.body[..]), (200, &b"third"[..]));
        server.close();
    });
}
