//! `silly::metrics::handler()` answers GET with the Prometheus text and its
//! content type, HEAD with the head only, other methods 405 with `Allow`.

use silly::metrics;
use silly::net::http;

#[test]
fn get_and_head_are_answered_other_methods_refused() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", metrics::handler()).unwrap();
        let url = format!("http://{}/metrics", server.local_addr());

        let got = http::get(&url).unwrap();
        assert_eq!(got.status, 200);
        assert_eq!(got.header("content-type"), Some(metrics::CONTENT_TYPE));
        assert!(metrics::CONTENT_TYPE.starts_with("text/plain; version=0.0.4"));
        let text = String::from_utf8(got.body).unwrap();
        assert!(
            text.contains("\n# TYPE silly_runtimes gauge\nsilly_runtimes 1\n"),
            "{text}"
        );
        assert!(text.ends_with('\n'));

        let head = http::request("HEAD", &url, &[], b"").unwrap();
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty());

        let post = http::post(&url, &[], b"x").unwrap();
        assert_eq!(post.status, 405);
        assert_eq!(post.header("allow"), Some("GET, HEAD"));
        // The refused POST is counted with its status like any response.
        assert_eq!(metrics::collect().net.http_responses.get(405), 1);
        server.close();
    });
}
