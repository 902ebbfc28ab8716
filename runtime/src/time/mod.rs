//! Sleeping, timers and clocks (silly's `silly.time`).
//!
//! ```
//! use silly_runtime::{run, time};
//! use std::time::Duration;
//!
//! run(|| {
//!     let t0 = time::monotonic();
//!     time::sleep(Duration::from_millis(20));
//!     assert!(time::monotonic() - t0 >= 20);
//!
//!     let timer = time::after(Duration::from_secs(3600), || unreachable!());
//!     assert!(timer.cancel());
//! });
//! ```

mod after;
mod clock;
pub(crate) mod deadline;
pub(crate) mod elapsed;
mod sleep;
mod timeout;

pub use self::after::{after, at, Timer};
pub use self::clock::{loop_now, monotonic, now};
pub use self::deadline::{deadline, loop_deadline};
pub use self::elapsed::Elapsed;
pub use self::sleep::{sleep, sleep_until};
pub use self::timeout::{timeout, timeout_at};
