//! The WebSocket topic hub through real sockets: fan-out in order,
//! corking, unsubscribing, ends, slow subscribers under both policies, a
//! burst, frame atomicity beside the socket's own writes, compression, and
//! bad input.

mod util;

use std::cell::{Cell, RefCell};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use silly::net::http::{self, Server};
use silly::net::websocket::{
    self, code, Backplane, Compression, Config, Error, FrameType, Hub, HubConfig, Message,
    SlowPolicy, Socket,
};
use silly::{task, time};
use util::ws::{open_raw_with, read_frame};

/// A server whose clients subscribe to the topics in their path
/// (`/a,b`), then read until they leave. `on_sock` runs with each socket
/// once subscribed (in its own coroutine).
fn hub_server(hub: &Hub, config: Config, on_sock: impl Fn(Socket) + 'static) -> Server {
    let hub = hub.clone();
    let on_sock = Rc::new(on_sock);
    http::listen("127.0.0.1:0", move |stream| {
        let topics: Vec<String> = stream.path()[1..].split(',').map(str::to_owned).collect();
        let Ok(sock) = websocket::upgrade_with(stream, config.clone()) else {
            return;
        };
        for topic in &topics {
            hub.subscribe(&sock, topic).unwrap();
        }
        let (f, s) = (on_sock.clone(), sock.clone());
        task::fork(move || f(s));
        while let Ok(message) = sock.read_message() {
            if let Message::Close(_) = message {
                break;
            }
        }
    })
    .unwrap()
}

fn url(addr: SocketAddr, topics: &str) -> String {
    format!("ws://{addr}/{topics}")
}

/// Waits (a bounded number of turns) until `topic` has `n` subscribers.
fn await_subscribers(hub: &Hub, topic: &str, n: usize) {
    for _ in 0..10_000 {
        if hub.subscribers(topic) == n {
            return;
        }
        time::sleep(Duration::from_millis(1));
    }
    panic!("{topic}: {} subscribers, not {n}", hub.subscribers(topic));
}

fn read_text(sock: &Socket) -> String {
    match sock.read_message() {
        Ok(Message::Text(text)) => text,
        other => panic!("expected text, got {other:?}"),
    }
}

#[test]
fn every_subscriber_gets_every_message_in_order_corked() {
    silly::run(|| {
        let hub = Hub::new();
        let server = hub_server(&hub, Config::default(), |_| {});
        let clients: Vec<_> = (0..20)
            .map(|_| websocket::connect(&url(server.local_addr(), "news"), &[]).unwrap())
            .collect();
        await_subscribers(&hub, "news", 20);
        let before = hub.stats();
        // Ten messages in one turn: one `writev` per subscriber.
        for i in 0..10 {
            assert_eq!(hub.publish_text("news", &format!("m{i}")).unwrap(), 20);
        }
        for sock in &clients {
            for i in 0..10 {
                assert_eq!(read_text(sock), format!("m{i}"));
            }
        }
        let stats = hub.stats();
        assert_eq!(stats.frames - before.frames, 200);
        assert!(
            stats.writes - before.writes <= 20,
            "{} writes for 200 frames",
            stats.writes - before.writes
        );
        assert_eq!(hub.publish_text("nobody", "x").unwrap(), 0);
        server.close();
    });
}

#[test]
fn unsubscribe_stops_one_topic_and_closing_removes_the_subscriber() {
    silly::run(|| {
        let hub = Hub::new();
        let socks: Rc<RefCell<Vec<Socket>>> = Rc::default();
        let kept = socks.clone();
        let server = hub_server(&hub, Config::default(), move |s| kept.borrow_mut().push(s));
        let client = websocket::connect(&url(server.local_addr(), "a,b"), &[]).unwrap();
        await_subscribers(&hub, "b", 1);
        let sock = socks.borrow()[0].clone();
        assert!(hub.unsubscribe(&sock, "a"));
        assert!(!hub.unsubscribe(&sock, "a"));
        assert!(!hub.subscribe(&sock, "b").unwrap(), "already subscribed");
        hub.publish_text("a", "not for you").unwrap();
        hub.publish_text("b", "for you").unwrap();
        assert_eq!(read_text(&client), "for you");
        // The server's coroutine for this client, the hub's flusher.
        let tasks = silly::stats().live_tasks;
        assert_eq!(hub.stats().topics, 1);

        client.close().unwrap();
        drop(sock);
        socks.borrow_mut().clear();
        await_subscribers(&hub, "b", 0);
        let stats = hub.stats();
        assert_eq!((stats.subscribers, stats.topics), (0, 0));
        for _ in 0..100 {
            task::yield_now();
        }
        assert_eq!(
            silly::stats().live_tasks,
            tasks - 1,
            "the client's coroutine ended, and no writer is left"
        );
        server.close();
    });
}

