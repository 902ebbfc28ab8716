//! The hub's way onto a socket's wire: corked writes of frames made once for
//! many sockets, the wire held across a write cut short, and a hook for the
//! end of the connection. Crate-private: the [`Hub`](crate::Hub) is the only
//! user, and it keeps the rules [`Cork`] states.

use std::io::{self, IoSlice};
use std::rc::Rc;

use super::{Cork, Socket};
use crate::deflate::Deflater;

impl Socket {
    /// Names the connection while a handle on it lives: equal for every
    /// clone.
    pub(crate) fn key(&self) -> usize {
        Rc::as_ptr(&self.inner) as *const () as usize
    }

    /// Whether messages may still be sent (no close frame sent or received).
    pub(crate) fn is_open(&self) -> bool {
        self.inner.closing.is_open()
    }

    /// Whether our frames are masked: a client socket (RFC 6455, section
    /// 5.1). The hub's frames are made unmasked, for server sockets only.
    pub(crate) fn masks(&self) -> bool {
        self.inner.role == super::Role::Client
    }

    /// The compressor, with permessage-deflate.
    pub(crate) fn deflater(&self) -> Option<&Deflater> {
        self.inner.writer.deflater()
    }

    /// See [`Writer::try_cork`](super::writer::Writer::try_cork).
    pub(crate) fn try_cork(&self, bufs: &[IoSlice<'_>]) -> io::Result<Cork> {
        self.inner.writer.try_cork(&self.inner.conn, bufs)
    }

    /// Takes the wire, waiting for the writer before it.
    pub(crate) fn hold_wire(&self) {
        self.inner.writer.hold()
    }

    /// Writes while holding the wire, suspending as a write does.
    pub(crate) fn write_held(&self, bufs: &mut [IoSlice<'_>]) -> io::Result<()> {
        self.inner.writer.write_held(&self.inner.conn, bufs)
    }

    /// Gives the wire back (pending control frames go out first).
    pub(crate) fn release_wire(&self) -> io::Result<()> {
        self.inner.writer.release(&self.inner.conn)
    }

    /// Gives the wire back without sending the control frames that wait
    /// (they would need a write that may suspend): for a connection that
    /// failed, or a writer being unwound.
    pub(crate) fn release_permit(&self) {
        self.inner.writer.release_permit()
    }

    /// Ends the connection at once for `why`, without a close frame and
    /// without suspending: what is left of a frame cut short could not be
    /// followed by one, and a socket that took nothing for its write
    /// timeout would not take one either. The reading coroutine sees the
    /// end; later calls fail with `why`.
    pub(crate) fn abort_for(&self, why: &'static str) {
        self.inner.closing.abort(&self.inner.conn, why);
    }

    /// Has `hook` called when the connection ends, under `key`; false if it
    /// has ended already (no hook then).
    pub(crate) fn on_end(&self, key: u64, hook: Box<dyn FnOnce()>) -> bool {
        self.inner.closing.on_end(key, hook)
    }

    /// Forgets the hook added under `key`.
    pub(crate) fn forget_on_end(&self, key: u64) {
        self.inner.closing.forget_on_end(key)
    }
}
