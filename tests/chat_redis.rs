//! Two chat processes (examples/chat.rs with `--redis`) on one redis-server
//! share the room: Python `websockets` clients, one on each node, hear each
//! other once and in order (tests/peers/chat_nodes.py).

mod util;

use std::process::Command;
use std::time::Duration;

use util::example::Example;
use util::redis::RedisServer;

#[test]
fn python_clients_on_two_nodes_share_the_room() {
    let redis = RedisServer::start();
    let url = redis.url();
    // The script sends in bursts, past the chat's default message rate.
    let args = |url| {
        [
            "127.0.0.1:0",
            "--redis",
            url,
            "--max-messages-per-second",
            "off",
        ]
    };
    let a = Example::start("chat", &args(&url));
    let b = Example::start("chat", &args(&url));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/chat_nodes.py");
    let out = Command::new("timeout")
        .args(["120", "python3", script])
        .arg(format!("ws://{}", a.addr))
        .arg(format!("ws://{}", b.addr))
        .output()
        .expect("python3 with websockets (tests/peers)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("chat-nodes: ok"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_node_cannot_start_without_its_redis() {
    // A port nobody listens on: the node says why and exits 1.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut chat = Command::new(util::example::path("chat"))
        .args([
            "127.0.0.1:0",
            "--redis",
            &format!("redis://127.0.0.1:{port}"),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = chat.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "still running");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1));
}