/// Publishes `size`-byte messages a turn apart until `done` or `limit`;
/// returns how many.
fn publish_until(hub: &Hub, size: usize, limit: usize, done: impl Fn() -> bool) -> usize {
    let line = "s".repeat(size);
    let mut sent = 0;
    while !done() && sent < limit {
        hub.publish_text("t", &line).unwrap();
        sent += 1;
        time::sleep(Duration::from_millis(1));
    }
    sent
}

/// A raw client that reads nothing until told, with a small receive buffer.
fn stuck_client(addr: SocketAddr) -> silly::net::tcp::TcpStream {
    let (conn, _) = open_raw_with(addr, "/t", "").unwrap();
    socket2::SockRef::from(&conn)
        .set_recv_buffer_size(4096)
        .unwrap();
    conn
}

/// Shrinks the server side's send buffer, so a stuck client fills it soon.
fn small_send_buffer(sock: &Socket) {
    socket2::SockRef::from(sock.conn())
        .set_send_buffer_size(4096)
        .unwrap();
}

#[test]
fn a_slow_subscriber_is_dropped_with_1008_and_delays_nobody() {
    silly::run(|| {
        let hub = Hub::new();
        let socks: Rc<RefCell<Vec<Socket>>> = Rc::default();
        let kept = socks.clone();
        let server = hub_server(&hub, Config::default(), move |s| {
            small_send_buffer(&s);
            kept.borrow_mut().push(s);
        });
        let fast = websocket::connect(&url(server.local_addr(), "t"), &[]).unwrap();
        let slow = stuck_client(server.local_addr());
        await_subscribers(&hub, "t", 2);
        // on_drop names the slow one's connection, through the hub's handle.
        let named = Rc::new(RefCell::new(Vec::new()));
        let (names, kept) = (named.clone(), socks.clone());
        hub.on_drop(move |dropped| {
            let ours = kept.borrow();
            let mine = ours.iter().filter(|s| s.same_connection(dropped));
            names
                .borrow_mut()
                .extend(mine.map(|s| s.conn().peer_addr().unwrap()));
        });
        let got = Rc::new(Cell::new(0usize));
        let counter = got.clone();
        task::fork(move || {
            while let Ok(Message::Text(_)) = fast.read_message() {
                counter.set(counter.get() + 1);
            }
        });
        let h = hub.clone();
        let sent = publish_until(&hub, 16 * 1024, 5_000, move || {
            h.stats().dropped_clients > 0
        });
        assert_eq!(hub.stats().dropped_clients, 1, "dropped after {sent}");
        assert_eq!(hub.subscribers("t"), 1, "the fast one stays");
        assert_eq!(*named.borrow(), [slow.local_addr().unwrap()]);
        hub.publish_text("t", "last").unwrap();
        while got.get() < sent + 1 {
            time::sleep(Duration::from_millis(1));
        }
        // The slow one reads whole frames, then the close with 1008.
        let mut frames = 0;
        let close = loop {
            let (fin, opcode, payload, _) = read_frame(&slow).expect("a close frame comes");
            assert!(fin);
            match opcode {
                1 => frames += 1,
                8 => break payload,
                other => panic!("opcode {other}"),
            }
        };
        assert_eq!(
            u16::from_be_bytes([close[0], close[1]]),
            code::POLICY_VIOLATION
        );
        assert!(frames < sent, "{frames} of {sent}");
        server.close();
    });
}

#[test]
fn drop_messages_counts_and_keeps_the_subscriber_and_whole_frames() {
    silly::run(|| {
        let config = HubConfig::default()
            .max_queue(4)
            .slow(SlowPolicy::DropMessages);
        let hub = Hub::with_config(config).unwrap();
        let server = hub_server(&hub, Config::default(), |s| small_send_buffer(&s));
        let slow = stuck_client(server.local_addr());
        await_subscribers(&hub, "t", 1);
        let h = hub.clone();
        let sent = publish_until(&hub, 8 * 1024, 5_000, move || {
            h.stats().dropped_messages > 20
        });
        let stats = hub.stats();
        assert!(stats.dropped_messages > 20, "{stats:?}");
        assert_eq!((stats.dropped_clients, hub.subscribers("t")), (0, 1));
        hub.publish_text("t", "end").unwrap();
        let mut frames = 0;
        loop {
            let (fin, opcode, payload, _) = read_frame(&slow).expect("frames");
            assert!(fin && opcode == 1);
            frames += 1;
            if payload == b"end" {
                break;
            }
            assert_eq!(payload.len(), 8 * 1024);
        }
        assert_eq!(
            frames as u64 + hub.stats().dropped_messages,
            sent as u64 + 1
        );
        server.close();
    });
}

