//! What an upgrade hands over.

use crate::conn::Conn;

/// A connection taken over after `101 Switching Protocols`, with the bytes the
/// peer already sent past the HTTP head (the start of the new protocol).
pub type Upgraded = (Conn, Vec<u8>);
