//! `silly::metrics::handler()` on a server of three runtimes: HTTP requests
//! and WebSocket messages sent to each runtime's server, then one scrape
//! read by Prometheus' own text parser (Python `prometheus_client`,
//! tests/peers/metrics_scrape.py), shows the sum of all three, exactly.

mod util;

use std::cell::Cell;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use silly::net::http;
use silly::net::websocket::{self, FrameType, Hub, Message};
use silly::sync::remote;
use silly::{runtime_index, Builder};

/// What the client does against one runtime's server (see the script).
#[derive(Clone, Copy)]
struct Plan {
    ok: u64,
    missing: u64,
    text: u64,
    binary: u64,
    open: u64,
    closed: u64,
}

const PLANS: [Plan; 3] = [
    Plan {
        ok: 3,
        missing: 1,
        text: 2,
        binary: 1,
        open: 1,
        closed: 1,
    },
    Plan {
        ok: 1,
        missing: 2,
        text: 3,
        binary: 2,
        open: 2,
        closed: 0,
    },
    Plan {
        ok: 2,
        missing: 0,
        text: 1,
        binary: 3,
        open: 0,
        closed: 2,
    },
];

/// The server of one runtime: `/` 200, `/ws` a WebSocket whose text comes
/// back by `Socket::write` and binary through a hub, `/metrics`, else 404.
fn serve(stop: remote::Receiver<()>, addrs: &Mutex<Vec<Option<SocketAddr>>>) {
    let hub = Hub::new();
    let metrics = silly::metrics::handler();
    let next = Cell::new(0u64);
    let server = http::listen("127.0.0.1:0", move |s| match s.path() {
        "/" => {
            let _ = s.reply(200, &[], b"ok");
        }
        "/metrics" => metrics(s),
        "/ws" => {
            let Ok(sock) = websocket::upgrade(s) else {
                return;
            };
            let topic = format!("socket-{}", next.replace(next.get() + 1));
            hub.subscribe(&sock, &topic).unwrap();
            loop {
                match sock.read_message() {
                    Ok(Message::Text(text)) => {
                        if sock.write(text.as_bytes(), FrameType::Text).is_err() {
                            return;
                        }
                    }
                    Ok(Message::Binary(data)) => {
                        hub.publish_binary(&topic, &data).unwrap();
                    }
                    Ok(Message::Close(_)) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        }
        _ => {
            let _ = s.reply(404, &[], b"no");
        }
    })
    .unwrap();
    addrs.lock().unwrap()[runtime_index()] = Some(server.local_addr());
    let _ = stop.recv();
    server.close();
}

#[test]
fn prometheus_parses_the_sum_of_every_runtime() {
    let runtimes = PLANS.len();
    let addrs = Arc::new(Mutex::new(vec![None; runtimes]));
    let (stops, receivers): (Vec<_>, Vec<_>) = (0..runtimes).map(|_| remote::channel()).unzip();
    let receivers = Arc::new(Mutex::new(
        receivers.into_iter().map(Some).collect::<Vec<_>>(),
    ));
    let (a, r) = (addrs.clone(), receivers.clone());
    let servers = std::thread::spawn(move || {
        Builder::new().threads(runtimes).run_each(move || {
            let stop = r.lock().unwrap()[runtime_index()].take().unwrap();
            serve(stop, &a);
        })
    });
    let started = Instant::now();
    let addrs: Vec<SocketAddr> = loop {
        if let Some(all) = addrs.lock().unwrap().iter().copied().collect() {
            break all;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "servers start");
        std::thread::sleep(Duration::from_millis(10));
    };

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/metrics_scrape.py");
    let mut command = Command::new("timeout");
    command
        .args(["120", "python3", script])
        .arg(format!("http://{}/metrics", addrs[0]));
    for (addr, p) in addrs.iter().zip(PLANS) {
        command.arg(format!(
            "{addr},{},{},{},{},{},{}",
            p.ok, p.missing, p.text, p.binary, p.open, p.closed
        ));
    }
    let out = command
        .output()
        .expect("python3 with websockets and prometheus_client (.ci/deps)");
    for stop in &stops {
        let _ = stop.send(());
    }
    servers.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    let scrapes = report["scrapes"].as_u64().unwrap();
    let samples = &report["samples"];
    let get = |key: &str| -> u64 {
        let value = samples[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} missing in {samples}"));
        value as u64
    };

    let sum = |f: fn(&Plan) -> u64| PLANS.iter().map(f).sum::<u64>();
    // Per socket: text messages of 1..=text bytes, binary of 2, 4, .. 2*binary.
    let sockets = |p: &Plan| p.open + p.closed;
    let text_bytes = |p: &Plan| sockets(p) * p.text * (p.text + 1) / 2;
    let binary_bytes = |p: &Plan| sockets(p) * p.binary * (p.binary + 1);
    let open = sum(|p| p.open);
    let closed = sum(|p| p.closed);
    let texts = sum(|p| (p.open + p.closed) * p.text);
    let binaries = sum(|p| (p.open + p.closed) * p.binary);
    let text_bytes: u64 = PLANS.iter().map(text_bytes).sum();
    let binary_bytes: u64 = PLANS.iter().map(binary_bytes).sum();

    assert_eq!(get("silly_runtimes{}"), runtimes as u64);
    // Earlier scrapes (waiting for closed sockets to be dropped) are 200s too.
    assert_eq!(
        get("silly_http_responses_total{code=200}"),
        sum(|p| p.ok) + scrapes - 1
    );
    assert_eq!(
        get("silly_http_responses_total{code=404}"),
        sum(|p| p.missing)
    );
    assert_eq!(get("silly_http_responses_total{code=101}"), open + closed);
    // Latency is timed once the handler is made (before any request): one
    // per finished request; an upgraded one finishes with its socket.
    assert_eq!(
        get("silly_http_request_duration_seconds_count{}"),
        sum(|p| p.ok + p.missing) + closed + scrapes - 1
    );
    assert!(get("silly_runtime_loop_turn_seconds_count{}") > 0);
    assert_eq!(get("silly_websocket_sockets_open{}"), open);
    assert_eq!(
        get("silly_net_connections_open{}"),
        open + 1,
        "and the scrape's"
    );
    assert_eq!(
        get("silly_net_connections_accepted_total{}"),
        sum(|p| p.ok + p.missing) + open + closed + scrapes,
        "a connection per request (urllib closes them) and per scrape"
    );
    assert_eq!(
        get("silly_websocket_messages_received_total{}"),
        texts + binaries
    );
    assert_eq!(
        get("silly_websocket_received_bytes_total{}"),
        text_bytes + binary_bytes
    );
    assert_eq!(get("silly_websocket_messages_sent_total{}"), texts);
    assert_eq!(get("silly_websocket_sent_bytes_total{}"), text_bytes);
    assert_eq!(
        get("silly_websocket_close_received_total{code=4001}"),
        closed
    );
    assert_eq!(
        get("silly_websocket_close_sent_total{code=4001}"),
        closed,
        "echoed"
    );
    assert_eq!(get("silly_hub_published_total{}"), binaries);
    assert_eq!(get("silly_hub_frames_total{}"), binaries);
    assert_eq!(get("silly_hub_topics{}"), open, "one topic per open socket");
    assert_eq!(get("silly_hub_subscribers{}"), open);
    assert!(get("silly_net_read_bytes_total{}") > text_bytes + binary_bytes);
    assert!(get("silly_net_written_bytes_total{}") > text_bytes + binary_bytes);
}
