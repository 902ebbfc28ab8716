//! What is measured: each workload, its loader arguments and the servers
//! that run it.

/// One server under test.
pub(crate) struct ServerSpec {
    pub(crate) name: &'static str,
    pub(crate) bin: &'static str,
    pub(crate) args: &'static [&'static str],
}

/// One workload and the servers that run it.
pub(crate) struct WorkloadSpec {
    pub(crate) key: &'static str,
    pub(crate) title: &'static str,
    pub(crate) loader_args: Vec<String>,
    pub(crate) servers: Vec<ServerSpec>,
    /// Measures idle memory, not CPU per message (its own table and rounds).
    pub(crate) idle: bool,
}

pub(crate) const fn server(
    name: &'static str,
    bin: &'static str,
    args: &'static [&'static str],
) -> ServerSpec {
    ServerSpec { name, bin, args }
}

pub(crate) fn workloads(quick: bool) -> Vec<WorkloadSpec> {
    let ws_servers = || {
        vec![
            server("silly-rs", "silly_ws", &[]),
            server("tokio-tungstenite", "tungstenite_echo", &[]),
            server("fastwebsockets", "fastws_echo", &[]),
            server("floor", "floor", &["ws"]),
        ]
    };
    let idle_connections = if quick { 2_000 } else { 10_000 };
    vec![
        WorkloadSpec {
            key: "tcp",
            title: "TCP echo, 100 connections x 100 B",
            loader_args: args(&["--workload", "tcp", "--size", "100", "--connections", "100"]),
            servers: vec![
                server("silly-rs", "silly_echo", &[]),
                server("silly-rs 2 runtimes", "silly_echo", &["--threads", "2"]),
                server("tokio current_thread", "tokio_echo", &[]),
                server("tokio multi_thread", "tokio_echo", &["--multi"]),
                server("floor", "floor", &["tcp"]),
            ],
            idle: false,
        },
        WorkloadSpec {
            key: "http",
            title: "HTTP/1.1 hello, 100 keep-alive connections",
            loader_args: args(&["--workload", "http", "--connections", "100"]),
            servers: vec![
                server("silly-rs", "silly_http", &[]),
                server("silly-rs router", "silly_http", &["router"]),
                server("silly-rs router + layer", "silly_http", &["router-layer"]),
                server("silly-rs metrics on", "silly_http", &["--metrics"]),
                server("hyper current_thread", "hyper_hello", &[]),
                server("hyper multi_thread", "hyper_hello", &["--multi"]),
                server("may_minihttp", "may_http", &[]),
                server("floor", "floor", &["http"]),
            ],
            idle: false,
        },
        WorkloadSpec {
            key: "ws20",
            title: "WebSocket echo, 100 connections x 20 B",
            loader_args: args(&["--workload", "ws", "--size", "20", "--connections", "100"]),
            servers: {
                // Both runtimes on the one server core: what running several
                // costs, with nothing shared between them.
                let mut servers = ws_servers();
                servers.insert(
                    1,
                    server("silly-rs 2 runtimes", "silly_ws", &["--threads", "2"]),
                );
                servers.insert(2, server("silly-rs metrics on", "silly_ws", &["--metrics"]));
                servers
            },
            idle: false,
        },
        WorkloadSpec {
            key: "ws16k",
            title: "WebSocket echo, 200 connections x 16 KiB",
            loader_args: args(&[
                "--workload",
                "ws",
                "--size",
                "16384",
                "--connections",
                "200",
            ]),
            servers: ws_servers(),
            idle: false,
        },
        WorkloadSpec {
            key: "wsjson",
            title: "WebSocket echo, 100 connections x 2 KiB JSON text, uncompressed",
            loader_args: args(&[
                "--workload",
                "wsjson",
                "--size",
                "2048",
                "--connections",
                "100",
            ]),
            servers: ws_servers()
                .into_iter()
                .filter(|s| s.name != "floor")
                .collect(),
            idle: false,
        },
        WorkloadSpec {
            key: "wsz",
            title: "WebSocket echo, 100 connections x 2 KiB JSON text, permessage-deflate \
                    (no Rust peer has it; reply bytes in bench/NOTES.md)",
            loader_args: args(&[
                "--workload",
                "wsz",
                "--size",
                "2048",
                "--connections",
                "100",
            ]),
            servers: vec![
                server("silly-rs shared contexts", "silly_ws", &["shared"]),
                server("silly-rs per-connection contexts", "silly_ws", &[]),
            ],
            idle: false,
        },
        WorkloadSpec {
            key: "fanout",
            title: "WebSocket fan-out, 1,000 subscribers + 1 publisher x 64 B text, 16 in flight \
                    (per delivery; latency publish to last receipt)",
            loader_args: args(&[
                "--workload",
                "fanout",
                "--size",
                "64",
                "--connections",
                "1000",
                "--in-flight",
                "16",
            ]),
            servers: vec![
                server("silly-rs", "silly_broadcast", &[]),
                // Half the subscribers on the other runtime: each message
                // crosses once to it, then fans out there (issue 14).
                server(
                    "silly-rs 2 runtimes",
                    "silly_broadcast",
                    &["--threads", "2"],
                ),
                server("tokio-tungstenite", "tungstenite_broadcast", &[]),
                server(
                    "tokio-tungstenite feed+flush",
                    "tungstenite_broadcast",
                    &["--batch"],
                ),
                server("fastwebsockets", "fastws_broadcast", &[]),
                server(
                    "fastwebsockets buffered+flush",
                    "fastws_broadcast",
                    &["--batch"],
                ),
            ],
            idle: false,
        },
        WorkloadSpec {
            key: "idle",
            title: "Idle WebSocket connections: server RSS per connection",
            loader_args: args(&[
                "--workload",
                "idle",
                "--connections",
                &idle_connections.to_string(),
                "--sources",
                "10",
            ]),
            servers: ws_servers()
                .into_iter()
                .filter(|s| s.name != "floor")
                .collect(),
            idle: true,
        },
    ]
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}
