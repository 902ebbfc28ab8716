//! Where a hub's publishes go beyond this runtime: other runtimes of the
//! process, other nodes through a broker.

use crate::frame::FrameType;

/// Carries a [`Hub`](crate::Hub)'s publishes to the hubs of other runtimes
/// or nodes. Between the runtimes of one process, use
/// [`RuntimeBackplane`](crate::RuntimeBackplane); silly-redis's
/// `HubBackplane` reaches other processes through a broker.
///
/// [`Hub::publish`](crate::Hub::publish) delivers to this runtime's
/// subscribers, then calls [`publish`](Self::publish) once (not once per
/// subscriber). On the receiving side, the backplane hands each message to
/// [`Hub::deliver`](crate::Hub::deliver), which reaches the local
/// subscribers only: a message never comes back around (no echo loops).
///
/// Order: a backplane that keeps the order of one sender's messages (one
/// channel per pair of runtimes; one connection to a broker) keeps the
/// hub's promise that one publisher's messages reach every subscriber in
/// the order sent.
///
/// The methods must not suspend for long: they run inside `publish`. A
/// backplane that talks to the network queues (boundedly) and sends from
/// its own coroutine.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use silly_websocket::{Backplane, FrameType, Hub};
///
/// /// Records what would leave this runtime.
/// #[derive(Default)]
/// struct Log(RefCell<Vec<String>>);
///
/// impl Backplane for Log {
///     fn publish(&self, topic: &str, data: &[u8], _kind: FrameType) {
///         self.0.borrow_mut().push(format!("{topic}: {}", String::from_utf8_lossy(data)));
///     }
/// }
///
/// silly_runtime::run(|| {
///     let hub = Hub::new();
///     let log = Rc::new(Log::default());
///     hub.set_backplane(log.clone());
///     hub.publish_text("news", "hello").unwrap();
///     assert_eq!(*log.0.borrow(), ["news: hello"]);
/// });
/// ```
pub trait Backplane {
    /// A message published on this runtime, for the others (`kind` is
    /// `Text`, already checked as UTF-8, or `Binary`).
    fn publish(&self, topic: &str, data: &[u8], kind: FrameType);

    /// `topic` got its first subscriber on this hub: a broker backplane
    /// subscribes to it. Does nothing by default.
    fn topic_opened(&self, topic: &str) {
        let _ = topic;
    }

    /// `topic` lost its last subscriber on this hub. Does nothing by
    /// default.
    fn topic_closed(&self, topic: &str) {
        let _ = topic;
    }
}
