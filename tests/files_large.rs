//! ServeDir streams a large file in chunks read on the blocking pool: a
//! file of several MB (random bytes from a seeded generator) arrives
//! byte-exact whole and in a range across chunk boundaries, with a small
//! chunk size so there are many chunks.

mod util;

use silly::net::http::{self, ServeDir, ServeDirConfig};
use util::files::TempDir;

#[test]
fn large_file_arrives_byte_exact() {
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_f11e);
    println!("SEED={seed}");
    let mut rng = util::Rng::new(seed);
    let mut content = vec![0u8; 6 * 1024 * 1024 + 12_345];
    rng.fill(&mut content);
    let root = TempDir::new("files-large");
    root.write("big.bin", &content);
    let out_dir = TempDir::new("files-large-out");
    let out = out_dir.path().join("got.bin");
    silly::run(move || {
        // 48 KiB chunks: not a divisor of the size, nor of the range below.
        let config = ServeDirConfig::default().chunk_bytes(48 * 1024);
        let dir = ServeDir::new_with(root.path(), config).unwrap();
        let server = http::listen("127.0.0.1:0", move |s| dir.serve_path(s).unwrap()).unwrap();
        let url = format!("http://{}/big.bin", server.local_addr());

        let got = util::curl::output(&[
            "--output",
            out.to_str().unwrap(),
            "--write-out",
            "%{http_code}",
            &url,
        ]);
        assert_eq!(String::from_utf8_lossy(&got.stdout), "200");
        let received = std::fs::read(&out).unwrap();
        assert_eq!(received.len(), content.len());
        assert!(received == content, "the bytes differ");

        let (start, end) = (1_000_003usize, 4_500_017usize);
        let got = util::curl::output(&[
            "--range",
            &format!("{start}-{end}"),
            "--output",
            out.to_str().unwrap(),
            "--write-out",
            "%{http_code}",
            &url,
        ]);
        assert_eq!(String::from_utf8_lossy(&got.stdout), "206");
        let received = std::fs::read(&out).unwrap();
        assert!(received == content[start..=end], "the range's bytes differ");
        server.close();
    });
}
