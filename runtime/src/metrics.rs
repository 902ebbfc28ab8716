//! Counters a runtime keeps for monitoring, and the pieces the other crates
//! count with: per-thread [`Counter`], [`Gauge`] and [`Histogram`].
//!
//! Each runtime is one thread, so a count is a `Cell` in a `thread_local!`:
//! counting is a plain add, no atomic and nothing shared between cores. A
//! scrape (`silly::metrics`) asks every runtime for its own values on its
//! own thread and sums them, as [`stats_all`](crate::stats_all) does.
//!
//! Counting is always on; what needs a clock read (the latency histograms,
//! the loop turn time) is taken only once [`enable`] was called (mounting
//! `silly::metrics::handler()` does), so a process that exports nothing pays
//! no `Instant::now()` for it.
//!
//! ```
//! use silly_runtime::metrics::{Counter, Histogram};
//! use std::time::Duration;
//!
//! thread_local! {
//!     static JOBS: Counter = const { Counter::new() };
//!     static JOB_TIME: Histogram = const { Histogram::new() };
//! }
//!
//! JOBS.with(|c| c.add(1));
//! JOB_TIME.with(|h| h.observe(Duration::from_micros(300)));
//! assert_eq!(JOBS.with(Counter::get), 1);
//! let time = JOB_TIME.with(Histogram::snapshot);
//! assert_eq!(time.count, 1);
//! assert_eq!(time.cumulative()[4], (0.00025, 0));
//! assert_eq!(time.cumulative()[5], (0.0005, 1)); // in the 500 µs bucket
//! ```

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::LocalKey;
use std::time::{Duration, Instant};

use crate::subsystems::pool::DEFAULT_POOL;

/// Whether timing is on (see [`enable`]): one process-wide flag, read with a
/// relaxed load (a plain load: no read-modify-write, no cache line bouncing).
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns on what metrics need a clock for: request latency, loop turn time.
/// Process-wide and for good (there is no `disable`: a histogram that stops
/// and starts again would mislead). Counters count either way.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Whether [`enable`] was called.
#[inline]
pub fn is_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// `Instant::now()` if timing is on, else `None` (no clock read): the start
/// of something a histogram will time with [`Histogram::observe_since`].
#[inline]
pub fn start() -> Option<Instant> {
    if is_enabled() {
        Some(Instant::now())
    } else {
        None
    }
}

/// A count that only grows, kept by one thread (put it in a `thread_local!`).
#[derive(Debug, Default)]
pub struct Counter(Cell<u64>);

impl Counter {
    /// Zero.
    pub const fn new() -> Counter {
        Counter(Cell::new(0))
    }

    /// Adds `n`.
    #[inline]
    pub fn add(&self, n: u64) {
        self.0.set(self.0.get().wrapping_add(n));
    }

    /// The count so far.
    pub fn get(&self) -> u64 {
        self.0.get()
    }
}

/// A count that goes up and down (things open now), kept by one thread. A
/// thread's value may be negative (a socket opened on one runtime and dropped
/// on another); the sum over the runtimes is what means something.
#[derive(Debug, Default)]
pub struct Gauge(Cell<i64>);

impl Gauge {
    /// Zero.
    pub const fn new() -> Gauge {
        Gauge(Cell::new(0))
    }

    /// Adds `n` (negative to take away).
    #[inline]
    pub fn add(&self, n: i64) {
        self.0.set(self.0.get().wrapping_add(n));
    }

    /// The value now.
    pub fn get(&self) -> i64 {
        self.0.get()
    }
}

