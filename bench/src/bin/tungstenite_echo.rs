//! WebSocket echo with tokio-tungstenite on Tokio current_thread (default
//! configuration), the peer of `examples/websocket_echo.rs`.
//!
//! ```text
//! tungstenite_echo ADDR
//! ```

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
        println!(
            "listening on {}",
            listener.local_addr().expect("local addr")
        );
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                while let Some(Ok(message)) = ws.next().await {
                    let echo = matches!(message, Message::Text(_) | Message::Binary(_));
                    if message.is_close() || (echo && ws.send(message).await.is_err()) {
                        return;
                    }
                }
            });
        }
    });
}
