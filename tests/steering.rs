//! `TcpListener::steer_by_cpu`: connections placed among the listeners of a
//! `SO_REUSEPORT` group by the CPU that received them. On loopback a
//! connection's packets are received on the CPU of the thread that connects,
//! so clients pinned to a CPU show where that CPU's connections go.

use std::cell::RefCell;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::rc::Rc;

use silly::net::tcp::TcpListener;
use silly::task;

/// Connections each pinned client makes.
const PER_CPU: usize = 40;

/// Connects `PER_CPU` times from a thread pinned to `core`; the connections
/// are named at the server by their local ports.
fn connect_from(core: core_affinity::CoreId, addr: SocketAddr) -> Vec<std::net::TcpStream> {
    std::thread::spawn(move || {
        assert!(core_affinity::set_for_current(core), "pin to {core:?}");
        (0..PER_CPU)
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect()
    })
    .join()
    .unwrap()
}

#[test]
fn each_cpus_connections_go_to_the_listener_at_cpu_mod_n() {
    let cores = core_affinity::get_core_ids().unwrap_or_default();
    assert!(!cores.is_empty(), "no CPU to pin to");
    // Up to two CPUs (this machine has two): their ids mod 2 pick the listener.
    let cores: Vec<_> = cores.into_iter().take(2).collect();
    silly::run(move || {
        let first = TcpListener::bind_reuse_port("127.0.0.1:0", true).unwrap();
        let addr = first.local_addr().unwrap();
        let second = TcpListener::bind_reuse_port(addr, true).unwrap();
        first.steer_by_cpu(2).unwrap();
        let accepted: Rc<RefCell<[HashSet<u16>; 2]>> = Rc::default();
        let expected = cores.len() * PER_CPU;
        let acceptors: Vec<_> = [first, second]
            .into_iter()
            .enumerate()
            .map(|(i, listener)| {
                let accepted = accepted.clone();
                task::fork(move || loop {
                    let (_conn, peer) = listener.accept().unwrap();
                    let mut accepted = accepted.borrow_mut();
                    accepted[i].insert(peer.port());
                    if accepted[0].len() + accepted[1].len() == expected {
                        return;
                    }
                })
            })
            .collect();
        // One CPU after the other; the acceptors run meanwhile.
        let by_core: Vec<_> = cores
            .iter()
            .map(|&core| (core, task::spawn_blocking(move || connect_from(core, addr))))
            .collect();
        // One acceptor returns after the last connection; the other waits on.
        while accepted.borrow()[0].len() + accepted.borrow()[1].len() < expected {
            task::yield_now();
        }
        for a in acceptors {
            a.task().cancel();
        }
        let accepted = accepted.borrow();
        for (core, conns) in by_core {
            let listener = core.id % 2;
            for conn in conns {
                let port = conn.local_addr().unwrap().port();
                assert!(
                    accepted[listener].contains(&port),
                    "a connection from CPU {} went to listener {}, not {listener}",
                    core.id,
                    1 - listener
                );
            }
        }
    });
}

#[test]
fn steering_among_no_listeners_is_refused() {
    silly::run(|| {
        let listener = TcpListener::bind_reuse_port("127.0.0.1:0", true).unwrap();
        let err = listener.steer_by_cpu(0).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    });
}
