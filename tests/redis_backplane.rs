//! Two hubs on two runtimes joined by `silly::redis::HubBackplane` through a
//! real redis-server: exactly once, in each sender's order, no echo; and
//! Redis killed and restarted mid-run: local delivery never stops, the
//! other node's is dropped and counted meanwhile, and resumes by itself.

mod util;

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use silly::net::http::{self, Server};
use silly::net::websocket::{self, Hub, Message, Socket};
use silly::redis::{BackplaneConfig, Config, HubBackplane};
use silly::{task, time};
use util::redis::RedisServer;

const TOPIC: &str = "room";
/// Longest any one wait of these tests may take.
const WAIT: Duration = Duration::from_secs(10);

/// A hub on this runtime with a Redis backplane, a server whose clients
/// subscribe to [`TOPIC`], and one client of it, subscribed.
struct Node {
    hub: Hub,
    backplane: Rc<HubBackplane>,
    client: Rc<Socket>,
    _server: Server,
}

impl Node {
    fn start(url: &str) -> Node {
        let hub = Hub::new();
        let redis = Config::from_url(url)
            .unwrap()
            .backoff_min(Duration::from_millis(20))
            .backoff_max(Duration::from_millis(200));
        let backplane = HubBackplane::attach(&hub, redis, BackplaneConfig::default()).unwrap();
        let server_hub = hub.clone();
        let server = http::listen("127.0.0.1:0", move |stream| {
            let Ok(sock) = websocket::upgrade(stream) else {
                return;
            };
            server_hub.subscribe(&sock, TOPIC).unwrap();
            while let Ok(message) = sock.read_message() {
                if let Message::Close(_) = message {
                    break;
                }
            }
        })
        .unwrap();
        let client =
            Rc::new(websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap());
        let deadline = Instant::now() + WAIT;
        while hub.subscribers(TOPIC) != 1 {
            assert!(Instant::now() < deadline, "the client never subscribed");
            time::sleep(Duration::from_millis(1));
        }
        Node {
            hub,
            backplane,
            client,
            _server: server,
        }
    }
}

fn text(message: Message) -> String {
    match message {
        Message::Text(text) => text.to_string(),
        other => panic!("unexpected {other:?}"),
    }
}

/// Each node's client gets its own node's messages and the other's, each
/// exactly once and in the order sent.
#[test]
fn two_nodes_deliver_exactly_once_in_order_without_echo() {
    const N: usize = 300;
    let redis = RedisServer::start();
    let url = redis.url();
    // heard[i]: node i's client has heard the other node's probe, so node
    // i's subscription is in effect and the other may start.
    let heard: Arc<[AtomicBool; 2]> = Arc::default();
    silly::Builder::new().threads(2).run_each(move || {
        let me = silly::runtime_index();
        let peer = 1 - me;
        let node = Node::start(&url);
        let heard = heard.clone();

        let reader = {
            let (client, heard) = (node.client.clone(), heard.clone());
            task::fork(move || {
                let mut got: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
                let mut ends = [0; 2];
                let probe = format!("probe-{peer}");
                while ends.contains(&0) {
                    let line = text(client.read_message().unwrap());
                    if line == probe {
                        heard[me].store(true, Ordering::Relaxed);
                    } else if let Some(from) = line.strip_prefix("end-") {
                        ends[from.parse::<usize>().unwrap()] += 1;
                    } else if !line.starts_with("probe-") {
                        let (from, seq) = line.split_once(':').unwrap();
                        got[from.parse::<usize>().unwrap()].push(seq.parse().unwrap());
                    }
                }
                // A second copy would come right behind the first.
                let late = time::timeout(Duration::from_millis(300), || loop {
                    let line = text(client.read_message().unwrap());
                    if !line.starts_with("probe-") {
                        return line;
                    }
                });
                assert!(late.is_err(), "node {me}: a message came twice: {late:?}");
                got
            })
        };

        let deadline = Instant::now() + WAIT;
        while !heard[peer].load(Ordering::Relaxed) {
            assert!(Instant::now() < deadline, "node {me}: never heard across");
            node.hub
                .publish_text(TOPIC, &format!("probe-{me}"))
                .unwrap();
            time::sleep(Duration::from_millis(20));
        }
        for seq in 0..N {
            node.hub
                .publish_text(TOPIC, &format!("{me}:{seq}"))
                .unwrap();
            if seq % 50 == 0 {
                task::yield_now(); // several pipelines, not one
            }
        }
        node.hub.publish_text(TOPIC, &format!("end-{me}")).unwrap();

        let got = reader.join().unwrap();
        let expected: Vec<usize> = (0..N).collect();
        assert_eq!(got[me], expected, "node {me}: its own messages");
        assert_eq!(got[peer], expected, "node {me}: the other node's");
        // Everything of ours reached Redis before the other node may stop.
        let deadline = Instant::now() + WAIT;
        while node.backplane.stats().published < N as u64 + 1 {
            assert!(Instant::now() < deadline, "{:?}", node.backplane.stats());
            time::sleep(Duration::from_millis(5));
        }
        let stats = node.backplane.stats();
        assert_eq!((stats.dropped, stats.malformed), (0, 0), "{stats:?}");
        // The other node's N + 1, and probes; never our own.
        assert!(stats.received > N as u64, "{stats:?}");
    });
}

