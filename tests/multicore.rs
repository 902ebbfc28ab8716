//! Several runtimes in one process: shared nothing but `sync::remote`
//! channels and `task::spawn_on`.

mod util;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use silly::sync::remote;
use silly::sync::{RecvTimeoutError, TrySendError};
use silly::{runtime_index, runtimes, task, time, Builder};

/// Hands each runtime of a `run_each` one value, by index.
struct PerRuntime<T>(Mutex<Vec<Option<T>>>);

impl<T> PerRuntime<T> {
    fn new(values: Vec<T>) -> Self {
        PerRuntime(Mutex::new(values.into_iter().map(Some).collect()))
    }

    fn take(&self) -> T {
        self.0.lock().unwrap()[runtime_index()].take().unwrap()
    }
}

#[test]
fn each_runtime_runs_the_main_task_on_its_own_thread() {
    let threads = Arc::new(Mutex::new(Vec::new()));
    let seen = threads.clone();
    let indexes = Builder::new().threads(3).run_each(move || {
        seen.lock().unwrap().push(std::thread::current().id());
        assert_eq!(runtimes().len(), 3);
        assert_eq!(silly::current_runtime().index(), runtime_index());
        runtime_index()
    });
    assert_eq!(indexes, [0, 1, 2]);
    let mut ids = threads.lock().unwrap().clone();
    ids.sort_by_key(|id| format!("{id:?}"));
    ids.dedup();
    assert_eq!(ids.len(), 3, "three threads");
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(Builder::new().threads(0).run_each(|| ()).len(), cores);
    assert_eq!(
        Builder::new()
            .pin_threads(true)
            .threads(2)
            .run_each(runtime_index),
        [0, 1]
    );
}

/// A million messages from one runtime to another, unbounded and bounded:
/// all arrive, in order, none is lost to a missed wake-up.
#[test]
fn a_million_messages_between_two_runtimes_arrive_in_order() {
    for capacity in [None, Some(64)] {
        let (tx, rx) = match capacity {
            None => remote::channel::<u64>(),
            Some(c) => remote::bounded::<u64>(c),
        };
        let tx = PerRuntime::new(vec![None, Some(tx)]);
        let rx = PerRuntime::new(vec![Some(rx), None]);
        const N: u64 = 1_000_000;
        let sums = Builder::new().threads(2).run_each(move || {
            if let Some(rx) = rx.take() {
                let mut expected = 0;
                while let Ok(n) = rx.recv() {
                    assert_eq!(n, expected, "in order");
                    expected += 1;
                }
                expected
            } else {
                let tx = tx.take().unwrap();
                for n in 0..N {
                    tx.send(n).unwrap();
                }
                N
            }
        });
        assert_eq!(sums, [N, N], "capacity {capacity:?}");
    }
}

#[test]
fn plain_threads_send_and_a_full_channel_blocks_them() {
    silly::run(|| {
        let (tx, rx) = remote::bounded::<u32>(4);
        let sent = Arc::new(AtomicUsize::new(0));
        let count = sent.clone();
        let producer = std::thread::spawn(move || {
            for n in 0..100 {
                tx.send(n).unwrap();
                count.fetch_add(1, Ordering::SeqCst);
            }
        });
        for _ in 0..1000 {
            if sent.load(Ordering::SeqCst) == 4 {
                break;
            }
            time::sleep(Duration::from_millis(5));
        }
        time::sleep(Duration::from_millis(20));
        assert_eq!(sent.load(Ordering::SeqCst), 4, "blocked on the full queue");
        for n in 0..100 {
            assert_eq!(rx.recv(), Ok(n));
            assert!(sent.load(Ordering::SeqCst) <= n as usize + 1 + 4 + 1);
        }
        assert!(
            rx.recv().is_err(),
            "closed once the thread's sender is gone"
        );
        producer.join().unwrap();
    });
}

#[test]
fn a_coroutine_sender_waits_on_a_full_channel_while_its_runtime_runs() {
    silly::run(|| {
        let (tx, rx) = remote::bounded::<u32>(1);
        tx.send(0).unwrap();
        assert!(matches!(tx.try_send(1), Err(TrySendError::Full(1))));
        let sender = task::fork(move || tx.send(1).is_ok());
        let ticks = task::fork(|| {
            time::sleep(Duration::from_millis(5));
            "ran"
        });
        assert_eq!(ticks.join().unwrap(), "ran");
        assert!(!sender.is_finished(), "still waiting for room");
        assert_eq!(rx.recv(), Ok(0));
        assert!(sender.join().unwrap());
        assert_eq!(rx.recv(), Ok(1));
    });
}

#[test]
fn closing_either_side_is_seen_by_the_other() {
    silly::run(|| {
        let (tx, rx) = remote::channel::<String>();
        drop(rx);
        let err = tx.send("back".to_owned()).unwrap_err();
        assert_eq!(err.0, "back");
        assert!(tx.is_closed());

        let (tx, rx) = remote::channel::<u8>();
        let waiter = task::fork(move || rx.recv());
        task::yield_now();
        drop(tx);
        assert!(waiter.join().unwrap().is_err());

        let (_tx, rx) = remote::channel::<u8>();
        assert_eq!(
            rx.recv_timeout(Duration::from_millis(10)),
            Err(RecvTimeoutError::Timeout)
        );
    });
}

