//! WebSocket echo with tokio-tungstenite on Tokio current_thread (default
//! configuration), the peer of `examples/websocket_echo.rs`.
//!
//! ```text
//! tungstenite_echo ADDR
//! ```

use futures_util::{SinkExt, StreamExt};
use silly_bench::peer;
use tokio_tungstenite::tungstenite::Message;

fn main() {
    let (addr, _) = peer::args();
    peer::runtime(false).block_on(peer::accept_loop(&addr, |stream| async move {
        let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
            return;
        };
        while let Some(Ok(message)) = ws.next().await {
            let echo = matches!(message, Message::Text(_) | Message::Binary(_));
            if message.is_close() || (echo && ws.send(message).await.is_err()) {
                return;
            }
        }
    }));
}
