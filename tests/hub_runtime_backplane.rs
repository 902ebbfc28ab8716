//! `RuntimeBackplane` links the hubs of several runtimes (threads), each
//! with a subscriber socket on 127.0.0.1: what any runtime publishes
//! reaches every subscriber once (no echo), in each publisher's order; and
//! a runtime stalled by a blocking call misses batches instead of making
//! the others hold an unbounded backlog, within `max_queue_bytes`, counted.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use silly::net::http;
use silly::net::websocket::{
    self, Config, Hub, Message, RuntimeBackplane, RuntimeBackplaneConfig, Socket,
};
use silly::{time, Builder};

const TOPIC: &str = "t";

/// A server on this runtime whose sockets subscribe to `TOPIC` on `hub`,
/// and a client of it, returned once it is subscribed.
fn subscribed_client(hub: &Hub) -> (http::Server, Socket) {
    let server_hub = hub.clone();
    let server = http::listen("127.0.0.1:0", move |stream| {
        let Ok(sock) = websocket::upgrade(stream) else {
            return;
        };
        server_hub.subscribe(&sock, TOPIC).unwrap();
        while sock.read().is_ok() {}
    })
    .unwrap();
    let config = Config::default().read_timeout(Some(Duration::from_secs(10)));
    let client =
        websocket::connect_with(&format!("ws://{}/", server.local_addr()), &[], config).unwrap();
    let started = Instant::now();
    while hub.subscribers(TOPIC) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "never subscribed"
        );
        time::sleep(Duration::from_millis(1));
    }
    (server, client)
}

/// The next text message, as (publisher, number).
fn next(client: &Socket) -> (usize, usize) {
    match client.read_message() {
        Ok(Message::Text(text)) => {
            let (from, seq) = text.split_once(':').expect("from:seq");
            (from.parse().unwrap(), seq.parse().unwrap())
        }
        other => panic!("expected a message, got {other:?}"),
    }
}

#[test]
fn every_runtime_gets_every_publish_once_in_each_publishers_order() {
    const RUNTIMES: usize = 3;
    const TURNS: usize = 40;
    const PER_TURN: usize = 5;
    let backplane = RuntimeBackplane::new(RUNTIMES);
    let ready = Arc::new(Barrier::new(RUNTIMES));
    let done = Arc::new(Barrier::new(RUNTIMES));
    let stats = backplane.clone();
    Builder::new().threads(RUNTIMES).run_each(move || {
        let me = silly::runtime_index();
        let hub = Hub::new();
        backplane.attach(&hub).unwrap();
        let (server, client) = subscribed_client(&hub);
        // Every hub is attached and subscribed before anyone publishes.
        ready.wait();
        for turn in 0..TURNS {
            for k in 0..PER_TURN {
                hub.publish_text(TOPIC, &format!("{me}:{}", turn * PER_TURN + k))
                    .unwrap();
            }
            time::sleep(Duration::from_millis(1));
        }
        let mut expected = [0; RUNTIMES];
        for _ in 0..RUNTIMES * TURNS * PER_TURN {
            let (from, seq) = next(&client);
            assert_eq!(
                seq, expected[from],
                "runtime {me}: from {from}, out of order"
            );
            expected[from] += 1;
        }
        // Nothing more: no message came twice (or back around).
        let extra = time::timeout(Duration::from_millis(200), || client.read_message());
        assert!(extra.is_err(), "runtime {me}: an extra message {extra:?}");
        done.wait();
        server.close();
    });
    let stats = stats.stats();
    let messages = (RUNTIMES * TURNS * PER_TURN * (RUNTIMES - 1)) as u64;
    assert_eq!((stats.messages, stats.dropped_messages), (messages, 0));
    // One batch per runtime per turn at most: publishes of a turn crossed together.
    assert!(
        stats.batches <= (RUNTIMES * TURNS * (RUNTIMES - 1)) as u64,
        "{stats:?}"
    );
}

#[test]
fn a_stalled_runtime_misses_batches_within_the_bound() {
    const BOUND: usize = 16 * 1024;
    const MESSAGES: usize = 400;
    const PER_TURN: usize = 4;
    let config = RuntimeBackplaneConfig::default().max_queue_bytes(BOUND);
    let backplane = RuntimeBackplane::with_config(2, config).unwrap();
    let ready = Arc::new(Barrier::new(2));
    let stalled = Arc::new(Barrier::new(2));
    let stats = backplane.clone();
    Builder::new().threads(2).run_each(move || {
        let me = silly::runtime_index();
        let hub = Hub::new();
        backplane.attach(&hub).unwrap();
        let (server, client) = subscribed_client(&hub);
        ready.wait();
        let filler = "x".repeat(1024);
        if me == 0 {
            for seq in 0..MESSAGES {
                hub.publish_text(TOPIC, &format!("0:{seq}:{filler}"))
                    .unwrap();
                if seq % PER_TURN == PER_TURN - 1 {
                    time::sleep(Duration::from_millis(1));
                }
            }
            // Its own subscriber misses nothing.
            for want in 0..MESSAGES {
                let Ok(Message::Text(text)) = client.read_message() else {
                    panic!("runtime 0: message {want} missing");
                };
                assert!(text.starts_with(&format!("0:{want}:")));
            }
            stalled.wait();
        } else {
            // Runtime 1 blocks its thread until runtime 0 is done: its
            // inbox fills, and the rest is dropped, not queued.
            stalled.wait();
            let mut got = Vec::new();
            while let Ok(Ok(Message::Text(text))) =
                time::timeout(Duration::from_millis(500), || client.read_message())
            {
                let seq: usize = text.split(':').nth(1).unwrap().parse().unwrap();
                got.push(seq);
            }
            let stats = backplane.stats();
            println!("runtime 1 got {} of {MESSAGES}; {stats:?}", got.len());
            assert!(!got.is_empty(), "the batches that fitted before the stall");
            assert!(got.windows(2).all(|w| w[0] < w[1]), "order kept: {got:?}");
            assert!(stats.dropped_messages > 0, "{stats:?}");
            assert_eq!(got.len() as u64 + stats.dropped_messages, MESSAGES as u64);
            assert!(stats.max_queued_bytes <= BOUND, "{stats:?}");
        }
        server.close();
    });
    assert!(stats.stats().max_queued_bytes > 0);
}

#[test]
fn attaching_more_hubs_than_made_for_is_an_error() {
    let backplane = RuntimeBackplane::new(2);
    silly::run(move || {
        let hubs = [Hub::new(), Hub::new(), Hub::new()];
        assert!(backplane.attach(&hubs[0]).is_ok());
        assert!(backplane.attach(&hubs[1]).is_ok());
        let err = backplane.attach(&hubs[2]).unwrap_err();
        assert!(matches!(err, websocket::Error::BackplaneFull), "{err}");
    });
    let bad = RuntimeBackplaneConfig::default().max_queue_bytes(0);
    let err = RuntimeBackplane::with_config(2, bad).unwrap_err();
    assert!(matches!(err, websocket::Error::InvalidConfig(_)), "{err}");
}
