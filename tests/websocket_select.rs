//! `sync::Select` waits on a WebSocket beside a channel and a deadline, over
//! `ws://` and `wss://`: it wakes when a message comes, counts messages the
//! socket already received, sees the end of the connection, and consumes
//! nothing.

mod util;

use std::time::Duration;

use silly::net::http::{self, Server};
use silly::net::tls;
use silly::net::websocket::{self, FrameType, Socket};
use silly::sync::{self, Select};
use silly::task;
use util::pki::Ca;

/// Answers "send N" with N text messages `m0`..`mN-1`, written back to back,
/// and "bye" by ending the connection without a close handshake.
fn handle(stream: &mut http::Stream) {
    let Ok(sock) = websocket::upgrade(stream) else {
        return;
    };
    while let Ok((data, FrameType::Text)) = sock.read() {
        let text = String::from_utf8(data).unwrap();
        if text == "bye" {
            sock.abort();
            return;
        }
        let n: usize = text.strip_prefix("send ").unwrap().parse().unwrap();
        for i in 0..n {
            if sock
                .write(format!("m{i}").as_bytes(), FrameType::Text)
                .is_err()
            {
                return;
            }
        }
    }
}

/// The server and a client socket connected to it, over TLS when `secure`.
fn pair(secure: bool) -> (Server, Socket) {
    if !secure {
        let server = http::listen("127.0.0.1:0", handle).unwrap();
        let url = format!("ws://{}/", server.local_addr());
        return (server, websocket::connect(&url, &[]).unwrap());
    }
    let ca = Ca::new("select test CA");
    let leaf = ca.leaf(&["127.0.0.1"]);
    let server_tls =
        tls::ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let server = http::listen_with(
        "127.0.0.1:0",
        http::Config::default().tls(Some(server_tls)),
        handle,
    )
    .unwrap();
    let client = websocket::Config::default()
        .tls(tls::ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap());
    let url = format!("wss://{}/", server.local_addr());
    (server, websocket::connect_with(&url, &[], client).unwrap())
}

fn text(sock: &Socket) -> String {
    let (data, kind) = sock.read().unwrap();
    assert_eq!(kind, FrameType::Text);
    String::from_utf8(data).unwrap()
}

fn wakes_on_a_message_beside_a_channel(secure: bool) {
    silly::run(move || {
        let tasks = silly::stats().live_tasks;
        let (server, sock) = pair(secure);
        let (tx, commands) = sync::channel::<u32>();
        let mut select = Select::new();
        let from_peer = select.add(&sock);
        let from_channel = select.recv(&commands);

        // Nothing from the peer yet: the channel's message wins.
        let sender = task::fork(move || {
            silly::time::sleep(Duration::from_millis(20));
            tx.send(7).unwrap();
            tx
        });
        assert_eq!(select.ready(), from_channel);
        assert_eq!(commands.recv().unwrap(), 7);

        // The peer's message wakes the select, and is still there to read.
        sock.write(b"send 1", FrameType::Text).unwrap();
        assert_eq!(select.ready(), from_peer);
        assert_eq!(text(&sock), "m0");

        // Nothing more: the deadline ends the wait.
        let waited = select.ready_timeout(Duration::from_millis(50));
        assert!(waited.is_err_and(|e| e.is_timeout()), "{waited:?}");
        drop(select);
        drop(sender.join().unwrap());
        sock.close().unwrap();
        server.close();
        task::yield_now();
        silly::time::sleep(Duration::from_millis(20));
        assert_eq!(
            silly::stats().live_tasks,
            tasks,
            "a coroutine was left behind"
        );
    });
}

fn counts_messages_already_received(secure: bool) {
    silly::run(move || {
        let (server, sock) = pair(secure);
        sock.write(b"send 3", FrameType::Text).unwrap();
        // The first read takes in what has arrived; the other two messages
        // wait in the socket, and a select must see them without the
        // connection saying anything new.
        silly::time::sleep(Duration::from_millis(50));
        assert_eq!(text(&sock), "m0");
        let (_tx, never) = sync::channel::<u32>();
        for expected in ["m1", "m2"] {
            let mut select = Select::new();
            let from_peer = select.add(&sock);
            select.recv(&never);
            assert_eq!(select.ready_timeout(Duration::from_secs(5)), Ok(from_peer));
            assert_eq!(text(&sock), expected);
        }
        sock.close().unwrap();
        server.close();
    });
}

fn sees_the_connection_end(secure: bool) {
    silly::run(move || {
        let (server, sock) = pair(secure);
        let (_tx, never) = sync::channel::<u32>();
        let mut select = Select::new();
        let from_peer = select.add(&sock);
        select.recv(&never);
        sock.write(b"bye", FrameType::Text).unwrap();
        assert_eq!(select.ready_timeout(Duration::from_secs(5)), Ok(from_peer));
        assert!(sock.read().is_err(), "the peer ended the connection");
        // Ended: ready at once from now on, and the read fails at once too.
        assert_eq!(select.ready_timeout(Duration::from_secs(5)), Ok(from_peer));
        assert!(sock.read().is_err());
        server.close();
    });
}

#[test]
fn ws_select_wakes_on_a_message_beside_a_channel() {
    wakes_on_a_message_beside_a_channel(false);
}

#[test]
fn wss_select_wakes_on_a_message_beside_a_channel() {
    wakes_on_a_message_beside_a_channel(true);
}

#[test]
fn ws_select_counts_messages_already_received() {
    counts_messages_already_received(false);
}

#[test]
fn wss_select_counts_messages_already_received() {
    counts_messages_already_received(true);
}

#[test]
fn ws_select_sees_the_connection_end() {
    sees_the_connection_end(false);
}

#[test]
fn wss_select_sees_the_connection_end() {
    sees_the_connection_end(true);
}
