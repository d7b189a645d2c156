//! The latest state per entity, on disk: JSON lines sorted by id. A first run's pages land in sorted
//! parts; every batch of changes is merged in one streaming pass (parts or the previous state file, plus
//! the batch's latest version or deletion per id) that writes the new JSON lines and Parquet side by side.
//! Memory holds one line per input file and the batch, never the whole state.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fs::File;
use std::io::{BufRead, BufReader, Lines, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::ExtractError;
use super::files::AtomicFile;

/// The latest change of each id in a batch: a new JSON line, or `None` for a deletion.
pub type Batch = BTreeMap<String, Option<String>>;

#[derive(Deserialize)]
struct IdOnly<'a> {
    #[serde(borrow)]
    id: std::borrow::Cow<'a, str>,
}

/// The `id` of a JSON line.
pub fn id_of(line: &str) -> Option<String> {
    match plain_top_level_id(line) {
        Some(id) => Some(id.to_owned()),
        None => serde_json::from_str::<IdOnly>(line).ok().map(|x| x.id.into_owned()),
    }
}

/// The top-level `"id"` string of a JSON object found by scanning (every state line is read once per
/// batch, and a full parse of each costs more than the rest of the merge); `None` when the id is not a
/// plain string (escapes) or the line is not shaped as expected — [`id_of`] then parses it.
fn plain_top_level_id(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let mut depth = 0usize;
    let mut key_next = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                if j >= b.len() {
                    return None;
                }
                if depth == 1 && key_next && &b[start..j] == b"id" {
                    let rest = line[j + 1..].trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
                    let end = rest.find(['"', '\\'])?;
                    return (rest.as_bytes()[end] == b'"').then(|| &rest[..end]);
                }
                key_next = false;
                i = j + 1;
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                key_next = depth == 1;
            }
            b'}' | b']' => depth = depth.checked_sub(1)?,
            b',' => key_next = depth == 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Writes a snapshot part: `lines` (id, JSON) sorted by id.
pub fn write_part(path: &Path, mut lines: Vec<(String, String)>) -> Result<(), ExtractError> {
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    let mut f = AtomicFile::create(path)?;
    for (_, line) in &lines {
        f.writer().write_all(line.as_bytes()).map_err(|e| ExtractError::io(path.display(), e))?;
        f.writer().write_all(b"\n").map_err(|e| ExtractError::io(path.display(), e))?;
    }
    f.commit()
}

/// Sorted (id, line) pairs from several sorted files; on equal ids the later file wins.
pub struct SortedInput {
    files: Vec<(PathBuf, Lines<BufReader<File>>)>,
    heap: BinaryHeap<Reverse<(String, usize)>>,
    pending: Vec<Option<String>>,
}

impl SortedInput {
    /// Opens `paths` (missing files count as empty).
    pub fn open(paths: &[PathBuf]) -> Result<Self, ExtractError> {
        let mut me = Self { files: Vec::new(), heap: BinaryHeap::new(), pending: Vec::new() };
        for p in paths {
            match File::open(p) {
                Ok(f) => {
                    me.files.push((p.clone(), BufReader::with_capacity(1 << 16, f).lines()));
                    me.pending.push(None);
                    let i = me.files.len() - 1;
                    me.advance(i)?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ExtractError::io(p.display(), e)),
            }
        }
        Ok(me)
    }

    fn advance(&mut self, i: usize) -> Result<(), ExtractError> {
        let (path, lines) = &mut self.files[i];
        loop {
            match lines.next() {
                None => return Ok(()),
                Some(Err(e)) => return Err(ExtractError::io(path.display(), e)),
                Some(Ok(line)) if line.trim().is_empty() => continue,
                Some(Ok(line)) => {
                    let id = id_of(&line).ok_or_else(|| {
                        ExtractError::Config(format!(
                            "{} has a line without an id; extract again with --full",
                            path.display()
                        ))
                    })?;
                    self.heap.push(Reverse((id, i)));
                    self.pending[i] = Some(line);
                    return Ok(());
                }
            }
        }
    }

    /// The next (id, line) in id order.
    pub fn next_entry(&mut self) -> Result<Option<(String, String)>, ExtractError> {
        let Some(Reverse((id, i))) = self.heap.pop() else { return Ok(None) };
        let mut line = self.pending[i].take().unwrap_or_default();
        self.advance(i)?;
        while let Some(Reverse((next_id, _))) = self.heap.peek() {
            if *next_id != id {
                break;
            }
            let Some(Reverse((_, j))) = self.heap.pop() else { break };
            if let Some(l) = self.pending[j].take() {
                if j > i {
                    line = l;
                }
            }
            self.advance(j)?;
        }
        Ok(Some((id, line)))
    }
}

/// Counts of one merge.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MergeCounts {
    /// Lines in the new state.
    pub rows: u64,
    /// Batch entries written (new or changed entities).
    pub upserted: u64,
    /// Entities removed.
    pub deleted: u64,
}

