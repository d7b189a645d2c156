//! Starts a local MongoDB-wire-compatible server (SecantusDB, installed by scripts/install-secantus.sh) for
//! one test or benchmark process. Shared by the integration tests and the benchmarks.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn secantus_binary() -> PathBuf {
    if let Ok(p) = std::env::var("SECANTUSD_BIN") {
        return PathBuf::from(p);
    }
    let home_bin = PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo/bin/secantusd-rs");
    if home_bin.exists() {
        return home_bin;
    }
    PathBuf::from("secantusd-rs")
}

/// Starts a fresh server on a free port with its own storage directory and returns its URI. A watchdog
/// shell stops the server (and removes its storage) when this process exits.
// The watchdog shell is deliberately never waited for: it lives as long as this process.
#[allow(clippy::zombie_processes)]
pub fn start_local_server() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = std::env::temp_dir().join(format!("datatracker-test-db-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = secantus_binary();
    // A watchdog shell keeps the server no longer than this test process lives.
    let script = format!(
        "\"$0\" --port {port} --storage-path '{dir}' --log-file-max 16MB --cache-size 512M >'{dir}/server.log' 2>&1 & s=$!; \
         while kill -0 {parent} 2>/dev/null && kill -0 $s 2>/dev/null; do sleep 0.5; done; kill $s 2>/dev/null; wait $s; rm -rf '{dir}'",
        dir = dir.display(),
        parent = std::process::id(),
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(&bin)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {}: {e}; run scripts/install-secantus.sh or set MONGODB_URI", bin.display())
        });
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "local database server did not start; see {}/server.log", dir.display());
        std::thread::sleep(Duration::from_millis(100));
    }
    format!("mongodb://127.0.0.1:{port}/?directConnection=true")
}
