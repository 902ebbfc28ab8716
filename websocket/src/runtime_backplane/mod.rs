//! Fan-out across the runtimes of one process: a [`RuntimeBackplane`]
//! links one [`Hub`](crate::Hub) per runtime, so that what is published on
//! one reaches the subscribers of all. The design is on the type.

mod backplane;
mod config;
mod links;
mod port;
mod stats;

pub use self::backplane::RuntimeBackplane;
pub use self::config::RuntimeBackplaneConfig;
pub use self::stats::RuntimeBackplaneStats;
