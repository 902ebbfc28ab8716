//! A message as [`Socket::read_message`](crate::Socket::read_message) returns
//! it: text already a `String`.

use crate::frame::FrameType;

/// What [`Socket::read_message`](crate::Socket::read_message) read: a whole
/// data message (fragments reassembled) or a control frame.
///
/// Text arrives as a `String`: the socket checked it as UTF-8 while it came in
/// (invalid text fails the connection with 1007), so it is not checked again.
///
/// ```no_run
/// use silly_websocket::{connect, Message};
///
/// silly_runtime::run(|| {
///     let sock = connect("ws://127.0.0.1:8080", &[]).unwrap();
///     loop {
///         match sock.read_message() {
///             Ok(Message::Text(text)) => println!("text: {text}"),
///             Ok(Message::Binary(data)) => println!("{} bytes", data.len()),
///             Ok(Message::Close(close)) => break println!("closed: {close:?}"),
///             Ok(_) => {} // ping (answered for us) or pong
///             Err(err) => break eprintln!("{err}"),
///         }
///     }
/// });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
    /// A ping, with its payload (at most 125 bytes). With `auto_pong` (the
    /// default) it has been answered already.
    Ping(Vec<u8>),
    /// A pong, with its payload.
    Pong(Vec<u8>),
    /// The peer's close frame: its code and reason, `None` when it carried no
    /// code. The close has been answered and the connection closed (as
    /// [`Socket::peer_close`](crate::Socket::peer_close) then also says).
    Close(Option<(u16, String)>),
}

impl Message {
    /// The frame type [`Socket::read`](crate::Socket::read) gives this message.
    pub fn frame_type(&self) -> FrameType {
        match self {
            Message::Text(_) => FrameType::Text,
            Message::Binary(_) => FrameType::Binary,
            Message::Ping(_) => FrameType::Ping,
            Message::Pong(_) => FrameType::Pong,
            Message::Close(_) => FrameType::Close,
        }
    }

    /// The message as [`Socket::read`](crate::Socket::read) gives it: its
    /// bytes (for a close, the payload as sent: code and reason) and type.
    pub fn into_parts(self) -> (Vec<u8>, FrameType) {
        let kind = self.frame_type();
        let data = match self {
            Message::Text(text) => text.into_bytes(),
            Message::Binary(data) | Message::Ping(data) | Message::Pong(data) => data,
            Message::Close(None) => Vec::new(),
            Message::Close(Some((code, reason))) => crate::close::payload(code, &reason),
        };
        (data, kind)
    }
}