/// What the runtimes report to the test's thread, which kills Redis.
#[derive(Default)]
struct Progress {
    /// Messages node A's own client got (local delivery).
    local: AtomicU64,
    /// Messages node B's client got from node A (through Redis).
    remote: AtomicU64,
    /// Node A's backplane: dropped, reconnects.
    dropped: AtomicU64,
    reconnects: AtomicU64,
    stop: AtomicBool,
}

fn wait_for(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
    start.elapsed()
}

#[test]
fn redis_killed_and_restarted_mid_run() {
    let mut redis = RedisServer::start();
    let url = redis.url();
    let progress = Arc::new(Progress::default());
    let nodes = {
        let progress = progress.clone();
        std::thread::spawn(move || {
            silly::Builder::new().threads(2).run_each(move || {
                let node = Node::start(&url);
                let progress = progress.clone();
                if silly::runtime_index() == 1 {
                    // Node B: counts A's messages, which must stay in order.
                    let reader = task::fork({
                        let (client, progress) = (node.client.clone(), progress.clone());
                        move || {
                            let mut last = None;
                            while let Ok(message) = client.read_message() {
                                let seq: u64 = text(message).parse().unwrap();
                                assert!(last < Some(seq), "B: {seq} after {last:?}");
                                last = Some(seq);
                                progress.remote.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    });
                    while !progress.stop.load(Ordering::Relaxed) {
                        time::sleep(Duration::from_millis(10));
                    }
                    reader.task().cancel();
                    return;
                }
                // Node A: publishes every 2 ms, and counts what its own
                // client gets.
                let reader = task::fork({
                    let (client, progress) = (node.client.clone(), progress.clone());
                    move || {
                        while client.read_message().is_ok() {
                            progress.local.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
                let mut seq = 0u64;
                while !progress.stop.load(Ordering::Relaxed) {
                    node.hub.publish_text(TOPIC, &seq.to_string()).unwrap();
                    seq += 1;
                    let stats = node.backplane.stats();
                    progress.dropped.store(stats.dropped, Ordering::Relaxed);
                    progress
                        .reconnects
                        .store(stats.reconnects, Ordering::Relaxed);
                    time::sleep(Duration::from_millis(2));
                }
                reader.task().cancel();
            });
        })
    };
    let p = &*progress;
    let load = |n: &AtomicU64| n.load(Ordering::Relaxed);
    wait_for("B hears A", WAIT, || load(&p.remote) > 20);

    redis.kill();
    // Local delivery goes on while Redis is gone; A's messages for B are
    // dropped and counted, not queued.
    let (local, dropped) = (load(&p.local), load(&p.dropped));
    wait_for("local delivery and drops while Redis is down", WAIT, || {
        load(&p.local) > local + 200 && load(&p.dropped) > dropped + 100
    });
    let remote = load(&p.remote);

    redis.restart();
    let took = wait_for("B hears A again", WAIT, || load(&p.remote) > remote + 20);
    eprintln!("cross-node delivery resumed {took:?} after Redis restarted");
    // A's publishing connection and both subscribers came back.
    wait_for("reconnections counted", WAIT, || load(&p.reconnects) >= 2);

    p.stop.store(true, Ordering::Relaxed);
    nodes.join().unwrap();
}
