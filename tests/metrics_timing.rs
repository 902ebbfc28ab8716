//! The histograms of `silly::metrics` read no clock until timing is on:
//! requests before `enable` are counted by status but not timed; after it,
//! each is timed once, and the loop's turns are timed too.

use silly::metrics;
use silly::net::http;

fn get(url: &str, times: u64) {
    for _ in 0..times {
        assert_eq!(http::get(url).unwrap().status, 200);
    }
}

#[test]
fn histograms_fill_only_once_enabled() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| {
            let _ = s.reply(200, &[], b"ok");
        })
        .unwrap();
        let url = format!("http://{}/", server.local_addr());
        assert!(!metrics::is_enabled());
        get(&url, 3);
        let off = metrics::collect();
        assert_eq!(off.net.http_responses.get(200), 3);
        assert_eq!(off.net.http_request_duration.count, 0);
        assert_eq!(off.runtime.loop_turns.count, 0);

        let _handler = metrics::handler(); // made: timing is on
        assert!(metrics::is_enabled());
        get(&url, 4);
        let on = metrics::collect();
        assert_eq!(on.net.http_responses.get(200), 7);
        // The client's requests go through the same runtime, one at a time:
        // each request timed once, when its handler is done.
        assert_eq!(on.net.http_request_duration.count, 4);
        assert!(on.net.http_request_duration.sum > 0.0);
        assert!(on.runtime.loop_turns.count > 0);
        server.close();
    });
}
