//! Idle keep-alive connections, per origin.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::address::PoolKey;
use crate::http::wire::Wire;

/// A client's idle connections: at most `max_idle_per_host` per key, none
/// older than `idle_timeout` reused.
pub(super) struct Pool {
    idle: RefCell<HashMap<PoolKey, Vec<Idle>>>,
    max_idle_per_host: usize,
    idle_timeout: Option<Duration>,
}

struct Idle {
    wire: Wire,
    since: Instant,
}

impl Pool {
    pub(super) fn new(max_idle_per_host: usize, idle_timeout: Option<Duration>) -> Pool {
        Pool {
            idle: RefCell::new(HashMap::new()),
            max_idle_per_host,
            idle_timeout,
        }
    }

    /// How many connections are idle, all keys together.
    pub(super) fn len(&self) -> usize {
        self.idle.borrow().values().map(Vec::len).sum()
    }

    /// An idle connection for `key` still fit to carry a request.
    pub(super) fn checkout(&self, key: &PoolKey) -> Option<Wire> {
        let mut pool = self.idle.borrow_mut();
        let idle = pool.get_mut(key)?;
        // The server may have closed a connection while it sat here (its
        // keep-alive timeout is often shorter than ours): a request written to
        // it would be lost, and only idempotent ones could be repeated.
        while let Some(entry) = idle.pop() {
            if self.fresh(&entry) && entry.wire.is_idle_open() {
                return Some(entry.wire);
            }
        }
        None
    }

    /// Keeps `wire`, whose exchange ended cleanly, for the next request to `key`.
    pub(super) fn checkin(&self, key: PoolKey, wire: Wire) {
        let mut pool = self.idle.borrow_mut();
        let idle = pool.entry(key).or_default();
        idle.retain(|e| self.fresh(e));
        if idle.len() < self.max_idle_per_host {
            idle.push(Idle {
                wire,
                since: Instant::now(),
            });
        }
    }

    /// Whether an idle connection is young enough to be reused.
    fn fresh(&self, idle: &Idle) -> bool {
        self.idle_timeout
            .is_none_or(|max| idle.since.elapsed() < max)
    }
}