/// Upper bounds of the [`Histogram`] buckets, in seconds: 10 µs to 10 s, about
/// three per decade (a loop turn takes microseconds, a slow request seconds).
pub const BUCKETS: [f64; 19] = [
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// [`BUCKETS`] in nanoseconds, compared with durations without floats.
const BUCKET_NANOS: [u64; 19] = [
    10_000,
    25_000,
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
];

/// Durations in fixed [`BUCKETS`], kept by one thread: no allocation, an
/// observation is a few adds.
#[derive(Debug)]
pub struct Histogram {
    /// Per bucket (not cumulative); the last one is past 10 s (`+Inf`).
    buckets: [Cell<u64>; BUCKETS.len() + 1],
    sum_nanos: Cell<u64>,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

impl Histogram {
    /// Empty.
    pub const fn new() -> Histogram {
        Histogram {
            buckets: [const { Cell::new(0) }; BUCKETS.len() + 1],
            sum_nanos: Cell::new(0),
        }
    }

    /// Counts one duration.
    pub fn observe(&self, d: Duration) {
        self.observe_n(d, 1);
    }

    /// Counts `n` observations of the same duration.
    fn observe_n(&self, d: Duration, n: u64) {
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        // The first bound at or above `nanos` (BUCKETS.len(): past them all),
        // by bisection: five comparisons whatever the duration.
        let i = BUCKET_NANOS.partition_point(|&bound| bound < nanos);
        self.buckets[i].set(self.buckets[i].get() + n);
        let sum = self.sum_nanos.get();
        self.sum_nanos
            .set(sum.saturating_add(nanos.saturating_mul(n)));
    }

    /// Counts the time since `start`, if there is one (see [`start`]).
    #[inline]
    pub fn observe_since(&self, start: Option<Instant>) {
        if let Some(start) = start {
            self.observe(start.elapsed());
        }
    }

    /// The counts so far.
    pub fn snapshot(&self) -> HistogramSnapshot {
        let mut buckets = [0; BUCKETS.len() + 1];
        for (out, cell) in buckets.iter_mut().zip(&self.buckets) {
            *out = cell.get();
        }
        HistogramSnapshot {
            count: buckets.iter().sum(),
            sum: Duration::from_nanos(self.sum_nanos.get()).as_secs_f64(),
            buckets,
        }
    }
}

/// A [`Histogram`]'s counts at one moment: plain data, `Send`, and summed
/// over runtimes with `+`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub struct HistogramSnapshot {
    /// Observations per bucket of [`BUCKETS`] (not cumulative); the last
    /// element counts those past the last bound.
    pub buckets: [u64; BUCKETS.len() + 1],
    /// How many observations.
    pub count: u64,
    /// Their sum, in seconds.
    pub sum: f64,
}

impl HistogramSnapshot {
    /// `(upper bound in seconds, observations at or below it)` for each of
    /// [`BUCKETS`], as Prometheus wants them (`+Inf` is [`count`](Self::count)).
    pub fn cumulative(&self) -> Vec<(f64, u64)> {
        let mut total = 0;
        BUCKETS
            .iter()
            .zip(&self.buckets)
            .map(|(&bound, &n)| {
                total += n;
                (bound, total)
            })
            .collect()
    }
}

impl std::ops::Add for HistogramSnapshot {
    type Output = HistogramSnapshot;

    fn add(mut self, other: HistogramSnapshot) -> HistogramSnapshot {
        for (a, b) in self.buckets.iter_mut().zip(other.buckets) {
            *a += b;
        }
        self.count += other.count;
        self.sum += other.sum;
        self
    }
}

/// Counts by a numeric code (HTTP status, WebSocket close code), in order
/// of code, with only the codes seen: what a labelled counter exports, and
/// summed over runtimes with `+`.
///
/// ```
/// use silly_runtime::metrics::CountsByCode;
///
/// let a = CountsByCode::from(vec![(200, 3), (404, 1)]);
/// let b = CountsByCode::from(vec![(200, 2), (500, 1)]);
/// let sum = a + b;
/// assert_eq!(sum.get(200), 5);
/// assert_eq!(sum.get(302), 0);
/// assert_eq!(sum.iter().map(|&(code, _)| code).collect::<Vec<_>>(), [200, 404, 500]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountsByCode(Vec<(u16, u64)>);

impl CountsByCode {
    /// The count of `code` (0 if never seen).
    pub fn get(&self, code: u16) -> u64 {
        match self.0.binary_search_by_key(&code, |&(c, _)| c) {
            Ok(at) => self.0[at].1,
            Err(_) => 0,
        }
    }

    /// `(code, count)` pairs, in order of code.
    pub fn iter(&self) -> std::slice::Iter<'_, (u16, u64)> {
        self.0.iter()
    }
}

impl<'a> IntoIterator for &'a CountsByCode {
    type Item = &'a (u16, u64);
    type IntoIter = std::slice::Iter<'a, (u16, u64)>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl From<Vec<(u16, u64)>> for CountsByCode {
    /// From pairs in any order; a code given twice is summed.
    fn from(pairs: Vec<(u16, u64)>) -> CountsByCode {
        pairs
            .into_iter()
            .fold(CountsByCode::default(), |mut total, (code, n)| {
                match total.0.binary_search_by_key(&code, |&(c, _)| c) {
                    Ok(at) => total.0[at].1 += n,
                    Err(at) => total.0.insert(at, (code, n)),
                }
                total
            })
    }
}

impl std::ops::Add for CountsByCode {
    type Output = CountsByCode;

    fn add(self, other: CountsByCode) -> CountsByCode {
        let mut pairs = self.0;
        pairs.extend(other.0);
        CountsByCode::from(pairs)
    }
}

/// Observations [`observe_at_turn_end`] keeps until the turn ends: a
/// histogram, a start, and how many began then. Requests read in one turn and
/// answered in it share one entry; past this many entries in a turn, an
/// observation is made at once, with a clock read of its own.
const PENDING: usize = 16;

