//! Routing allocates nothing per request once a keep-alive connection is
//! warm: a router (path parameters, a middleware that only calls the next)
//! around a handler that allocates nothing allocates nothing either.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Read, Write};
use std::rc::Rc;

use silly::net::http::{self, Router, Stream};
use silly::task;

/// Counts the allocations of each thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is passed to `System` unchanged; only a thread-local
// counter (const-initialised, no allocation, no destructor) is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const WARM: u32 = 10;
const MEASURED: u32 = 200;

/// Serves `WARM + MEASURED` requests for `path` on one keep-alive
/// connection (the client on another thread) with `handler`, and returns
/// the allocations made inside `handler` during the measured ones. Only
/// inside: the server's own waits for the socket may grow timer and
/// reactor tables now and then, which is not what is measured here.
fn allocations_in(handler: impl Fn(&mut Stream) + 'static, path: &'static str) -> u64 {
    let counted = Rc::new(Cell::new((0u32, 0u64)));
    let seen = counted.clone();
    let server = http::listen("127.0.0.1:0", move |s| {
        let before = ALLOCATIONS.with(Cell::get);
        handler(s);
        let made = ALLOCATIONS.with(Cell::get) - before;
        let (n, total) = seen.get();
        seen.set((n + 1, if n >= WARM { total + made } else { total }));
    })
    .unwrap();
    let addr = server.local_addr();
    task::spawn_blocking(move || {
        let conn = std::net::TcpStream::connect(addr).unwrap();
        let mut reader = BufReader::new(conn.try_clone().unwrap());
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
        for _ in 0..WARM + MEASURED {
            (&conn).write_all(request.as_bytes()).unwrap();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            assert_eq!(body, b"ok");
        }
    });
    server.close();
    let (n, total) = counted.get();
    assert_eq!(n, WARM + MEASURED);
    total
}

fn hello(s: &mut Stream) {
    assert!(s.param("id").is_none_or(|id| id == "42"));
    let _ = s.reply(200, &[("Content-Type", "text/plain")], b"ok");
}

#[test]
fn routing_allocates_nothing_per_request() {
    silly::run(|| {
        let plain = allocations_in(hello, "/rooms/42/users");
        let router = Router::new()
            .get("/", |s| s.close(b"").unwrap())
            .get("/health", |s| s.close(b"").unwrap())
            .get("/rooms/:id/users", hello)
            .get("/static/*path", |s| s.close(b"").unwrap())
            .layer(|s, next| next.run(s));
        let routed = allocations_in(router.into_handler(), "/rooms/42/users");
        println!("allocations in {MEASURED} requests: plain {plain}, routed {routed}");
        assert_eq!(plain, 0, "the handler itself does not allocate");
        assert_eq!(routed, 0, "routing allocated");
    });
}
