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
