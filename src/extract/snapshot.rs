//! A first run's paging: each type's list walked by keyset cursor, written in sorted parts, the
//! checkpoint moved after every part. A killed run resumes after the last recorded part.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::value::RawValue;
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
    /// The page size asked for (each type halves its own while the server finds its page too costly: one
    /// type's costly fields must not shrink the pages of the others).
    pub page_size: usize,
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

#[derive(Deserialize)]
struct PageInfo {
    #[serde(rename = "endCursor")]
    end_cursor: Option<String>,
    #[serde(rename = "hasNextPage", default)]
    has_next_page: bool,
}

/// A list page as the server sent it; the nodes stay slices of the answer.
#[derive(Deserialize)]
struct Connection<'a> {
    #[serde(borrow, default)]
    nodes: Vec<&'a RawValue>,
    #[serde(rename = "pageInfo")]
    page_info: PageInfo,
}

/// One page: (id, JSON line) per node, the end cursor and whether more follow.
struct Page {
    rows: Vec<(String, String)>,
    end: Option<String>,
    has_next: bool,
}

/// A node's JSON line: the server's own text when it is one line (it is: compact JSON), else re-encoded.
fn node_line(node: &RawValue) -> Result<String, serde_json::Error> {
    let text = node.get();
    if text.contains(['\n', '\r']) {
        serde_json::from_str::<Value>(text).map(|v| v.to_string())
    } else {
        Ok(text.to_owned())
    }
}

/// Fetches the page after `after` of `first` items (halving `first` while the server finds the page too
/// costly). `Ok(None)`: the key may not list this type (only asked of the first page of a type).
async fn fetch_page(
    client: &Client,
    t: EntityType,
    query: &str,
    after: Option<&str>,
    shared: &Shared,
    first: &mut usize,
    first_page: bool,
) -> Result<Option<Page>, ExtractError> {
    let answer = loop {
        match client.call_raw(query, json!({ "first": *first, "after": after })).await {
            Ok(a) => break a,
            Err(CallError::TooComplex) if *first > 1 => *first = (*first / 2).max(1),
            Err(CallError::Graphql { code, .. }) if code == "FORBIDDEN" && first_page => return Ok(None),
            Err(CallError::Auth(_)) if shared.anonymous && first_page => return Ok(None),
            Err(e) => return Err(call_error(t, e)),
        }
    };
    let bad = |e: &dyn std::fmt::Display| ExtractError::Incomplete(format!("{t}: unexpected answer: {e}"));
    let data: BTreeMap<String, Option<Connection>> = answer.parse().map_err(|e| bad(&e))?;
    let Some(Some(conn)) = data.get(t.name()) else {
        return Ok(Some(Page { rows: vec![], end: None, has_next: false }));
    };
    let mut rows = Vec::with_capacity(conn.nodes.len());
    for node in &conn.nodes {
        let id = state::id_of(node.get())
            .ok_or_else(|| ExtractError::Incomplete(format!("{t}: an entity without an id in the answer")))?;
        rows.push((id, node_line(node).map_err(|e| bad(&e))?));
    }
    let (end, has_next) = (conn.page_info.end_cursor.clone(), conn.page_info.has_next_page);
    if has_next && end.is_none() {
        return Err(ExtractError::Incomplete(format!("{t}: a page with more to come but no end cursor")));
    }
    Ok(Some(Page { rows, end, has_next }))
}

/// Writes a part of `rows` and records it (with the cursor after it) in the checkpoint.
fn write_part(
    shared: &Shared,
    t: EntityType,
    rows: Vec<(String, String)>,
    progress: TypeProgress,
) -> Result<(), ExtractError> {
    state::write_part(&part_path(&shared.out, t, progress.parts), rows)?;
    files::crash_point(&format!("after-part:{t}"));
    let mut cp = shared.checkpoint.lock().map_err(|_| ExtractError::Incomplete("checkpoint lock poisoned".into()))?;
    cp.snapshot.insert(t, progress);
    cp.save(&shared.out)
}

/// Pages type `t` from where the checkpoint left it. The next page is fetched while a part is written.
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
    if progress.done {
        return Ok(Paged::Done(progress.fetched));
    }
    let part_rows = (shared.page_size * 5).min(PART_ROWS);
    let mut first = shared.page_size;
    let mut buffer: Vec<(String, String)> = Vec::new();
    let mut after = progress.after.clone();
    let first_page = progress.parts == 0;
    let Some(mut page) = fetch_page(client, t, &query, after.as_deref(), shared, &mut first, first_page).await? else {
        return Ok(Paged::Forbidden);
    };
    loop {
        bar.inc(page.rows.len() as u64);
        buffer.append(&mut page.rows);
        if page.end.is_some() {
            after = page.end.take();
        }
        let next = async {
            match page.has_next {
                true => fetch_page(client, t, &query, after.as_deref(), shared, &mut first, false).await.map(Some),
                false => Ok(None),
            }
        };
        let flush = async {
            if buffer.len() < part_rows && page.has_next {
                return Ok(());
            }
            let rows = std::mem::take(&mut buffer);
            progress = TypeProgress {
                after: after.clone(),
                parts: progress.parts + 1,
                fetched: progress.fetched + rows.len() as u64,
                done: !page.has_next,
            };
            let (shared, done) = (shared.clone(), progress.clone());
            tokio::task::spawn_blocking(move || write_part(&shared, t, rows, done))
                .await
                .map_err(|e| ExtractError::Incomplete(format!("{t}: part writer failed: {e}")))?
        };
        let (next, flushed) = tokio::join!(next, flush);
        flushed?;
        match next? {
            Some(Some(p)) => page = p,
            Some(None) => return Err(ExtractError::Incomplete(format!("{t}: refused part way"))),
            None => break,
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
