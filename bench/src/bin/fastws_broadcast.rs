//! WebSocket broadcast with fastwebsockets on Tokio current_thread (upgrade
//! through hyper), the peer of `examples/broadcast.rs`: every text message
//! any client sends goes to every client, through a bounded outbox per client
//! (`silly_bench::room`).
//!
//! ```text
//! fastws_broadcast ADDR [--batch]
//! ```
//!
//! The socket is split (`tokio::io::split`) between the reader and a writer
//! task. The writer sends one frame at a time (fastwebsockets writes each
//! frame straight to the socket: one `write` per frame), or with `--batch`
//! writes every queued frame into a `BufWriter` around the socket and flushes
//! once: fastwebsockets 0.10 has no auto-flush switch of its own, so
//! buffering the stream is how its user batches.

use std::sync::Arc;

use fastwebsockets::{upgrade, FragmentCollectorRead, Frame, OpCode, Payload, WebSocketError};
use http_body_util::Empty;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use silly_bench::peer;
use silly_bench::room::{Member, Room, TOO_SLOW};
use tokio::io::{AsyncRead, AsyncWrite};

type Writer<W> = fastwebsockets::WebSocketWrite<W>;

/// Writes each message as it comes, or with `batch` every queued one before
/// flushing once.
async fn write_all<W: AsyncWrite + Unpin>(
    ws: &mut Writer<W>,
    member: &mut Member<Bytes>,
    batch: bool,
) -> Result<(), WebSocketError> {
    while let Some(text) = member.recv().await {
        ws.write_frame(Frame::text(Payload::Borrowed(&text)))
            .await?;
        if batch {
            while let Some(text) = member.try_recv() {
                ws.write_frame(Frame::text(Payload::Borrowed(&text)))
                    .await?;
            }
            ws.flush().await?;
        }
    }
    if member.is_too_slow() {
        ws.write_frame(Frame::close(TOO_SLOW, b"too slow")).await?;
        ws.flush().await?;
    }
    Ok(())
}

async fn serve(
    pending: upgrade::UpgradeFut,
    room: Arc<Room<Bytes>>,
    batch: bool,
) -> Result<(), WebSocketError> {
    let ws = pending.await?;
    if batch {
        let (read, write) = ws.split(|io| {
            let (read, write) = tokio::io::split(io);
            (read, tokio::io::BufWriter::new(write))
        });
        relay(read, write, room, true).await
    } else {
        let (read, write) = ws.split(tokio::io::split);
        relay(read, write, room, false).await
    }
}

/// Runs the writer task and, in this task, the reader until the client leaves.
async fn relay<R, W>(
    read: fastwebsockets::WebSocketRead<R>,
    mut write: Writer<W>,
    room: Arc<Room<Bytes>>,
    batch: bool,
) -> Result<(), WebSocketError>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let mut member = room.join();
    let id = member.id;
    tokio::spawn(async move {
        let _ = write_all(&mut write, &mut member, batch).await;
    });
    let mut read = FragmentCollectorRead::new(read);
    // The workload sends no pings, and a close ends the connection: nothing
    // obliges the reader to write.
    let mut ignore = |_| async { Ok::<(), WebSocketError>(()) };
    let result = loop {
        match read.read_frame(&mut ignore).await {
            Ok(frame) if frame.opcode == OpCode::Text => {
                room.publish(Bytes::from(frame.payload.to_vec()))
            }
            Ok(frame) if frame.opcode == OpCode::Close => break Ok(()),
            Ok(_) => {}
            Err(e) => break Err(e),
        }
    };
    room.leave(id);
    result
}

fn main() {
    let (addr, _) = peer::args();
    let batch = std::env::args().any(|a| a == "--batch");
    let room = Arc::new(Room::<Bytes>::default());
    peer::runtime(false).block_on(peer::accept_loop(&addr, move |stream| {
        let room = room.clone();
        async move {
            let handshake = move |mut request: Request<Incoming>| {
                let room = room.clone();
                async move {
                    let (response, pending) = upgrade::upgrade(&mut request)?;
                    tokio::spawn(async move {
                        let _ = serve(pending, room, batch).await;
                    });
                    Ok::<Response<Empty<Bytes>>, WebSocketError>(response)
                }
            };
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(handshake))
                .with_upgrades()
                .await;
        }
    }));
}
