//! permessage-deflate (RFC 7692): the settings ([`Compression`]), the
//! handshake's negotiation, and the codec that compresses and inflates
//! messages.

mod codec;
mod negotiate;
mod prepared;
mod settings;

pub(crate) use self::codec::{give_scratch, take_scratch, Deflater, Inflater, Payload};
#[cfg(fuzzing)]
pub(crate) use self::negotiate::Direction;
pub(crate) use self::negotiate::{accept, check_response, offer, Agreed};
pub use self::prepared::PreparedMessage;
pub use self::settings::{Compression, ContextMode};
