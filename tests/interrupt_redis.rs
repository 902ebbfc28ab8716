//! Interrupts against a real redis-server: hundreds of commands, pipelines
//! and slow commands with values up to 1 MiB, each cut by `time::timeout`
//! at a random point, then the same connection (or pool) used again. Every
//! reply must be its own command's (checked by content: `ECHO` of a blob
//! unique to the command); a connection may be closed only by a cut that
//! landed while a command was being written. Plain TCP and TLS; seeded
//! (`SEED=` replays a run), and descriptors and coroutines come back to
//! where they were.

mod util;

use std::time::Duration;

use silly::net::tls;
use silly::redis::{cmd, Cmd, Config, Connection, Error, Pool, Subscriber, Value};
use silly::{task, time};
use util::interrupt::seed;
use util::pki::Ca;
use util::redis::RedisServer;
use util::Rng;

/// Commands per run: fewer under `CI=true`, still hundreds.
fn rounds() -> usize {
    if std::env::var("CI").as_deref() == Ok("true") {
        120
    } else {
        160
    }
}

/// A blob that names its command: `tag` then random bytes, up to 1 MiB.
fn blob(rng: &mut Rng, tag: usize) -> Vec<u8> {
    let len = match rng.below(4) {
        0 => rng.below(64),
        1 => rng.below(16 * 1024),
        _ => rng.below(1 << 20),
    } as usize;
    // 64 random bytes repeated: as good a check as all random, and cheap
    // to make in a debug build.
    let mut pattern = [0u8; 64];
    rng.fill(&mut pattern);
    let mut data = format!("{tag}:").into_bytes();
    data.extend(pattern.iter().cycle().take(len));
    data
}

/// One round's commands and the replies they must get.
fn round(rng: &mut Rng, n: usize) -> (Vec<Cmd>, Vec<Value>) {
    let mut cmds = Vec::new();
    let mut want = Vec::new();
    if rng.below(8) == 0 {
        // The server stalls while 3 MiB come: the write has to wait, and a
        // cut lands in it (which closes the connection).
        cmds.push(cmd("DEBUG").arg("SLEEP").arg("0.05"));
        want.push(Value::Status("OK".into()));
        for i in 0..3 {
            let mut data = format!("{n}:{i}:").into_bytes();
            data.resize(1 << 20, b'x');
            cmds.push(cmd("ECHO").arg(&data));
            want.push(Value::Data(data));
        }
        return (cmds, want);
    }
    let count = 1 + rng.below(3) as usize;
    for i in 0..count {
        match rng.below(4) {
            // Slow: the server answers nil after 5 to 40 ms.
            0 => {
                let wait = format!("0.0{}", 5 + rng.below(35));
                cmds.push(cmd("BLPOP").arg(format!("empty:{n}")).arg(wait));
                want.push(Value::Nil);
            }
            // A value set and read back on the same connection.
            1 => {
                let (key, value) = (format!("key:{n}:{i}"), blob(rng, n));
                cmds.push(cmd("SET").arg(&key).arg(&value));
                want.push(Value::Status("OK".into()));
                cmds.push(cmd("GET").arg(&key));
                want.push(Value::Data(value));
            }
            _ => {
                let data = blob(rng, n);
                cmds.push(cmd("ECHO").arg(&data));
                want.push(Value::Data(data));
            }
        }
    }
    (cmds, want)
}

/// Sends one round on `conn`: a single command alone, several as a pipeline.
fn send(conn: &mut Connection, cmds: &[Cmd]) -> Result<Vec<Value>, Error> {
    if let [one] = cmds {
        return conn.req(one).map(|v| vec![v]);
    }
    let mut pipeline = conn.pipeline();
    for c in cmds {
        pipeline.add(c);
    }
    pipeline.query()
}

/// Half the rounds get a cut from 0 to 30 ms, in microseconds: it lands
/// before, while or after a command is written, while the server sleeps,
/// or while the reply comes. The other half get all the time they need
/// (and read the replies the cut ones left owed).
fn cut(rng: &mut Rng) -> Duration {
    match rng.below(2) {
        0 => Duration::from_secs(10),
        _ => Duration::from_micros(rng.below(30_000)),
    }
}

#[derive(Debug, Default)]
struct Tally {
    done: usize,
    cut: usize,
    /// Rounds done on a connection that still owed replies to cut ones.
    done_after_cut: usize,
    /// Connections closed by a cut while writing, and opened anew.
    reopened: usize,
}

/// Lets `DEBUG SLEEP` stall the server.
const ARGS: [&str; 2] = ["--enable-debug-command", "yes"];