/// Merges `input` with `batch` in id order, handing every line of the new state to `emit`.
pub fn merge(
    input: &mut SortedInput,
    batch: &Batch,
    mut emit: impl FnMut(&str) -> Result<(), ExtractError>,
) -> Result<MergeCounts, ExtractError> {
    let mut counts = MergeCounts::default();
    let mut changes = batch.iter().peekable();
    let mut current = input.next_entry()?;
    loop {
        let take_change = match (&current, changes.peek()) {
            (None, None) => break,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (Some((id, _)), Some((cid, _))) => cid.as_str() <= id.as_str(),
        };
        if take_change {
            let Some((cid, change)) = changes.next() else { break };
            let replaces = matches!(&current, Some((id, _)) if id == cid);
            if replaces {
                current = input.next_entry()?;
            }
            match change {
                Some(line) => {
                    emit(line)?;
                    counts.rows += 1;
                    counts.upserted += 1;
                }
                None if replaces => counts.deleted += 1,
                None => {}
            }
        } else if let Some((_, line)) = current.take() {
            emit(&line)?;
            counts.rows += 1;
            current = input.next_entry()?;
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, v: u32) -> String {
        format!(r#"{{"title":"t{v}","id":"{id}"}}"#)
    }

    #[test]
    fn parts_merge_sorted_with_changes_applied_last_wins_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let p1 = dir.path().join("p1.jsonl");
        let p2 = dir.path().join("p2.jsonl");
        write_part(&p1, vec![("c".into(), line("c", 1)), ("a".into(), line("a", 1))]).unwrap();
        write_part(&p2, vec![("b".into(), line("b", 1)), ("a".into(), line("a", 2)), ("e".into(), line("e", 1))])
            .unwrap();
        let mut input = SortedInput::open(&[p1, p2, dir.path().join("missing")]).unwrap();
        let batch = Batch::from([
            ("b".to_string(), None),
            ("d".to_string(), Some(line("d", 1))),
            ("e".to_string(), Some(line("e", 9))),
            ("z".to_string(), None),
        ]);
        let mut out = Vec::new();
        let counts = merge(&mut input, &batch, |l| {
            out.push(l.to_string());
            Ok(())
        })
        .unwrap();
        assert_eq!(out, vec![line("a", 2), line("c", 1), line("d", 1), line("e", 9)]);
        assert_eq!(counts, MergeCounts { rows: 4, upserted: 2, deleted: 1 });
    }

    #[test]
    fn merging_the_same_batch_twice_gives_the_same_state() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("base.jsonl");
        write_part(&base, (0..50).map(|i| (format!("{i:03}"), line(&format!("{i:03}"), 0))).collect()).unwrap();
        let batch: Batch = (0..60)
            .step_by(7)
            .map(|i| (format!("{i:03}"), if i % 2 == 0 { Some(line(&format!("{i:03}"), 1)) } else { None }))
            .collect();
        let run = |from: &Path, to: &Path| {
            let mut f = AtomicFile::create(to).unwrap();
            merge(&mut SortedInput::open(&[from.to_path_buf()]).unwrap(), &batch, |l| {
                writeln!(f.writer(), "{l}").map_err(|e| ExtractError::io("x", e))
            })
            .unwrap();
            f.commit().unwrap();
        };
        let once = dir.path().join("once.jsonl");
        let twice = dir.path().join("twice.jsonl");
        run(&base, &once);
        run(&once, &twice);
        assert_eq!(std::fs::read_to_string(&once).unwrap(), std::fs::read_to_string(&twice).unwrap());
    }

    #[test]
    fn id_of_finds_the_id_anywhere() {
        assert_eq!(id_of(r#"{"a":{"id":"x"},"id":"y\"z"}"#).as_deref(), Some("y\"z"));
        assert_eq!(id_of("{}"), None);
        for (line, id) in [
            (r#"{"access":"PUBLIC","id":"0190-a","order":{"id":"o"}}"#, Some("0190-a")),
            (r#"{"order":{"id":"o"},"tags":["id","x"],"id":"d1"}"#, Some("d1")),
            (r#"{"title":"id","x":"\"id\":\"no\"","id" : "d2" }"#, Some("d2")),
            (r#"{"a":[{"id":"nested"}],"b":{"c":{"id":"deep"}}}"#, None),
            (r#"{"id":7}"#, None),
        ] {
            assert_eq!(plain_top_level_id(line).is_some(), id.is_some(), "{line}");
            assert_eq!(plain_top_level_id(line), id, "{line}");
            if let Some(id) = id {
                assert_eq!(id_of(line).as_deref(), Some(id), "{line}");
            }
        }
        assert_eq!(plain_top_level_id(r#"{"id":"a\u0062"}"#), None);
        assert_eq!(id_of(r#"{"id":"a\u0062"}"#).as_deref(), Some("ab"));
    }
}
