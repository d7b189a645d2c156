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

/// A database server this process controls: it can be killed (`kill -9`) and restarted on the same port
/// and storage directory, for fault tests. Stopped and its storage removed when dropped.
pub struct ControlledServer {
    /// The port it listens on.
    pub port: u16,
    /// Its storage directory.
    pub dir: PathBuf,
    child: Option<std::process::Child>,
}

impl ControlledServer {
    /// Starts a fresh server on a free port.
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("datatracker-fault-db-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut server = Self { port, dir, child: None };
        server.restart();
        server
    }

    /// The connection string.
    pub fn uri(&self) -> String {
        format!("mongodb://127.0.0.1:{}/?directConnection=true", self.port)
    }

    /// The process id of the running server.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(std::process::Child::id)
    }

    /// Starts the server again on the same port and storage, waiting until it accepts connections.
    pub fn restart(&mut self) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join("server.log")).unwrap();
        let child = Command::new(secantus_binary())
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--storage-path")
            .arg(&self.dir)
            .arg("--cache-size")
            .arg("256M")
            // The journal is synced at every commit, so that a `j: true` acknowledgement means what it says
            // (SecantusDB's default leaves a gap in which a kill -9 loses acknowledged commits).
            .arg("--sync-on-commit")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("cannot start secantusd-rs; run scripts/install-secantus.sh");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "database server did not start; see {}/server.log", self.dir.display());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the server with SIGKILL (no chance to flush or shut down cleanly) and waits for it to be gone.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
        }
    }
}

impl Drop for ControlledServer {
    fn drop(&mut self) {
        self.kill9();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
