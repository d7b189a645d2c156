//! Starts LocalStack (PyPI `localstack-core`, installed by scripts/install-localstack.sh, no Docker) as a real
//! S3-compatible server that verifies presigned signatures and expiry, once per test process. Fails with a
//! clear message when it cannot start; never skipped silently.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static ENDPOINT: OnceLock<String> = OnceLock::new();

fn venv() -> PathBuf {
    match std::env::var("DATATRACKER_LOCALSTACK_VENV") {
        Ok(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/datatracker-localstack"),
    }
}

/// The endpoint (`http://127.0.0.1:PORT`) of the test run's LocalStack, started on first use. Credentials
/// are `test`/`test`, region `us-east-1`.
pub fn endpoint() -> String {
    ENDPOINT.get_or_init(start).clone()
}

// The watchdog shell is deliberately never waited for: it lives as long as this process.
#[allow(clippy::zombie_processes)]
fn start() -> String {
    let python = venv().join("bin/python");
    assert!(
        python.exists(),
        "LocalStack is not installed at {}: run scripts/install-localstack.sh (scripts/test.sh does)",
        venv().display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = std::env::temp_dir().join(format!("datatracker-test-s3-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = format!(
        "SERVICES=s3 S3_SKIP_SIGNATURE_VALIDATION=0 GATEWAY_LISTEN=127.0.0.1:{port} LOCALSTACK_HOST=127.0.0.1:{port} \
         DNS_ADDRESS=0 SKIP_SSL_CERT_DOWNLOAD=1 DISABLE_EVENTS=1 LOCALSTACK_VOLUME_DIR='{dir}' \
         \"$0\" -m localstack.runtime.main >'{dir}/localstack.log' 2>&1 & s=$!; \
         while kill -0 {parent} 2>/dev/null && kill -0 $s 2>/dev/null; do sleep 0.5; done; kill $s 2>/dev/null; wait $s; rm -rf '{dir}'",
        dir = dir.display(),
        parent = std::process::id(),
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(&python)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start LocalStack with {}: {e}", python.display()));
    let endpoint = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let ok = std::process::Command::new("curl")
            .args(["-sf", &format!("{endpoint}/_localstack/health")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "LocalStack did not become healthy within 90 s; see {}/localstack.log",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    endpoint
}
