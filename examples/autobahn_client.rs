//! The client side of the Autobahn TestSuite: echoes every case the fuzzing
//! server runs. `../shared/tools/autobahn/test-client.sh` starts it with the
//! server's base URL as the last argument.
//!
//! ```text
//! ../shared/tools/autobahn/test-client.sh 9002 target/autobahn/client -- \
//!     target/release/examples/autobahn_client
//! ```

use silly::net::websocket::{self, Compression, Config, FrameType};

const AGENT: &str = "client-under-test";

fn main() {
    let base = std::env::args()
        .next_back()
        .unwrap_or_else(|| "ws://127.0.0.1:9001".to_owned());
    silly::run(move || {
        let count = match case_count(&base) {
            Ok(n) => n,
            Err(err) => {
                eprintln!("autobahn_client: cannot get the case count from {base}: {err}");
                silly::exit(1);
            }
        };
        for case in 1..=count {
            let url = format!("{base}/runCase?case={case}&agent={AGENT}");
            // permessage-deflate offered, as the 12.* and 13.* cases need.
            let config = Config::default().compression(Some(Compression::per_connection()));
            if let Ok(sock) = websocket::connect_with(&url, &[], config) {
                echo(&sock);
            }
        }
        match websocket::connect(&format!("{base}/updateReports?agent={AGENT}"), &[]) {
            Ok(sock) => while sock.read().is_ok() {},
            Err(err) => eprintln!("autobahn_client: updateReports failed: {err}"),
        }
    });
}

fn case_count(base: &str) -> Result<u32, String> {
    let sock =
        websocket::connect(&format!("{base}/getCaseCount"), &[]).map_err(|e| e.to_string())?;
    let (data, _) = sock.read().map_err(|e| e.to_string())?;
    let text = String::from_utf8(data).map_err(|e| e.to_string())?;
    let _ = sock.close();
    text.trim().parse().map_err(|e| format!("{text:?}: {e}"))
}

fn echo(sock: &websocket::Socket) {
    loop {
        match sock.read() {
            Ok((data, kind @ (FrameType::Text | FrameType::Binary))) => {
                if sock.write(&data, kind).is_err() {
                    return;
                }
            }
            Ok((_, FrameType::Close)) | Err(_) => return,
            Ok(_) => {}
        }
    }
}
