//! How an example's hub reaches the hubs it shares topics with: the other
//! runtimes of the process (`websocket::RuntimeBackplane`: bounded, one
//! batch per loop turn), or, with `--redis URL`, every hub of every node
//! connected to that Redis server.
//!
//! With `--redis`, each runtime's hub gets a Redis backplane of its own
//! (its own node id and connections) and the runtime backplane is not
//! used: Redis carries messages between the runtimes of one process as
//! between processes. Composing both would deliver a message twice on the
//! runtimes that get it from both; one path keeps it simple:
//! every client of every runtime of every node gets each message once, in
//! each sender's order (one publishing connection per runtime). Redis
//! pub/sub is at most once: while it is unreachable, messages stay on the
//! runtime they were published on.

use std::io;
use std::rc::Rc;

use silly::net::websocket::{Hub, RuntimeBackplane};
use silly::redis::{self, BackplaneConfig, HubBackplane};

/// Joins `hub` to the others: through Redis channels `PREFIX:topic` when
/// `redis` is a URL, else through `runtimes` (made for `--threads N`
/// hubs). Call on the hub's runtime, before it has subscribers.
pub fn join(
    hub: &Hub,
    runtimes: &RuntimeBackplane,
    redis: Option<&str>,
    prefix: &str,
) -> io::Result<Option<Rc<HubBackplane>>> {
    let Some(url) = redis else {
        runtimes.attach(hub).map_err(io::Error::other)?;
        return Ok(None);
    };
    let config = redis::Config::from_url(url).map_err(io::Error::other)?;
    let backplane = HubBackplane::attach(
        hub,
        config,
        BackplaneConfig::default().prefix(prefix.to_owned()),
    )
    .map_err(|e| io::Error::other(format!("redis backplane: {e}")))?;
    log::info!(
        "runtime {}: node {:016x} joined {url} (channels {prefix}:*)",
        silly::runtime_index(),
        backplane.node_id()
    );
    Ok(Some(backplane))
}