#[test]
fn a_burst_of_a_thousand_drops_nobody() {
    const N: usize = 1000;
    silly::run(|| {
        let hub = Hub::new();
        let h = hub.clone();
        let server = http::listen("127.0.0.1:0", move |stream| {
            let Ok(sock) = websocket::upgrade(stream) else {
                return;
            };
            h.subscribe(&sock, "room").unwrap();
            while let Ok(Message::Text(text)) = sock.read_message() {
                h.publish_text("room", &text).unwrap();
            }
        })
        .unwrap();
        let addr = server.local_addr();
        let clients: Vec<_> = (0..N)
            .map(|_| websocket::connect(&url(addr, ""), &[]).unwrap())
            .collect();
        await_subscribers(&hub, "room", N);
        // Everyone says hello at once: N * N deliveries in a few turns.
        for (i, sock) in clients.iter().enumerate() {
            sock.write(format!("hello {i}").as_bytes(), FrameType::Text)
                .unwrap();
        }
        let readers: Vec<_> = clients
            .iter()
            .map(|sock| {
                let sock = sock.clone();
                task::fork(move || (0..N).filter(|_| !read_text(&sock).is_empty()).count())
            })
            .collect();
        for reader in readers {
            assert_eq!(reader.join().unwrap(), N);
        }
        let stats = hub.stats();
        assert_eq!((stats.dropped_clients, stats.subscribers), (0, N));
        assert!(stats.writes < stats.frames, "{stats:?}");
        server.close();
    });
}

#[test]
fn hub_frames_stay_whole_beside_pings_and_the_sockets_own_writes() {
    silly::run(|| {
        // Bounds that keep a slow test client subscribed: this is about the
        // wire, not about slowness.
        let hub = Hub::with_config(HubConfig::default().max_queue(100_000)).unwrap();
        let server_sock: Rc<RefCell<Option<Socket>>> = Rc::default();
        let slot = server_sock.clone();
        let server = hub_server(&hub, Config::default(), move |s| {
            small_send_buffer(&s);
            *slot.borrow_mut() = Some(s);
        });
        let client = websocket::connect(&url(server.local_addr(), "t"), &[]).unwrap();
        await_subscribers(&hub, "t", 1);
        let sock = server_sock.borrow().clone().unwrap();
        const HUB: usize = 200;
        const OWN: usize = 50;
        // The socket's own writer, at the same time as the hub's.
        let own = task::fork(move || {
            for i in 0..OWN {
                sock.write(format!("own {i}").as_bytes(), FrameType::Text)
                    .unwrap();
                time::sleep(Duration::from_micros(300));
            }
        });
        let pinger = client.clone();
        let pings = task::fork(move || {
            for i in 0..30u8 {
                pinger.write(&[i], FrameType::Ping).unwrap();
                time::sleep(Duration::from_micros(700));
            }
        });
        let publisher = hub.clone();
        let publish = task::fork(move || {
            for i in 0..HUB {
                let mut data = vec![(i % 251) as u8; 20_000 + i];
                data[0] = 0xFF;
                publisher.publish_binary("t", &data).unwrap();
                if i % 7 == 0 {
                    time::sleep(Duration::from_micros(200));
                }
            }
        });
        // Pings that queue behind a busy writer get one pong, for the latest
        // (RFC 6455, section 5.5.3): pongs come in order, the last one last.
        let (mut hub_seen, mut own_seen, mut last_pong) = (0, 0, None);
        while hub_seen < HUB || own_seen < OWN || last_pong != Some(29) {
            match client.read_message().unwrap() {
                Message::Binary(data) => {
                    assert_eq!(data.len(), 20_000 + hub_seen);
                    assert!(data[1..].iter().all(|&b| b == (hub_seen % 251) as u8));
                    hub_seen += 1;
                }
                Message::Text(text) => {
                    assert_eq!(text, format!("own {own_seen}"));
                    own_seen += 1;
                }
                Message::Pong(payload) => {
                    assert_eq!(payload.len(), 1);
                    assert!(
                        last_pong < Some(payload[0]),
                        "{last_pong:?} then {payload:?}"
                    );
                    last_pong = Some(payload[0]);
                }
                other => panic!("{other:?}"),
            }
        }
        own.join().unwrap();
        pings.join().unwrap();
        publish.join().unwrap();
        client.close().unwrap();
        server.close();
    });
}

