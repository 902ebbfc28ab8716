//! Interrupts (`time::timeout`) on HTTP: a client request cut at any point
//! leaves the client whole (the cut connection is closed, never pooled, and
//! the next request gets its own complete answer); a `ResponseReader` or
//! server body read cut while it waits continues where it was; a server
//! response cut midway closes its connection (the client sees an error,
//! never a wrong body). Randomized over 1 MiB bodies both ways, Content-Length
//! and chunked, plain and TLS; `SEED=` replays a run.

mod util;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::net::http::{self, Client, ClientConfig, Config, Server, Stream};
use silly::net::tcp::TcpStream;
use silly::net::tls;
use silly::{task, time};
use util::interrupt::{seed, Baseline};
use util::pki::Ca;
use util::Rng;

/// The body of request `id`: a pseudo-random run of 65521 bytes (a prime)
/// repeated, different for each id, so bytes of one request found in another's
/// body, or shifted, show.
fn pattern(id: u64, len: usize) -> Vec<u8> {
    const PERIOD: u64 = 65521;
    let period: Vec<u8> = (0..PERIOD)
        .map(|i| {
            let mut x = i
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(id.wrapping_mul(0xC2B2_AE3D_27D4_EB4F));
            x ^= x >> 29;
            (x.wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 56) as u8
        })
        .collect();
    let mut body = Vec::with_capacity(len);
    while body.len() < len {
        let n = (len - body.len()).min(period.len());
        body.extend_from_slice(&period[..n]);
    }
    body
}

/// What the servers of the randomized test saw go wrong (must stay empty),
/// and how many of their own body reads were cut.
#[derive(Default)]
struct ServerLog {
    wrong: RefCell<Vec<String>>,
    read_cuts: Cell<usize>,
}

/// The randomized test's handler.
///
/// `GET /down/ID/LEN/MODE[/CUT]`: a body of `pattern(ID, LEN)`, MODE `cl`
/// (Content-Length) or `chunked`; with CUT (µs), the server cuts its own
/// write at that point (the connection must then close).
///
/// `POST /up/ID/LEN`: reads the body with reads cut at random and resumed,
/// checks it is `pattern(ID, LEN)`, answers `ok ID LEN`.
fn handler(s: &mut Stream, rng: &RefCell<Rng>, log: &ServerLog) {
    let path = s.path().to_owned();
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    let id: u64 = parts[1].parse().unwrap();
    let len: usize = parts[2].parse().unwrap();
    match parts[0] {
        "down" => {
            let body = pattern(id, len);
            let length = len.to_string();
            // Paced (pieces with pauses between, so the client waits often and
            // its cuts can land anywhere), unless the server cuts its own
            // write: then at once, so the cut can only land in a send.
            let send = |s: &mut Stream, paced: bool| -> http::Result<()> {
                if parts[3] == "cl" {
                    s.respond(200, &[("Content-Length", &length)])?;
                } else {
                    s.respond(200, &[])?;
                }
                for piece in body.chunks(128 * 1024) {
                    s.write(piece)?;
                    if paced {
                        time::sleep(Duration::from_micros(300));
                    }
                }
                s.close(b"")
            };
            let Some(cut) = parts.get(4) else {
                let _ = send(s, true);
                return;
            };
            let cut = Duration::from_micros(cut.parse().unwrap());
            if time::timeout(cut, || send(s, false)).is_err() {
                let later = s.write(b"more").map_err(|e| e.to_string());
                let says_why = later
                    .as_ref()
                    .is_err_and(|e| e.contains("interrupted write"));
                if !s.is_closed() || !says_why {
                    log.wrong
                        .borrow_mut()
                        .push(format!("a cut response left the stream open: {later:?}"));
                }
            }
        }
        "up" => {
            let mut body = Vec::new();
            let mut buf = vec![0u8; 32 * 1024];
            loop {
                let (cut, whole) = {
                    let mut rng = rng.borrow_mut();
                    (cut_within(&mut rng, CUT), rng.below(4) == 0)
                };
                // Reads and read_alls, each cut at random while it waits.
                let done = if whole {
                    match time::timeout(cut, || s.read_all()) {
                        Err(_elapsed) => false,
                        Ok(Ok(rest)) => {
                            body.extend(rest);
                            break;
                        }
                        Ok(Err(_)) => return, // the client was cut and went away
                    }
                } else {
                    match time::timeout(cut, || s.read(&mut buf)) {
                        Err(_elapsed) => false,
                        Ok(Ok(0)) => break,
                        Ok(Ok(n)) => {
                            body.extend_from_slice(&buf[..n]);
                            true
                        }
                        Ok(Err(_)) => return,
                    }
                };
                if !done {
                    log.read_cuts.set(log.read_cuts.get() + 1);
                }
            }
            if body == pattern(id, len) {
                let _ = s.reply(200, &[], format!("ok {id} {len}").as_bytes());
            } else {
                log.wrong.borrow_mut().push(format!(
                    "upload {id}: {} bytes, not its pattern",
                    body.len()
                ));
                let _ = s.reply(500, &[], b"wrong body");
            }
        }
        other => panic!("no route {other}"),
    }
}

