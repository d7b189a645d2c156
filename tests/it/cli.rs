//! The command line: help, configuration errors, schema printing.

#![allow(clippy::unwrap_used)]

use std::process::Command;

fn datatracker() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatracker"));
    for (key, _) in std::env::vars() {
        if key.starts_with("DATATRACKER_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

#[test]
fn every_subcommand_has_help() {
    for sub in ["serve", "migrate", "schema", "users"] {
        let out = datatracker().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success(), "{sub} --help failed");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"), "{sub}");
    }
}

#[test]
fn a_malformed_setting_stops_with_one_line_and_status_2() {
    let out = datatracker()
        .arg("serve")
        .env("DATATRACKER_MONGODB_URI", "mongodb://127.0.0.1:1")
        .env("DATATRACKER_SECRET_KEY", "k".repeat(40))
        .env("DATATRACKER_BIND", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("DATATRACKER_BIND"), "{err}");
}

#[test]
fn a_missing_setting_names_the_variable() {
    let out = datatracker().arg("migrate").env("DATATRACKER_SECRET_KEY", "k".repeat(40)).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATATRACKER_MONGODB_URI"));
}

#[test]
fn schema_prints_the_checked_in_contract() {
    let out = datatracker().arg("schema").output().unwrap();
    assert!(out.status.success());
    let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), file);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for(url: &str, status: u16) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if let Ok(resp) = reqwest::blocking_get(url) {
            if resp == status {
                return true;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    false
}

mod reqwest {
    /// A tiny blocking JSON POST returning the status code.
    pub fn blocking_post(url: &str, body: &str) -> std::io::Result<u16> {
        use std::io::{Read, Write};
        let rest = url.trim_start_matches("http://");
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let mut s = std::net::TcpStream::connect(host)?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
        write!(
            s,
            "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut buf = String::new();
        s.read_to_string(&mut buf)?;
        buf.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| std::io::Error::other("bad response"))
    }

    /// A tiny blocking GET returning the status code (no extra client dependency).
    pub fn blocking_get(url: &str) -> std::io::Result<u16> {
        use std::io::{Read, Write};
        let rest = url.trim_start_matches("http://");
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let mut s = std::net::TcpStream::connect(host)?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
        write!(s, "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")?;
        let mut buf = String::new();
        s.read_to_string(&mut buf)?;
        buf.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| std::io::Error::other("bad response"))
    }
}

/// Drains the child's stderr on a thread (a full pipe would block the server's logging) and returns a
/// handle yielding everything it wrote.
fn collect_stderr(child: &mut std::process::Child) -> std::thread::JoinHandle<String> {
    let mut err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        let mut logs = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut logs);
        logs
    })
}

fn kill_term(child: &std::process::Child) {
    Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
}

#[test]
fn serve_migrates_becomes_ready_logs_json_and_stops_cleanly_on_sigterm() {
    let port = free_port();
    let db = crate::harness::fresh_db_name();
    let mut child = datatracker()
        .arg("serve")
        .env("DATATRACKER_MONGODB_URI", crate::harness::mongodb_uri())
        .env("DATATRACKER_DATABASE", &db)
        .env("DATATRACKER_SECRET_KEY", crate::harness::TEST_SECRET)
        .env("DATATRACKER_STATS_SECRET", crate::harness::TEST_STATS_SECRET)
        .env("DATATRACKER_BIND", format!("127.0.0.1:{port}"))
        .env("DATATRACKER_LOG_FORMAT", "json")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = collect_stderr(&mut child);
    let ready = wait_for(&format!("http://127.0.0.1:{port}/ready"), 200);
    let health = reqwest::blocking_get(&format!("http://127.0.0.1:{port}/health")).unwrap();
    let gql = reqwest::blocking_post(
        &format!("http://127.0.0.1:{port}/graphql"),
        r#"{"query": "query WhoAmI { apiVersion }", "operationName": "WhoAmI"}"#,
    )
    .unwrap();
    assert_eq!(gql, 200);
    kill_term(&child);
    let status = child.wait().unwrap();
    let logs = stderr.join().unwrap();
    assert!(ready, "never ready: {logs}");
    assert_eq!(health, 200);
    assert!(status.success(), "exit status {status:?}: {logs}");
    let json_lines: Vec<serde_json::Value> = logs.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(json_lines.iter().any(|l| l["message"] == "migrations up to date"), "{logs}");
    let request = json_lines
        .iter()
        .find(|l| l["message"] == "request finished" && l["span"]["path"] == "/health")
        .expect("request log line");
    assert_eq!(request["span"]["status"], 200);
    assert!(request["span"]["request_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(json_lines.iter().any(|l| l["message"].as_str().is_some_and(|m| m.contains("shutting down"))), "{logs}");
    let op = json_lines
        .iter()
        .find(|l| l["message"] == "request finished" && l["span"]["path"] == "/graphql")
        .expect("graphql log line");
    assert_eq!(op["span"]["graphql_operation"], "WhoAmI");
    assert_eq!(op["span"]["method"], "POST");
    assert!(op["span"]["latency_ms"].as_f64().is_some());
    assert!(!logs.contains(crate::harness::TEST_SECRET), "the secret key never appears in logs");
}

#[test]
fn serve_waits_for_an_unreachable_database_and_is_not_ready() {
    let port = free_port();
    let dead = free_port();
    let mut child = datatracker()
        .arg("serve")
        .env(
            "DATATRACKER_MONGODB_URI",
            format!("mongodb://127.0.0.1:{dead}/?serverSelectionTimeoutMS=200&connectTimeoutMS=200"),
        )
        .env("DATATRACKER_SECRET_KEY", crate::harness::TEST_SECRET)
        .env("DATATRACKER_STATS_SECRET", crate::harness::TEST_STATS_SECRET)
        .env("DATATRACKER_BIND", format!("127.0.0.1:{port}"))
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = collect_stderr(&mut child);
    let alive = wait_for(&format!("http://127.0.0.1:{port}/health"), 200);
    let ready = reqwest::blocking_get(&format!("http://127.0.0.1:{port}/ready")).unwrap_or(0);
    std::thread::sleep(std::time::Duration::from_millis(800));
    kill_term(&child);
    child.wait().unwrap();
    let logs = stderr.join().unwrap();
    assert!(alive, "{logs}");
    assert_eq!(ready, 503);
    assert!(logs.contains("MongoDB is not reachable; retrying"), "{logs}");
}

#[test]
fn sample_data_writes_csv_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["csv", "parquet"] {
        let out = dir.path().join(format!("sample.{ext}"));
        let status = datatracker()
            .args(["sample-data", "--students", "50", "--waves", "2", "--seed", "1", "--out"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(std::fs::metadata(&out).unwrap().len() > 100);
    }
}
