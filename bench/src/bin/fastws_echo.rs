//! WebSocket echo with fastwebsockets on Tokio current_thread (upgrade through
//! hyper), the peer of `examples/websocket_echo.rs`.
//!
//! ```text
//! fastws_echo ADDR
//! ```

use fastwebsockets::{upgrade, FragmentCollector, OpCode, WebSocketError};
use http_body_util::Empty;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use silly_bench::peer;

async fn echo(pending: upgrade::UpgradeFut) -> Result<(), WebSocketError> {
    let mut ws = FragmentCollector::new(pending.await?);
    loop {
        let frame = ws.read_frame().await?;
        match frame.opcode {
            OpCode::Text | OpCode::Binary => ws.write_frame(frame).await?,
            OpCode::Close => return Ok(()),
            _ => {}
        }
    }
}

async fn handshake(
    mut request: Request<Incoming>,
) -> Result<Response<Empty<Bytes>>, WebSocketError> {
    let (response, pending) = upgrade::upgrade(&mut request)?;
    tokio::spawn(async move {
        let _ = echo(pending).await;
    });
    Ok(response)
}

fn main() {
    let (addr, _) = peer::args();
    peer::runtime(false).block_on(peer::accept_loop(&addr, |stream| async move {
        let _ = http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service_fn(handshake))
            .with_upgrades()
            .await;
    }));
}