/// A client's side of one test server: its base URL and the client.
struct Target {
    base: String,
    client: Client,
}

/// Longest cut of one body read.
const CUT: Duration = Duration::from_millis(3);

/// A random cut no longer than `max`; zero (the first wait is cut) one time in
/// four.
fn cut_within(rng: &mut Rng, max: Duration) -> Duration {
    if rng.below(4) == 0 {
        return Duration::ZERO;
    }
    Duration::from_micros(rng.below(max.as_micros() as u64 + 1))
}

/// Chunked encoding of `body` in pieces of random sizes.
fn chunked(body: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 1024);
    let mut rest = body;
    while !rest.is_empty() {
        let n = (1 + rng.below(200_000) as usize).min(rest.len());
        out.extend_from_slice(format!("{n:x}\r\n").as_bytes());
        out.extend_from_slice(&rest[..n]);
        out.extend_from_slice(b"\r\n");
        rest = &rest[n..];
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// Counts of the randomized run, to show the cuts landed.
#[derive(Debug, Default)]
struct Tally {
    requests: usize,
    client_cuts: usize,
    reader_cuts: usize,
    server_cut_errors: usize,
}

/// One random operation against `target`; every body that comes back whole
/// is checked byte for byte.
fn one(target: &Target, id: u64, len: usize, rng: &mut Rng, max_cut: Duration, tally: &mut Tally) {
    tally.requests += 1;
    let cut = cut_within(rng, max_cut);
    let client = &target.client;
    let mode = if rng.below(2) == 0 { "cl" } else { "chunked" };
    match rng.below(5) {
        // A download, the whole request cut at a random point (or not).
        0 | 1 => {
            let url = format!("{}/down/{id}/{len}/{mode}", target.base);
            let cut_it = rng.below(4) != 0;
            let got = if cut_it {
                time::timeout(cut, || client.get(&url))
            } else {
                Ok(client.get(&url))
            };
            match got {
                Err(_elapsed) => tally.client_cuts += 1,
                Ok(response) => {
                    let response = response.unwrap();
                    assert_eq!(response.status, 200);
                    assert!(response.body == pattern(id, len), "download {id} wrong");
                }
            }
        }
        // An upload, cut likewise; the server cuts its own reads too.
        2 | 3 => {
            let url = format!("{}/up/{id}/{len}", target.base);
            let body = pattern(id, len);
            let (headers, wire_body) = if mode == "cl" {
                (vec![], body)
            } else {
                (vec![("Transfer-Encoding", "chunked")], chunked(&body, rng))
            };
            let send = || client.request("POST", &url, &headers, &wire_body);
            let got = if rng.below(4) != 0 {
                time::timeout(cut, send)
            } else {
                Ok(send())
            };
            match got {
                Err(_elapsed) => tally.client_cuts += 1,
                Ok(response) => {
                    let response = response.unwrap();
                    let expected = format!("ok {id} {len}");
                    assert_eq!(
                        (response.status, response.body.as_slice()),
                        (200, expected.as_bytes())
                    );
                }
            }
        }
        // A streamed download whose reads are cut and resumed: it must
        // arrive whole. The server may cut its own write instead: then the
        // client gets an error, never a wrong body.
        _ => {
            let server_cut = rng.below(3) == 0;
            // What the kernel's buffers on loopback cannot take at once, so
            // the server's write waits and its cut lands in a send.
            let len = if server_cut { 16 << 20 } else { len };
            let url = if server_cut {
                let at = cut_within(rng, Duration::from_millis(30)).as_micros();
                format!("{}/down/{id}/{len}/{mode}/{at}", target.base)
            } else {
                format!("{}/down/{id}/{len}/{mode}", target.base)
            };
            let mut reader = match client.send("GET", &url, &[], b"") {
                Ok(reader) => reader,
                Err(_) if server_cut => {
                    tally.server_cut_errors += 1;
                    return;
                }
                Err(e) => panic!("{url}: {e}"),
            };
            if server_cut {
                // Read nothing until the server's cut (30 ms at most) has
                // come: its write waits meanwhile, so the cut lands in a send.
                time::sleep(Duration::from_millis(35));
            }
            let mut body = Vec::new();
            let mut buf = vec![0u8; 1 + rng.below(100_000) as usize];
            let started = Instant::now();
            loop {
                assert!(started.elapsed() < Duration::from_secs(20), "{url} hangs");
                let cut = cut_within(rng, CUT);
                let read = if server_cut {
                    Ok(reader.read(&mut buf).map(Some))
                } else if rng.below(4) == 0 {
                    time::timeout(cut, || reader.read_all()).map(|r| {
                        r.map(|rest| {
                            body.extend(rest);
                            None
                        })
                    })
                } else {
                    time::timeout(cut, || reader.read(&mut buf)).map(|r| r.map(Some))
                };
                match read {
                    Err(_elapsed) => tally.reader_cuts += 1,
                    Ok(Ok(None | Some(0))) => break,
                    Ok(Ok(Some(n))) => body.extend_from_slice(&buf[..n]),
                    Ok(Err(e)) if server_cut => {
                        // Closed by the server's cut: later reads fail too.
                        assert!(reader.read(&mut buf).is_err(), "{url}: {e}");
                        tally.server_cut_errors += 1;
                        return;
                    }
                    Ok(Err(e)) => panic!("{url}: {e}"),
                }
            }
            assert!(body == pattern(id, len), "streamed download {id} wrong");
        }
    }
}

/// Sends `POST /up/0/LEN` to the plain `server` in 16 KiB pieces 4 ms apart
/// and checks the answer: the server's cut reads must still see the body
/// whole.
fn paced_upload(server: &Server, len: usize) {
    let conn = TcpStream::connect(server.local_addr()).unwrap();
    let head = format!(
        "POST /up/0/{len} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).unwrap();
    for piece in pattern(0, len).chunks(16 * 1024) {
        conn.write_all(piece).unwrap();
        time::sleep(Duration::from_millis(4));
    }
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match conn.read(&mut buf).unwrap() {
            0 => break,
            n => answer.extend_from_slice(&buf[..n]),
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(&format!("ok 0 {len}")), "{answer}");
}

/// The servers and clients of the randomized test: plain and TLS.
fn targets(log: &Rc<ServerLog>, rng: &Rc<RefCell<Rng>>) -> (Vec<Server>, Vec<Target>) {
    let ca = Ca::new("interrupt test CA");
    let leaf = ca.leaf(&["localhost"]);
    let server_tls =
        tls::ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let client_tls = tls::ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    let mut servers = Vec::new();
    let mut out = Vec::new();
    for secure in [false, true] {
        let (log, rng) = (log.clone(), rng.clone());
        let on_request = move |s: &mut http::Stream| handler(s, &rng, &log);
        let mut config = Config::default();
        let mut client = ClientConfig::default();
        if secure {
            config = config.tls(Some(server_tls.clone()));
            client = client.tls(client_tls.clone());
        }
        let server = http::listen_with("127.0.0.1:0", config, on_request).unwrap();
        let scheme = if secure { "https" } else { "http" };
        out.push(Target {
            base: format!("{scheme}://localhost:{}", server.local_addr().port()),
            client: Client::new(client).unwrap(),
        });
        servers.push(server);
    }
    (servers, out)
}

#[test]
fn requests_cut_at_random_points_leave_client_and_server_whole() {
    let _serial = util::serial();
    let seed = seed();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let (rounds, len) = if ci {
        (120, 256 * 1024)
    } else {
        (200, 1024 * 1024)
    };
    silly::run(move || {
        let base = Baseline::now();
        let mut rng = Rng::new(seed);
        let log = Rc::new(ServerLog::default());
        let server_rng = Rc::new(RefCell::new(Rng::new(seed ^ 0x5eed)));
        let (servers, targets) = targets(&log, &server_rng);
        let mut tally = Tally::default();
        let mut id = 0;
        // An upload that trickles in, so the server's body reads wait and
        // its cuts land there whatever the machine's speed.
        paced_upload(&servers[0], len);
        for target in &targets {
            // How long one whole transfer takes here: cuts fall within it.
            let started = Instant::now();
            let warm = target
                .client
                .get(&format!("{}/down/0/{len}/cl", target.base))
                .unwrap();
            assert_eq!(warm.body, pattern(0, len));
            let max_cut = started.elapsed() * 3 / 2;
            for _ in 0..rounds {
                id += 1;
                let size = len / 2 + rng.below(len as u64 / 2) as usize;
                one(target, id, size, &mut rng, max_cut, &mut tally);
            }
            // After all the cuts, the client still gets whole answers.
            id += 1;
            let last = target
                .client
                .get(&format!("{}/down/{id}/{len}/chunked", target.base))
                .unwrap();
            assert!(last.body == pattern(id, len));
        }
        println!("{tally:?}, server read cuts {}", log.read_cuts.get());
        assert!(log.wrong.borrow().is_empty(), "{:?}", log.wrong.borrow());
        assert!(tally.client_cuts > rounds / 10, "{tally:?}");
        assert!(
            tally.reader_cuts > 0 && log.read_cuts.get() > 0,
            "{tally:?}"
        );
        assert!(tally.server_cut_errors > 0, "{tally:?}");
        drop(targets);
        for server in servers {
            server.shutdown(Duration::from_secs(2));
        }
        base.assert_back();
    });
}

/// A pooled connection whose response was cut is never reused: the next
/// request through the same client goes on a new connection and gets its
/// own, complete answer.
#[test]
fn a_cut_response_never_goes_back_to_the_pool() {
    let _serial = util::serial();
    silly::run(|| {
        let base = Baseline::now();
        let ports = Rc::new(RefCell::new(Vec::new()));
        let seen = ports.clone();
        let server = http::listen("127.0.0.1:0", move |s| {
            seen.borrow_mut().push(s.remote_addr().port());
            if s.path() == "/slow" {
                // 1 MiB in 64 KiB pieces, 20 ms apart.
                s.respond(200, &[("Content-Length", "1048576")]).unwrap();
                for piece in pattern(1, 1 << 20).chunks(64 * 1024) {
                    if s.write(piece).is_err() {
                        return;
                    }
                    time::sleep(Duration::from_millis(20));
                }
            } else {
                s.reply(200, &[], b"small").unwrap();
            }
        })
        .unwrap();
        let url = format!("http://{}", server.local_addr());
        let client = Client::default();
        assert_eq!(client.get(&format!("{url}/small")).unwrap().body, b"small");
        // The slow response goes on the pooled connection and is cut in its body.
        let cut = time::timeout(Duration::from_millis(100), || {
            client.get(&format!("{url}/slow"))
        });
        assert!(cut.is_err(), "the body takes 320 ms");
        for _ in 0..3 {
            let r = client.get(&format!("{url}/small")).unwrap();
            assert_eq!((r.status, r.body.as_slice()), (200, &b"small"[..]));
        }
        let seen = ports.borrow().clone();
        assert_eq!(seen[0], seen[1], "the first connection was pooled");
        assert_ne!(seen[1], seen[2], "the cut one was not reused");
        assert_eq!(seen[2], seen[3], "the new one is pooled in turn");

        // The streaming form: a reader cut in its body, then dropped, closes
        // its connection too.
        let mut reader = client
            .send("GET", &format!("{url}/slow"), &[], b"")
            .unwrap();
        let mut buf = [0u8; 1024];
        let mut read = 0;
        loop {
            match time::timeout(Duration::from_millis(5), || reader.read(&mut buf)) {
                Err(_elapsed) => break,
                Ok(n) => read += n.unwrap(),
            }
            assert!(read < 1 << 20, "a read waits for the next piece");
        }
        drop(reader);
        assert_eq!(client.get(&format!("{url}/small")).unwrap().body, b"small");
        let ports = ports.borrow();
        assert_ne!(
            ports[6], ports[5],
            "the dropped reader's connection was not reused"
        );
        drop(client);
        server.shutdown(Duration::from_secs(2));
        base.assert_back();
    });
}

/// A server response cut midway closes the connection: the client reads a
/// body that ends early (an error, never another response's bytes), the
/// stream says `is_closed`, and later writes fail saying why.
#[test]
fn a_cut_server_write_closes_the_connection() {
    let _serial = util::serial();
    silly::run(|| {
        let base = Baseline::now();
        let after_cut = Rc::new(RefCell::new(None));
        let report = after_cut.clone();
        let server = http::listen("127.0.0.1:0", move |s| {
            if s.path() == "/big" {
                let body = vec![b'x'; 16 << 20];
                let cut = time::timeout(Duration::from_millis(50), || s.reply(200, &[], &body));
                assert!(cut.is_err(), "the client does not read: the write waits");
                let later = s.write(b"more").unwrap_err().to_string();
                *report.borrow_mut() = Some((s.is_closed(), later));
            } else {
                s.reply(200, &[], b"fine").unwrap();
            }
        })
        .unwrap();
        let addr = server.local_addr();
        let conn = TcpStream::connect(addr).unwrap();
        // Two pipelined requests: the second must never be answered on this
        // connection after the first response was torn.
        conn.write_all(
            b"GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        .unwrap();
        let started = Instant::now();
        while after_cut.borrow().is_none() {
            assert!(started.elapsed() < Duration::from_secs(5));
            time::sleep(Duration::from_millis(5));
        }
        let (closed, later) = after_cut.borrow_mut().take().unwrap();
        assert!(closed, "is_closed after the cut");
        assert!(later.contains("interrupted write"), "{later}");
        conn.set_read_timeout(Some(Duration::from_secs(5)));
        let mut received = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match conn.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
        let text = String::from_utf8_lossy(&received);
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
        assert_eq!(text.matches("HTTP/1.1").count(), 1, "one response only");
        let head_end = text.find("\r\n\r\n").unwrap() + 4;
        assert!(received.len() - head_end < 16 << 20, "the body ended early");
        assert!(received[head_end..].iter().all(|&b| b == b'x'));
        // The server goes on.
        let fine = util::raw_exchange(
            addr,
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(fine.ends_with("fine"), "{fine}");
        drop(conn);
        server.shutdown(Duration::from_secs(2));
        base.assert_back();
    });
}

/// `Task::cancel` of a client in the middle of a request, and of a request's
/// streamed body, leaves the client whole for other coroutines.
#[test]
fn a_cancelled_request_leaves_the_client_whole() {
    let _serial = util::serial();
    silly::run(|| {
        let base = Baseline::now();
        let server = http::listen("127.0.0.1:0", |s| {
            let len: usize = s.path()[1..].parse().unwrap();
            let _ = s.reply(200, &[], &pattern(9, len));
        })
        .unwrap();
        let url = format!("http://{}", server.local_addr());
        let client = Rc::new(Client::default());
        for i in 0..20u64 {
            let (c, u) = (client.clone(), url.clone());
            let doomed =
                task::fork(move || c.get(&format!("{u}/{}", 4 << 20)).map(|r| r.body.len()));
            for _ in 0..i % 4 {
                task::yield_now();
            }
            doomed.task().cancel();
            let _ = doomed.join();
            let r = client.get(&format!("{url}/1000")).unwrap();
            assert!(r.body == pattern(9, 1000), "round {i}");
        }
        drop(client);
        server.shutdown(Duration::from_secs(2));
        base.assert_back();
    });
}