/// What waits for the end of the turn: `PENDING` entries, the first `.1` in use.
type Pending = (
    [Option<(&'static LocalKey<Histogram>, Instant, u64)>; PENDING],
    usize,
);

thread_local! {
    /// How long each turn of this thread's loop ran (from the return of the
    /// poll to the next poll), while timing is on.
    static LOOP_TURNS: Histogram = const { Histogram::new() };
    /// Observations waiting for the clock read that ends this turn.
    static AT_TURN_END: RefCell<Pending> = const { RefCell::new(([None; PENDING], 0)) };
    /// When the current turn of this thread's loop began, while timing is
    /// on: a plain cell, cheaper to read per request than the runtime's own
    /// clock behind its context.
    static TURN_BEGAN: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The loop: a turn began at `now` (the loop's clock for it).
#[inline]
pub(crate) fn turn_began(now: Instant) {
    if is_enabled() {
        TURN_BEGAN.with(|t| t.set(Some(now)));
    }
}

/// The loop: a turn that began at `began` (the loop's clock for that turn)
/// is over. Reads the clock only while timing is on, once for the turn and
/// for what [`observe_at_turn_end`] left.
#[inline]
pub(crate) fn turn_done(began: Instant) {
    if is_enabled() {
        let now = Instant::now();
        LOOP_TURNS.with(|h| h.observe(now.saturating_duration_since(began)));
        let (pending, used) = AT_TURN_END.with(|p| {
            let mut p = p.borrow_mut();
            let used = std::mem::take(&mut p.1);
            (p.0, used)
        });
        for (histogram, start, n) in pending[..used].iter().flatten() {
            histogram.with(|h| h.observe_n(now.saturating_duration_since(*start), *n));
        }
    }
}

/// Counts, in `histogram`, the time from `start` to the end of the current
/// loop turn (its next poll), when the turn's clock is read anyway: no
/// clock read per observation. The end is then late by what is left of the
/// turn after the call, so this suits what ends where the loop is about to
/// poll: a request answered and flushed by its coroutine in this turn.
/// Nothing is counted while timing is off (`start` is `None` then, from
/// [`turn_start`] or [`start`]).
///
/// ```
/// use silly_runtime::metrics::{self, Histogram};
/// use std::time::Duration;
///
/// thread_local! {
///     static WORK: Histogram = const { Histogram::new() };
/// }
///
/// silly_runtime::run(|| {
///     metrics::enable();
///     silly_runtime::time::sleep(Duration::from_millis(1)); // a turn with timing on
///     metrics::observe_at_turn_end(&WORK, metrics::turn_start());
///     assert_eq!(WORK.with(Histogram::snapshot).count, 0, "counted when the turn ends");
///     silly_runtime::time::sleep(Duration::from_millis(1)); // the loop polls
///     assert_eq!(WORK.with(Histogram::snapshot).count, 1);
/// });
/// ```
#[inline]
pub fn observe_at_turn_end(histogram: &'static LocalKey<Histogram>, start: Option<Instant>) {
    let Some(start) = start else { return };
    let full = AT_TURN_END.with(|p| {
        let (entries, used) = &mut *p.borrow_mut();
        if let Some(Some((h, s, n))) = used.checked_sub(1).map(|last| &mut entries[last]) {
            if std::ptr::eq(*h, histogram) && *s == start {
                *n += 1;
                return false;
            }
        }
        if *used == PENDING {
            return true;
        }
        entries[*used] = Some((histogram, start, 1));
        *used += 1;
        false
    });
    if full {
        histogram.with(|h| h.observe(start.elapsed()));
    }
}

/// When the current turn of this thread's loop began
/// ([`time::loop_now`](crate::time::loop_now)), if timing is on (see
/// [`enable`]); `None` otherwise, and before the first turn after `enable`.
/// The start of something timed from the moment its input arrived, without
/// a clock read of its own: how `silly-net` times a request from the turn
/// that read its head.
#[inline]
pub fn turn_start() -> Option<Instant> {
    if is_enabled() {
        TURN_BEGAN.with(Cell::get)
    } else {
        None
    }
}

/// The loop turn times of the runtime on this thread (see [`enable`]): the
/// time from the loop's wake-up (its poll returned) to its next poll, that
/// is, how long ready coroutines, timers and I/O wake-ups kept it busy.
pub fn loop_turns() -> HistogramSnapshot {
    LOOP_TURNS.with(Histogram::snapshot)
}

/// Jobs waiting in the process's default blocking pool (the one
/// [`task::spawn_blocking`](crate::task::spawn_blocking) uses) for a free
/// thread: one number for the whole process, not per runtime.
pub fn blocking_queue() -> usize {
    DEFAULT_POOL.queued()
}

#[cfg(test)]
mod tests;
