//! The limit on connections per client address: how many each address holds
//! open, and what is refused beyond it.
//!
//! Nothing here runs while the limit is off: the accept loop reads one
//! `Cell` per connection and goes on, with no map, no hash and no
//! allocation. On, each accepted connection costs one lookup in a map of
//! the addresses that have connections open (std's `HashMap`: its keyed
//! hash keeps a client from choosing addresses that collide), and its
//! [`AddressSlot`] one more when it closes.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::IoSlice;
use std::net::{IpAddr, Shutdown};
use std::rc::Rc;

use silly_runtime::config::ConfigError;

use super::stream::TcpStream;

/// One server's limit, its counts and its refusals.
#[derive(Debug, Default)]
pub(crate) struct AddressLimit {
    /// Most connections open at once per address; `None`: no limit.
    max: Cell<Option<usize>>,
    /// Open connections per address, of those accepted while the limit was
    /// on; an address leaves the map with its last connection.
    open: RefCell<HashMap<IpAddr, usize>>,
    /// Connections this server refused.
    refused: Cell<u64>,
    /// Sent, if the socket takes it at once, to a connection refused: a
    /// protocol's answer (HTTP's 429) before the close.
    refusal: Cell<&'static [u8]>,
}

/// Connections refused on this runtime, every server together.
#[derive(Debug, Default)]
struct RuntimeRefused(Cell<u64>);

/// How many connections the servers of the calling runtime (thread) have
/// refused because their client address had
/// [`max_connections_per_ip`](super::Server::set_max_connections_per_ip)
/// open already, since the runtime started. Each runtime of
/// `silly_runtime::Builder::run_each` counts its own: sum them for the
/// process. [`Server::refused_connections`](super::Server::refused_connections)
/// counts one server's.
///
/// # Panics
///
/// Outside a runtime ([`silly_runtime::run`]).
pub fn refused_connections() -> u64 {
    silly_runtime::runtime_local(RuntimeRefused::default)
        .0
        .get()
}

impl AddressLimit {
    /// Sets the limit (`None`: off), counts and refusal bytes kept.
    pub(crate) fn set_max(&self, max: Option<usize>) -> Result<(), ConfigError> {
        if max == Some(0) {
            return Err(ConfigError::new(
                "Server",
                "max_connections_per_ip",
                "must be at least 1 (None turns the limit off)",
            ));
        }
        self.max.set(max);
        Ok(())
    }

    /// The bytes tried on a refused connection before it closes (empty:
    /// none), for the server's protocol.
    pub(crate) fn set_refusal(&self, refusal: &'static [u8]) {
        self.refusal.set(refusal);
    }

    pub(crate) fn max(&self) -> Option<usize> {
        self.max.get()
    }

    pub(crate) fn refused(&self) -> u64 {
        self.refused.get()
    }

    /// Admits a connection just accepted from `peer`: `Ok(None)` with the
    /// limit off, `Ok(Some(slot))` counted under its address until the slot
    /// drops, or `Err(Full)` when its address has the most it may hold.
    pub(crate) fn admit(self: &Rc<Self>, peer: IpAddr) -> Result<Option<AddressSlot>, Full> {
        let Some(max) = self.max.get() else {
            return Ok(None);
        };
        // `::ffff:a.b.c.d` on a dual-stack socket is the IPv4 client a.b.c.d:
        // one address, however it arrived.
        let ip = peer.to_canonical();
        let mut open = self.open.borrow_mut();
        let count = open.entry(ip).or_insert(0);
        if *count >= max {
            return Err(Full);
        }
        *count += 1;
        Ok(Some(AddressSlot {
            limit: self.clone(),
            ip,
        }))
    }

    /// Counts `conn` refused and closes it, after a try at the refusal bytes
    /// that never waits (a client that does not read gets none).
    pub(crate) fn refuse(&self, conn: TcpStream) {
        self.refused.set(self.refused.get() + 1);
        let runtime = silly_runtime::runtime_local(RuntimeRefused::default);
        runtime.0.set(runtime.0.get() + 1);
        let refusal = self.refusal.get();
        if !refusal.is_empty() && conn.try_write_vectored(&[IoSlice::new(refusal)]).is_ok() {
            // The answer, then the end of the stream after it.
            let _ = conn.shutdown(Shutdown::Write);
        }
    }

    fn release(&self, ip: IpAddr) {
        let mut open = self.open.borrow_mut();
        if let Some(count) = open.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&ip);
            }
        }
    }
}

/// The address of a new connection holds the most it may.
#[derive(Debug)]
pub(crate) struct Full;

/// A connection counted under its client address: dropped when the
/// connection's handler ends (returns, panics, or is cancelled and
/// unwound), which gives the address its place back.
#[derive(Debug)]
pub(crate) struct AddressSlot {
    limit: Rc<AddressLimit>,
    ip: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        self.limit.release(self.ip);
    }
}
