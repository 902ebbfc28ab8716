//! A redis-server of the test's own: started on a free port of 127.0.0.1
//! with no persistence, killed when dropped.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server` (Debian's package; `.ci/run` installs it).
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    args: Vec<String>,
    /// Whether the port speaks TLS (`--tls-port`) instead of plain TCP.
    tls: bool,
    /// The TLS server's certificate files, removed on drop.
    files: Option<std::path::PathBuf>,
}

impl RedisServer {
    /// A server with the default settings.
    pub fn start() -> RedisServer {
        RedisServer::with_args(&[])
    }

    /// A server with extra command-line settings (`["--requirepass", "pw"]`).
    pub fn with_args(args: &[&str]) -> RedisServer {
        RedisServer::launch(args, false)
    }

    /// A server that speaks only TLS, with this certificate and key (PEM);
    /// clients are not asked for certificates.
    pub fn tls(cert_pem: &str, key_pem: &str) -> RedisServer {
        RedisServer::tls_with_args(cert_pem, key_pem, &[])
    }

    /// [`tls`](Self::tls) with extra command-line settings.
    pub fn tls_with_args(cert_pem: &str, key_pem: &str, extra: &[&str]) -> RedisServer {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("silly-redis-tls-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        std::fs::write(&cert, cert_pem).unwrap();
        std::fs::write(&key, key_pem).unwrap();
        let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
        let mut args = vec![
            "--tls-cert-file",
            cert,
            "--tls-key-file",
            key,
            "--tls-auth-clients",
            "no",
        ];
        args.extend_from_slice(extra);
        let mut server = RedisServer::launch(&args, true);
        server.files = Some(dir);
        server
    }

    fn launch(args: &[&str], tls: bool) -> RedisServer {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        for _ in 0..20 {
            // A port that was free a moment ago; another process may take it
            // before the server binds, so a failed start tries another.
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut server = RedisServer {
                child: None,
                port,
                args: args.clone(),
                tls,
                files: None,
            };
            if server.spawn() {
                return server;
            }
        }
        panic!("redis-server did not start on any of 20 ports");
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server (SIGKILL: no goodbye to its clients).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, after [`kill`](Self::kill).
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.spawn() {
            assert!(Instant::now() < deadline, "redis-server did not restart");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts the process and waits until it accepts connections; false if
    /// it exited (its port was taken).
    fn spawn(&mut self) -> bool {
        let port = self.port.to_string();
        let listen = if self.tls {
            ["--port", "0", "--tls-port", &port]
        } else {
            ["--port", &port, "--tls-port", "0"]
        };
        let mut child = Command::new("redis-server")
            .args(listen)
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (apt-get install redis-server)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                return false;
            }
            // Accepting on the port is not enough: another process may hold
            // it (ours then fails to bind and exits a moment later).
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && listens_on(child.id(), self.port)
            {
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        if let Some(dir) = self.files.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Whether process `pid` itself holds the listening socket on 127.0.0.1:`port`
/// (one of its descriptors is the socket `/proc/net/tcp` lists listening there).
fn listens_on(pid: u32, port: u16) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    let inodes: Vec<String> = fds
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_string_lossy().into_owned();
            Some(
                target
                    .strip_prefix("socket:[")?
                    .strip_suffix(']')?
                    .to_owned(),
            )
        })
        .collect();
    let local = format!("0100007F:{port:04X}");
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // sl local_address rem_address st ... inode (the tenth field)
        fields.len() > 9
            && fields[1] == local
            && fields[3] == "0A"
            && inodes.iter().any(|inode| inode == fields[9])
    })
}
