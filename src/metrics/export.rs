//! The Prometheus text of a [`Metrics`], encoded by `prometheus-client`, and
//! the HTTP handler that serves it.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use std::fmt;

use super::collect::{collect, Metrics};
use silly_net::http::Stream;
use silly_runtime::metrics::{CountsByCode, HistogramSnapshot};

/// The `Content-Type` of what [`render`] gives: the Prometheus text format,
/// version 0.0.4.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// A handler that answers with the metrics of every runtime ([`render`]),
/// for `http::listen` or a route at `/metrics`. Making it turns timing on
/// ([`enable`](silly_runtime::metrics::enable)): the histograms fill from
/// then on.
///
/// `GET` and `HEAD` get 200 with the text; other methods 405.
///
/// ```
/// use silly::net::http;
///
/// silly::run(|| {
///     let server = http::listen("127.0.0.1:0", silly::metrics::handler()).unwrap();
///     let url = format!("http://{}/metrics", server.local_addr());
///     let response = http::get(&url).unwrap();
///     assert_eq!(response.status, 200);
///     let text = String::from_utf8(response.body).unwrap();
///     assert!(text.contains("# TYPE silly_http_responses_total counter"));
///     server.close();
/// });
/// ```
pub fn handler() -> impl Fn(&mut Stream) + 'static {
    silly_runtime::metrics::enable();
    |s: &mut Stream| {
        if !matches!(s.method(), "GET" | "HEAD") {
            let _ = s.reply(405, &[("Allow", "GET, HEAD")], b"");
            return;
        }
        let text = render();
        let _ = s.reply(200, &[("Content-Type", CONTENT_TYPE)], text.as_bytes());
    }
}

/// The metrics of every runtime ([`collect`]), as Prometheus text.
///
/// # Panics
///
/// Panics outside a coroutine.
///
/// # Interrupts
///
/// Whole, as [`collect`].
pub fn render() -> String {
    encode(&collect())
}

/// `metrics` as Prometheus text (format version 0.0.4).
pub fn encode(metrics: &Metrics) -> String {
    let mut registry = Registry::with_prefix("silly");
    registry.register_collector(Box::new(Exported(metrics.clone())));
    let mut text = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut text, &registry)
        .expect("writing to a String does not fail");
    text
}

/// A [`Metrics`] as a collector: the values are already summed, so they are
/// encoded as constants, with no metric objects (and no atomics) made.
#[derive(Debug)]
struct Exported(Metrics);

impl Collector for Exported {
    fn encode(&self, mut out: DescriptorEncoder<'_>) -> fmt::Result {
        let m = &self.0;
        let (rt, net, ws, redis) = (&m.runtime, &m.net, &m.websocket, &m.redis);
        let gauges: [(&str, &str, i64); 9] = [
            ("runtimes", "Runtimes summed here.", rt.runtimes as i64),
            (
                "runtime_coroutines",
                "Live coroutines (the scrape's own included).",
                rt.coroutines as i64,
            ),
            (
                "runtime_ready_coroutines",
                "Coroutines in the ready queues.",
                rt.ready_coroutines as i64,
            ),
            (
                "runtime_blocking_calls",
                "spawn_blocking calls not yet returned.",
                rt.blocking_calls as i64,
            ),
            (
                "runtime_blocking_queue",
                "Jobs waiting for a thread of the default blocking pool.",
                m.blocking_queue as i64,
            ),
            (
                "net_connections_open",
                "Accepted connections whose handler runs.",
                net.connections_open,
            ),
            (
                "websocket_sockets_open",
                "WebSocket sockets not yet dropped.",
                ws.sockets_open,
            ),
            (
                "hub_topics",
                "Topics with a subscriber, over every live hub.",
                ws.hub_topics as i64,
            ),
            (
                "hub_subscribers",
                "Sockets subscribed, over every live hub.",
                ws.hub_subscribers as i64,
            ),
        ];
        for (name, help, value) in gauges {
            let metric = out.encode_descriptor(name, help, None, MetricType::Gauge)?;
            ConstGauge::new(value).encode(metric)?;
        }
        let counters: [(&str, &str, u64); 16] = [
            ("redis_pool_gets", "Redis pool checkouts.", redis.pool_gets),
            (
                "redis_pool_waits",
                "Redis pool checkouts that waited for a connection.",
                redis.pool_waits,
            ),
            (
                "net_connections_accepted",
                "Connections accepted.",
                net.connections_accepted,
            ),
            (
                "net_connections_refused",
                "Connections not taken (accept failed).",
                net.connections_refused,
            ),
            (
                "net_read_bytes",
                "Bytes read from TCP sockets.",
                net.bytes_read,
            ),
            (
                "net_written_bytes",
                "Bytes written to TCP sockets.",
                net.bytes_written,
            ),
            (
                "websocket_messages_received",
                "WebSocket text and binary messages read.",
                ws.messages_received,
            ),
            (
                "websocket_received_bytes",
                "Payload bytes of the WebSocket messages read.",
                ws.bytes_received,
            ),
            (
                "websocket_messages_sent",
                "WebSocket text and binary messages sent by Socket::write.",
                ws.messages_sent,
            ),
            (
                "websocket_sent_bytes",
                "Payload bytes of the WebSocket messages sent.",
                ws.bytes_sent,
            ),
            (
                "hub_published",
                "Messages published to hubs.",
                ws.hub_published,
            ),
            ("hub_frames", "Frames hubs wrote to sockets.", ws.hub_frames),
            (
                "hub_dropped_messages",
                "Messages hubs dropped for slow subscribers.",
                ws.hub_dropped_messages,
            ),
            (
                "hub_dropped_clients",
                "Subscribers hubs dropped as too slow.",
                ws.hub_dropped_clients,
            ),
            ("redis_commands", "Redis commands sent.", redis.commands),
            (
                "redis_backplane_dropped",
                "Messages the Redis hub backplane dropped.",
                redis.backplane_dropped,
            ),
        ];
        for (name, help, value) in counters {
            let metric = out.encode_descriptor(name, help, None, MetricType::Counter)?;
            ConstCounter::new(value).encode(metric)?;
        }
        by_code(
            &mut out,
            "http_responses",
            "HTTP server responses by status code.",
            &net.http_responses,
        )?;
        by_code(
            &mut out,
            "websocket_close_sent",
            "WebSocket close frames sent, by code (1005: none given).",
            &ws.close_sent,
        )?;
        by_code(
            &mut out,
            "websocket_close_received",
            "WebSocket close frames received, by code (1005: none given).",
            &ws.close_received,
        )?;
        histogram(
            &mut out,
            "runtime_loop_turn_seconds",
            "How long each loop turn kept its thread busy, poll to poll.",
            &rt.loop_turns,
        )?;
        histogram(
            &mut out,
            "http_request_duration_seconds",
            "HTTP request latency, from the loop turn that read its head to the end of the turn that answered it.",
            &net.http_request_duration,
        )
    }
}

/// A counter with a `code` label per value; code 0 is `other`.
fn by_code(
    out: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    counts: &CountsByCode,
) -> fmt::Result {
    let mut metric = out.encode_descriptor(name, help, None, MetricType::Counter)?;
    for &(code, n) in counts {
        let code = if code == 0 {
            "other".to_owned()
        } else {
            code.to_string()
        };
        let labels = [("code", code)];
        ConstCounter::new(n).encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

fn histogram(
    out: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    h: &HistogramSnapshot,
) -> fmt::Result {
    let mut metric = out.encode_descriptor(name, help, None, MetricType::Histogram)?;
    metric.encode_histogram::<NoLabelSet>(h.sum, h.count, &h.cumulative(), None)
}