/// Rounds on one connection, each cut at random; a connection closed by a
/// cut is replaced. Every round that completes must get its own replies.
fn on_a_connection(config: &Config, rng: &mut Rng) -> Tally {
    let mut tally = Tally::default();
    let mut conn = Connection::open(config).unwrap();
    for n in 0..rounds() {
        let (cmds, want) = round(rng, n);
        let owed = conn.owed_replies();
        match time::timeout(cut(rng), || send(&mut conn, &cmds)) {
            Ok(replies) => {
                assert_eq!(replies.unwrap(), want, "round {n}");
                assert_eq!(conn.owed_replies(), 0);
                tally.done += 1;
                tally.done_after_cut += usize::from(owed > 0);
            }
            Err(_elapsed) => tally.cut += 1,
        }
        if conn.is_closed() {
            assert!(matches!(conn.ping(), Err(Error::Interrupted)));
            conn = Connection::open(config).unwrap();
            tally.reopened += 1;
        }
    }
    // The last cut's replies, if owed, are dropped before this one's.
    let last = b"last".to_vec();
    assert_eq!(
        conn.query::<Vec<u8>>(&cmd("ECHO").arg(&last)).unwrap(),
        last
    );
    tally
}

/// The same through a pool of 2, from 3 coroutines at once.
fn through_a_pool(config: &Config, seed: u64) -> Tally {
    let pool = Pool::new(config.clone().pool_size(2)).unwrap();
    let workers: Vec<_> = (0..3u64)
        .map(|w| {
            let pool = pool.clone();
            task::fork(move || {
                let mut rng = Rng::new(seed ^ (w + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let mut tally = Tally::default();
                for n in 0..rounds() / 3 {
                    let (cmds, want) = round(&mut rng, n * 3 + w as usize);
                    let wait = cut(&mut rng);
                    let result = time::timeout(wait, || {
                        let mut conn = pool.get().unwrap();
                        let owed = conn.owed_replies();
                        (send(&mut conn, &cmds), owed)
                    });
                    match result {
                        Ok((replies, owed)) => {
                            assert_eq!(replies.unwrap(), want, "worker {w} round {n}");
                            tally.done += 1;
                            tally.done_after_cut += usize::from(owed > 0);
                        }
                        Err(_elapsed) => tally.cut += 1,
                    }
                }
                tally
            })
        })
        .collect();
    let mut total = Tally::default();
    for worker in workers {
        let t = worker.join().unwrap();
        total.done += t.done;
        total.cut += t.cut;
        total.done_after_cut += t.done_after_cut;
    }
    // A coroutine cancelled while it waits for a slow reply: the connection
    // goes back to the pool owing it, and the next borrower gets its own.
    let pool2 = pool.clone();
    let blocked = task::fork(move || {
        let mut conn = pool2.get().unwrap();
        conn.query::<Value>(&cmd("BLPOP").arg("cancelled").arg("0.2"))
            .is_ok()
    });
    time::sleep(Duration::from_millis(30));
    blocked.task().cancel();
    assert!(blocked.join().unwrap_err().is_cancelled());
    // The most recently returned connection is lent first: that one.
    let mut conn = pool.get().unwrap();
    assert!(conn.owed_replies() >= 1);
    let echo = b"after the cancel".to_vec();
    assert_eq!(
        conn.query::<Vec<u8>>(&cmd("ECHO").arg(&echo)).unwrap(),
        echo
    );
    assert_eq!(conn.owed_replies(), 0);
    total
}

/// Runs both parts; the caller holds [`util::serial`] from before it
/// started its server: descriptors are counted process-wide.
fn run_all(config: Config) {
    let seed = seed();
    silly::run(move || {
        let fds = util::fd_count();
        let tasks = silly::stats().live_tasks;
        let mut rng = Rng::new(seed);
        let one = on_a_connection(&config, &mut rng);
        println!("one connection: {one:?}");
        let pooled = through_a_pool(&config, seed);
        println!("pool: {pooled:?}");
        for (name, t) in [("connection", &one), ("pool", &pooled)] {
            // The run means something only if cuts landed and the
            // connection was used again after cuts that left it owing.
            assert!(t.cut >= 20, "{name}: too few cuts: {t:?}");
            assert!(t.done >= 20, "{name}: too few rounds done: {t:?}");
            assert!(t.done_after_cut >= 5, "{name}: no reuse after a cut: {t:?}");
        }
        // Everything is back: sockets closed, no coroutine left.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while (util::fd_count() != fds || silly::stats().live_tasks != tasks)
            && std::time::Instant::now() < deadline
        {
            time::sleep(Duration::from_millis(10));
        }
        assert_eq!(util::fd_count(), fds, "descriptors");
        assert_eq!(silly::stats().live_tasks, tasks, "coroutines");
    });
}

#[test]
fn every_reply_reaches_its_own_command_after_random_cuts() {
    let _serial = util::serial();
    let server = RedisServer::with_args(&ARGS);
    run_all(Config::from_url(&server.url()).unwrap());
}

#[test]
fn over_tls_too() {
    let _serial = util::serial();
    let ca = Ca::new("redis interrupt CA");
    let leaf = ca.leaf(&["localhost"]);
    let server = RedisServer::tls_with_args(&leaf.cert_pem, &leaf.key_pem, &ARGS);
    let url = format!("rediss://localhost:{}", server.port());
    let trusted = tls::ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    run_all(Config::from_url(&url).unwrap().tls(Some(trusted)));
}

#[test]
fn a_cut_write_closes_the_connection_and_the_peer_sees_no_more() {
    let _serial = util::serial();
    // A server that reads nothing until the client gave up: a 16 MiB
    // command cannot all go out, and the cut lands in its write.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (go, wait) = std::sync::mpsc::channel::<()>();
    let peer = std::thread::spawn(move || {
        use std::io::Read;
        let (mut conn, _) = listener.accept().unwrap();
        wait.recv().unwrap();
        let mut got = Vec::new();
        conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        // Ends (EOF or reset) once the client shut its socket.
        let _ = conn.read_to_end(&mut got);
        got
    });
    let url = format!("redis://127.0.0.1:{port}");
    let value = vec![b'v'; 16 << 20];
    let sent = value.len();
    silly::run(move || {
        let mut conn = Connection::open(&Config::from_url(&url).unwrap()).unwrap();
        let cut = time::timeout(Duration::from_millis(100), || conn.set("k", &value));
        assert!(cut.is_err(), "the write was not cut: {cut:?}");
        assert!(conn.is_closed());
        let err = conn.ping().unwrap_err();
        assert!(matches!(err, Error::Interrupted), "{err:?}");
        assert!(err.to_string().contains("interrupted"), "{err}");
        go.send(()).unwrap();
    });
    let got = peer.join().unwrap();
    // Part of the SET arrived, then the end: never all of it, never a PING.
    assert!(
        got.starts_with(b"*3\r\n$3\r\nSET\r\n"),
        "{:?}",
        &got[..20.min(got.len())]
    );
    assert!(got.len() < sent, "the whole command went out");
    assert!(!got.ends_with(b"PING\r\n"));
}

#[test]
fn a_subscriber_cut_mid_wait_loses_no_message_and_keeps_its_channels() {
    let _serial = util::serial();
    let server = RedisServer::start();
    let url = server.url();
    let seed = seed();
    silly::run(move || {
        let sub = Subscriber::connect(&url).unwrap();
        sub.subscribe(&["a"]).unwrap();
        // Cut at once: the command goes out whole (it fits the socket), the
        // cut lands in the wait for the confirmation; the channel is kept.
        let cut = time::timeout(Duration::ZERO, || sub.subscribe(&["b"]));
        assert!(cut.is_err(), "not cut: {cut:?}");
        assert_eq!(sub.channels(), [b"a".to_vec(), b"b".to_vec()]);
        let total = 300;
        let publisher = {
            let url = url.clone();
            task::fork(move || {
                let mut rng = Rng::new(seed);
                let mut conn = silly::redis::connect(&url).unwrap();
                // Until "b" is in effect, messages there are not heard.
                while conn.publish("b", "probe").unwrap() == 0 {
                    time::sleep(Duration::from_millis(1));
                }
                for i in 0..total {
                    let channel = if i % 2 == 0 { "a" } else { "b" };
                    conn.publish(channel, format!("{i}")).unwrap();
                    if rng.below(4) == 0 {
                        time::sleep(Duration::from_micros(rng.below(3_000)));
                    }
                }
            })
        };
        let mut rng = Rng::new(seed ^ 1);
        let (mut got, mut cuts) = (Vec::new(), 0);
        while got.len() < total {
            let wait = Duration::from_micros(rng.below(2_000));
            match time::timeout(wait, || sub.next_message()) {
                Ok(msg) => {
                    let msg = msg.unwrap();
                    if msg.payload != b"probe" {
                        got.push(String::from_utf8(msg.payload).unwrap());
                    }
                }
                Err(_elapsed) => cuts += 1,
            }
            assert!(cuts < 100_000, "stuck after {} messages", got.len());
        }
        publisher.join().unwrap();
        let want: Vec<String> = (0..total).map(|i| i.to_string()).collect();
        assert_eq!(got, want, "lost, doubled or reordered");
        println!("{cuts} cuts over {total} messages");
        assert!(cuts >= 10, "too few cuts: {cuts}");
        assert_eq!(sub.channels(), [b"a".to_vec(), b"b".to_vec()]);
    });
}
