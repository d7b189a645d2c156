//! A first run's paging: each type's list walked by keyset cursor, written in sorted parts, the
//! checkpoint moved after every part. A killed run resumes after the last recorded part.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::checkpoint::{work_dir, Checkpoint, TypeProgress};
use super::client::{CallError, Client};
use super::entity::EntityType;
use super::error::ExtractError;
use super::files;
use super::progress::TypeBar;
use super::schema::{selection, FieldSpec};
use super::state;

/// Most entities per part file (a part is written, synced and checkpointed as one step); a part holds at
/// most five pages.
pub const PART_ROWS: usize = 5_000;

/// The directory of a type's parts.
pub fn parts_dir(out: &Path, t: EntityType) -> PathBuf {
    work_dir(out).join("snapshot").join(t.name())
}

/// The path of part `n` (1-based).
pub fn part_path(out: &Path, t: EntityType, n: u32) -> PathBuf {
    parts_dir(out, t).join(format!("part-{n:06}.jsonl"))
}

/// Every recorded part of a type.
pub fn part_paths(out: &Path, t: EntityType, parts: u32) -> Vec<PathBuf> {
    (1..=parts).map(|n| part_path(out, t, n)).collect()
}

/// Removes parts written after the last checkpoint (a killed run's).
pub fn remove_unrecorded_parts(out: &Path, t: EntityType, parts: u32) -> Result<(), ExtractError> {
    let dir = parts_dir(out, t);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(()) };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let n = name.strip_prefix("part-").and_then(|r| r.strip_suffix(".jsonl")).and_then(|d| d.parse::<u32>().ok());
        if n.is_none_or(|n| n > parts) {
            files::remove_if_exists(&e.path())?;
        }
    }
    Ok(())
}

/// How paging a type ended.
pub enum Paged {
    /// Every entity written.
    Done(u64),
    /// The key may not list this type (`FORBIDDEN`).
    Forbidden,
}

/// The state shared by concurrently paged types.
#[derive(Clone)]
pub struct Shared {
    /// The output directory.
    pub out: PathBuf,
    /// The checkpoint (saved after every part).
    pub checkpoint: Arc<Mutex<Checkpoint>>,
    /// The page size in use (halved, for every type, when the server finds a page too costly).
    pub page_size: Arc<AtomicUsize>,
    /// Whether the extract runs without credentials (a list that needs a login is then left out).
    pub anonymous: bool,
}

fn list_query(t: EntityType, fields: &[FieldSpec]) -> String {
    format!(
        "query ExtractPage($first: Int, $after: String) {{ {}(first: $first, after: $after) {{ nodes {{ {} }} pageInfo {{ endCursor hasNextPage }} }} }}",
        t.name(),
        selection(fields)
    )
}

/// Pages type `t` from where the checkpoint left it.
pub async fn page_type(
    client: &Client,
    t: EntityType,
    fields: &[FieldSpec],
    shared: &Shared,
    bar: &TypeBar,
) -> Result<Paged, ExtractError> {
    let query = list_query(t, fields);
    let mut progress: TypeProgress = {
        let cp = shared.checkpoint.lock().map_err(|_| ExtractError::Incomplete("checkpoint lock poisoned".into()))?;
        cp.snapshot.get(&t).cloned().unwrap_or_default()
    };
    bar.set(progress.fetched);
    let mut buffer: Vec<(String, String)> = Vec::new();
    let mut after = progress.after.clone();
    let part_rows = (shared.page_size.load(Ordering::Relaxed) * 5).min(PART_ROWS);
    while !progress.done {
        let first = shared.page_size.load(Ordering::Relaxed);
        let data = match client.call(&query, json!({ "first": first, "after": after })).await {
            Ok(d) => d,
            Err(CallError::TooComplex) if first > 1 => {
                shared.page_size.store((first / 2).max(1), Ordering::Relaxed);
                continue;
            }
            Err(CallError::Graphql { code, .. }) if code == "FORBIDDEN" && progress.parts == 0 && buffer.is_empty() => {
                return Ok(Paged::Forbidden)
            }
            Err(CallError::Auth(_)) if shared.anonymous && progress.parts == 0 && buffer.is_empty() => {
                return Ok(Paged::Forbidden)
            }
            Err(e) => return Err(call_error(t, e)),
        };
        let conn = data.get(t.name()).cloned().unwrap_or(Value::Null);
        let nodes = conn.get("nodes").and_then(Value::as_array).cloned().unwrap_or_default();
        let has_next = conn.pointer("/pageInfo/hasNextPage").and_then(Value::as_bool).unwrap_or(false);
        let end = conn.pointer("/pageInfo/endCursor").and_then(Value::as_str).map(str::to_owned);
        for node in &nodes {
            let id = node
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| ExtractError::Incomplete(format!("{t}: an entity without an id in the answer")))?;
            buffer.push((id.to_string(), node.to_string()));
        }
        bar.inc(nodes.len() as u64);
        if has_next && end.is_none() {
            return Err(ExtractError::Incomplete(format!("{t}: a page with more to come but no end cursor")));
        }
        if end.is_some() {
            after = end;
        }
        if buffer.len() >= part_rows || !has_next {
            let n = progress.parts + 1;
            let rows = buffer.len() as u64;
            state::write_part(&part_path(&shared.out, t, n), std::mem::take(&mut buffer))?;
            files::crash_point(&format!("after-part:{t}"));
            progress =
                TypeProgress { after: after.clone(), parts: n, fetched: progress.fetched + rows, done: !has_next };
            let mut cp =
                shared.checkpoint.lock().map_err(|_| ExtractError::Incomplete("checkpoint lock poisoned".into()))?;
            cp.snapshot.insert(t, progress.clone());
            cp.save(&shared.out)?;
        }
    }
    Ok(Paged::Done(progress.fetched))
}

/// The extract error for a failed call.
pub fn call_error(t: impl std::fmt::Display, e: CallError) -> ExtractError {
    match e {
        CallError::Auth(m) => ExtractError::Auth(m),
        CallError::TooComplex => {
            ExtractError::Incomplete(format!("{t}: the server refuses even one item per page as too complex"))
        }
        CallError::Graphql { code, message } => ExtractError::Incomplete(format!("{t}: {code}: {message}")),
        CallError::Transport(m) => ExtractError::Incomplete(format!("{t}: {m}")),
    }
}