#[test]
fn compressing_and_plain_subscribers_share_a_topic() {
    silly::run(|| {
        let hub = Hub::new();
        let config = Config::default().compression(Some(Compression::shared()));
        let server = hub_server(&hub, config.clone(), |_| {});
        let addr = server.local_addr();
        let zipped = websocket::connect_with(&url(addr, "t"), &[], config).unwrap();
        let plain = websocket::connect(&url(addr, "t"), &[]).unwrap();
        let (raw, head) = open_raw_with(
            addr,
            "/t",
            "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n",
        )
        .unwrap();
        assert!(head.contains("permessage-deflate"), "{head}");
        assert!(zipped.is_compressed() && !plain.is_compressed());
        await_subscribers(&hub, "t", 3);
        let text = "{\"kind\":\"message\",\"text\":\"hello hello hello\"}".repeat(20);
        hub.publish_text("t", &text).unwrap();
        hub.publish_text("t", "ok").unwrap();
        for sock in [&zipped, &plain] {
            assert_eq!(read_text(sock), text);
            assert_eq!(read_text(sock), "ok");
        }
        let (_, _, payload, header) = read_frame(&raw).unwrap();
        assert_eq!(header[0] & 0x40, 0x40, "RSV1: compressed");
        assert!(payload.len() < text.len() / 4);
        let mut out = Vec::with_capacity(text.len() + 64);
        let mut inflate = flate2::Decompress::new(false);
        let mut input = payload.clone();
        input.extend_from_slice(&[0, 0, 0xff, 0xff]);
        inflate
            .decompress_vec(&input, &mut out, flate2::FlushDecompress::Sync)
            .unwrap();
        assert_eq!(out, text.as_bytes());
        server.close();
    });
}

/// Links hubs as a backplane would: what one publishes, the others deliver.
struct Link(RefCell<Vec<Hub>>, Cell<usize>);

impl Backplane for Link {
    fn publish(&self, topic: &str, data: &[u8], kind: FrameType) {
        self.1.set(self.1.get() + 1);
        for hub in self.0.borrow().iter() {
            hub.deliver(topic, data, kind).unwrap();
        }
    }
}

#[test]
fn a_backplane_carries_publishes_to_other_hubs_without_echo() {
    silly::run(|| {
        let (a, b) = (Hub::new(), Hub::new());
        let link = Rc::new(Link(RefCell::new(vec![b.clone()]), Cell::new(0)));
        a.set_backplane(link.clone());
        let server_a = hub_server(&a, Config::default(), |_| {});
        let server_b = hub_server(&b, Config::default(), |_| {});
        let on_a = websocket::connect(&url(server_a.local_addr(), "t"), &[]).unwrap();
        let on_b = websocket::connect(&url(server_b.local_addr(), "t"), &[]).unwrap();
        await_subscribers(&a, "t", 1);
        await_subscribers(&b, "t", 1);
        for i in 0..5 {
            a.publish_text("t", &i.to_string()).unwrap();
        }
        for i in 0..5 {
            assert_eq!(read_text(&on_a), i.to_string());
            assert_eq!(read_text(&on_b), i.to_string());
        }
        assert_eq!(link.1.get(), 5, "once per publish, not per subscriber");
        server_a.close();
        server_b.close();
    });
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    silly::run(|| {
        let hub = Hub::new();
        assert!(matches!(
            hub.publish("t", b"x", FrameType::Ping),
            Err(Error::InvalidFrameType)
        ));
        assert!(matches!(
            hub.publish("t", &[0xff, 0xfe], FrameType::Text),
            Err(Error::InvalidUtf8)
        ));
        assert!(hub.publish("", &[0xff], FrameType::Binary).is_ok());
        assert!(matches!(
            Hub::with_config(HubConfig::default().max_queue(0)),
            Err(Error::InvalidConfig(_))
        ));
        assert!(matches!(
            Hub::with_config(HubConfig::default().max_queue_bytes(0)),
            Err(Error::InvalidConfig(_))
        ));
        let server = util::ws::echo_server();
        let client = websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap();
        assert!(matches!(
            hub.subscribe(&client, "t"),
            Err(Error::ClientSocket)
        ));
        server.close();
    });
}
