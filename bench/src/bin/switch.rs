//! Only the context-switch loop of `micro`, for profilers.
//!
//! ```text
//! valgrind --tool=callgrind target/release/switch
//! ```

fn main() {
    const SWITCHES: u64 = 200_000;
    silly::run(|| {
        let a = silly::task::fork(|| (0..SWITCHES / 2).for_each(|_| silly::task::yield_now()));
        let b = silly::task::fork(|| (0..SWITCHES / 2).for_each(|_| silly::task::yield_now()));
        a.join().unwrap();
        b.join().unwrap();
    });
}
