//! `datatracker extract` against the real server: the extractor runs as a child process (the built
//! binary), exactly as a script would run it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod crash;
mod full;
mod membership;
mod redaction;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

use crate::harness::{Actor, TestApp};

/// The extractor command for `app` as `actor` (anonymous when `None`) into `out`.
pub fn command(app: &TestApp, actor: Option<&Actor>, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatracker"));
    cmd.args(["extract", "--url", &app.base, "--out"]).arg(out).args(extra);
    cmd.env_remove("DATATRACKER_API_KEY").env_remove("DATATRACKER_EXTRACT_CRASH_AT");
    if let Some(a) = actor {
        let key_file = out.with_extension("key");
        std::fs::write(&key_file, &a.key).unwrap();
        cmd.args(["--api-user", &a.id, "--api-key-file"]).arg(key_file);
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

/// Runs the extractor to its end (on a blocking thread, so the in-process server keeps serving).
pub async fn run(app: &TestApp, actor: Option<&Actor>, out: &Path, extra: &[&str]) -> Output {
    let mut cmd = command(app, actor, out, extra);
    tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()
}

/// Runs the extractor and asserts success; returns the `--json` summary.
pub async fn run_ok(app: &TestApp, actor: Option<&Actor>, out: &Path) -> Value {
    let o = run(app, actor, out, &["--json", "--page-size", "7"]).await;
    assert!(o.status.success(), "extract failed {:?}: {}", o.status, String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Spawns the extractor (for kill tests).
pub fn spawn(mut cmd: Command) -> Child {
    cmd.spawn().unwrap()
}

/// The entities of `<out>/<type>.jsonl` by id (every line must parse).
pub fn jsonl(out: &Path, t: &str) -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(out.join(format!("{t}.jsonl"))).unwrap_or_default();
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{t}.jsonl: {e}: {line}"));
        let id = v["id"].as_str().unwrap().to_string();
        assert!(map.insert(id, v).is_none(), "{t}.jsonl has an id twice");
    }
    map
}

/// Every history entry of `t` (every file must parse).
pub fn history(out: &Path, t: &str) -> Vec<Value> {
    let dir = out.join("history").join(t);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(e) => e.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "jsonl")).collect(),
        Err(_) => return vec![],
    };
    files.sort();
    let mut out = Vec::new();
    for f in files {
        for line in std::fs::read_to_string(&f).unwrap().lines() {
            out.push(serde_json::from_str(line).unwrap_or_else(|e| panic!("{}: {e}", f.display())));
        }
    }
    out
}

/// Reads `<file>.parquet` and returns (rows, every value rendered as text; times as their integers).
pub fn parquet_text(path: &Path) -> (usize, String) {
    use polars::prelude::*;
    let df = ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap();
    let mut text = String::new();
    for col in df.columns() {
        // Physical values: this build of polars cannot print a time with its zone (no `timezones`).
        let s = col.as_materialized_series().to_physical_repr();
        for i in 0..s.len() {
            text.push_str(&format!("{}\n", s.get(i).unwrap()));
        }
    }
    (df.height(), text)
}

/// Every file under `dir`, recursively.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(all_files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
