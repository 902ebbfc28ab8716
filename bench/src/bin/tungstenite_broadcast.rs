//! WebSocket broadcast with tokio-tungstenite on Tokio current_thread, the
//! peer of `examples/broadcast.rs`: every text message any client sends goes
//! to every client, through a bounded outbox per client (`silly_bench::room`).
//!
//! ```text
//! tungstenite_broadcast ADDR [--batch]
//! ```
//!
//! The writer task sends one message at a time (`sink.send`, as axum's chat
//! example does), or with `--batch` feeds every queued message and flushes
//! once (what tokio-tungstenite's own server example gets from `forward`).

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use silly_bench::peer;
use silly_bench::room::{Member, Room, TOO_SLOW};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error, Message, Utf8Bytes};

type Sink = futures_util::stream::SplitSink<
    tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    Message,
>;

/// Sends each message as it comes: one write per message.
async fn write_each(sink: &mut Sink, member: &mut Member<Utf8Bytes>) -> Result<(), Error> {
    while let Some(text) = member.recv().await {
        sink.send(Message::Text(text)).await?;
    }
    Ok(())
}

/// Feeds everything queued, then flushes once: one write per batch.
async fn write_batched(sink: &mut Sink, member: &mut Member<Utf8Bytes>) -> Result<(), Error> {
    while let Some(text) = member.recv().await {
        sink.feed(Message::Text(text)).await?;
        while let Some(text) = member.try_recv() {
            sink.feed(Message::Text(text)).await?;
        }
        sink.flush().await?;
    }
    Ok(())
}

fn main() {
    let (addr, _) = peer::args();
    let batch = std::env::args().any(|a| a == "--batch");
    let room = Arc::new(Room::<Utf8Bytes>::default());
    peer::runtime(false).block_on(peer::accept_loop(&addr, move |stream| {
        let room = room.clone();
        async move {
            let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
                return;
            };
            let (mut sink, mut incoming) = ws.split();
            let mut member = room.join();
            let id = member.id;
            tokio::spawn(async move {
                let sent = if batch {
                    write_batched(&mut sink, &mut member).await
                } else {
                    write_each(&mut sink, &mut member).await
                };
                if sent.is_ok() && member.is_too_slow() {
                    let close = CloseFrame {
                        code: CloseCode::from(TOO_SLOW),
                        reason: "too slow".into(),
                    };
                    let _ = sink.send(Message::Close(Some(close))).await;
                }
            });
            while let Some(Ok(message)) = incoming.next().await {
                match message {
                    Message::Text(text) => room.publish(text),
                    Message::Close(_) => break,
                    _ => {}
                }
            }
            room.leave(id);
        }
    }));
}