#[test]
fn a_cancelled_receiver_leaves_the_channel_usable() {
    silly::run(|| {
        let (tx, rx) = remote::channel::<u8>();
        let rx = Arc::new(rx);
        let r = rx.clone();
        let waiter = task::fork(move || r.recv());
        task::yield_now();
        waiter.task().cancel();
        assert!(waiter.join().unwrap_err().is_cancelled());
        let sender = std::thread::spawn(move || tx.send(9).unwrap());
        assert_eq!(rx.recv(), Ok(9));
        sender.join().unwrap();
    });
}

#[test]
fn spawn_on_returns_results_and_panics_across_runtimes() {
    let (done, wait_done) = remote::channel::<()>();
    let wait_done = PerRuntime::new(vec![None, Some(wait_done)]);
    let results = Builder::new().threads(2).run_each(move || {
        if let Some(wait_done) = wait_done.take() {
            let _ = wait_done.recv(); // serve runtime 0's tasks until it is done
            return String::new();
        }
        let other = runtimes()[1].clone();
        let there = task::spawn_on(&other, runtime_index).join().unwrap();
        assert_eq!(there, 1);
        let err = task::spawn_on(&other, || -> u8 { panic!("over there") })
            .join()
            .unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.message(), Some("over there"));
        // A panic there did not stop that runtime.
        let again = task::spawn_on(&other, || "still serving").join().unwrap();
        // From a plain thread too.
        let from_thread = std::thread::spawn(move || task::spawn_on(&other, || 7).join())
            .join()
            .unwrap()
            .unwrap();
        assert_eq!(from_thread, 7);
        done.send(()).unwrap();
        again.to_owned()
    });
    assert_eq!(results, ["still serving", ""]);
}

#[test]
fn spawn_on_a_stopped_runtime_is_an_error() {
    let handle = silly::run(silly::current_runtime);
    let err = silly::run(move || task::spawn_on(&handle, || 1).join().unwrap_err());
    assert!(!err.is_panic() && !err.is_cancelled());
    assert!(err.to_string().contains("stopped"), "{err}");
}

/// Each runtime listens on the same address (SO_REUSEPORT, set by `bind` when
/// several runtimes run); the kernel spreads connections over them.
#[test]
fn every_runtime_accepts_some_connections_on_one_address() {
    const CONNECTIONS: usize = 1_000;
    let (port_tx, port_rx) = remote::channel::<std::net::SocketAddr>();
    let port_rx = PerRuntime::new(vec![None, Some(port_rx)]);
    let (bound_tx, bound_rx) = remote::channel::<()>();
    let bound_rx = Mutex::new(Some(bound_rx));
    let accepted = Arc::new(AtomicUsize::new(0));
    let total = accepted.clone();
    let counts = Builder::new().threads(2).run_each(move || {
        use silly::net::tcp::TcpListener;
        // Runtime 0 picks the port; runtime 1 binds the same one.
        let listener = match port_rx.take() {
            None => {
                let listener = TcpListener::bind("127.0.0.1:0").unwrap();
                port_tx.send(listener.local_addr().unwrap()).unwrap();
                listener
            }
            Some(port_rx) => {
                let addr = port_rx.recv().unwrap();
                let listener = TcpListener::bind(addr).unwrap();
                bound_tx.send(()).unwrap();
                listener
            }
        };
        if runtime_index() == 0 {
            // Both listen: connect from a plain thread.
            let bound = bound_rx_take(&bound_rx);
            bound.recv().unwrap();
            let addr = listener.local_addr().unwrap();
            std::thread::spawn(move || {
                let conns: Vec<_> = (0..CONNECTIONS)
                    .map(|_| std::net::TcpStream::connect(addr).unwrap())
                    .collect();
                std::thread::sleep(Duration::from_millis(200));
                drop(conns);
            });
        }
        let mut mine = 0;
        while total.load(Ordering::SeqCst) < CONNECTIONS {
            match time::timeout(Duration::from_millis(20), || listener.accept()) {
                Ok(Ok(_conn)) => {
                    mine += 1;
                    total.fetch_add(1, Ordering::SeqCst);
                }
                Ok(Err(err)) => panic!("{err}"),
                Err(_elapsed) => {}
            }
        }
        mine
    });
    eprintln!("connections per runtime: {counts:?}");
    assert_eq!(counts.iter().sum::<usize>(), CONNECTIONS);
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
}

fn bound_rx_take(slot: &Mutex<Option<remote::Receiver<()>>>) -> remote::Receiver<()> {
    slot.lock().unwrap().take().unwrap()
}

#[test]
fn stats_per_runtime_and_in_total() {
    let (done, wait_done) = remote::channel::<()>();
    let wait_done = PerRuntime::new(vec![None, Some(wait_done)]);
    let all = Builder::new().threads(2).run_each(move || {
        if let Some(wait_done) = wait_done.take() {
            let sleepers: Vec<_> = (0..5)
                .map(|_| task::fork(|| time::sleep(Duration::from_secs(60))))
                .collect();
            let _ = wait_done.recv();
            for s in sleepers {
                s.task().cancel();
            }
            return Vec::new();
        }
        time::sleep(Duration::from_millis(20)); // runtime 1's sleepers start
        let all = silly::stats_all();
        done.send(()).unwrap();
        all
    });
    let all = &all[0];
    assert_eq!(all.len(), 2);
    assert!(all[1].timers >= 5, "{:?}", all[1]);
    assert!(all[1].live_tasks >= 6, "main + 5 sleepers: {:?}", all[1]);
    let total: silly::Stats = all.iter().copied().sum();
    assert_eq!(total.timers, all[0].timers + all[1].timers);
}
