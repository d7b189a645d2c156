//! Applying a batch of changes: history parts first, then each type's new state (JSON lines and Parquet,
//! written side by side in one merge pass), each file atomically. The checkpoint moves afterwards (in
//! `run`), so a run killed anywhere in here redoes the batch from the old position: history parts of an
//! unrecorded batch are removed first, and merging the same batch again gives the same state.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::checkpoint::{work_dir, Format};
use super::entity::EntityType;
use super::error::ExtractError;
use super::feed::TypeBatch;
use super::files::{self, AtomicFile};
use super::parquet::{self, ParquetSink};
use super::schema::{FieldSpec, Scalar};
use super::state::{self, Batch, MergeCounts, SortedInput};

/// Where a type's state lives: `<out>/<type>.jsonl` when JSON lines are an output format, else in the
/// work directory.
pub fn state_path(out: &Path, t: EntityType, formats: &[Format]) -> PathBuf {
    if formats.contains(&Format::Jsonl) {
        out.join(format!("{t}.jsonl"))
    } else {
        work_dir(out).join("state").join(format!("{t}.jsonl"))
    }
}

/// The Parquet file of a type's state.
pub fn parquet_path(out: &Path, t: EntityType) -> PathBuf {
    out.join(format!("{t}.parquet"))
}

/// The directory of a type's history.
pub fn history_dir(out: &Path, t: EntityType) -> PathBuf {
    out.join("history").join(t.name())
}

/// A cursor as a file name part: digits zero-padded (so names sort), anything else made safe.
pub fn cursor_name(cursor: &str) -> String {
    if cursor.is_empty() {
        "0".repeat(20)
    } else if cursor.chars().all(|c| c.is_ascii_digit()) {
        format!("{cursor:0>20}")
    } else {
        cursor.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
    }
}

/// Removes history parts of a batch that started at `from` but was never checkpointed.
pub fn remove_unrecorded_history(out: &Path, t: EntityType, from: &str) -> Result<(), ExtractError> {
    let prefix = format!("{}-", cursor_name(from));
    let Ok(entries) = std::fs::read_dir(history_dir(out, t)) else { return Ok(()) };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) {
            files::remove_if_exists(&e.path())?;
        }
    }
    Ok(())
}

/// The columns of a history Parquet file: the entry's own, then the entity's fields.
pub fn history_fields(entity: &[FieldSpec]) -> Vec<FieldSpec> {
    let s = |name: &str, scalar| FieldSpec { name: name.into(), list: false, scalar: Some(scalar), fields: vec![] };
    let mut out = vec![
        s("_sequence", Scalar::Int),
        s("_action", Scalar::String),
        s("_timestamp", Scalar::DateTime),
        s("_actorId", Scalar::String),
        s("_entityId", Scalar::String),
    ];
    out.extend(entity.iter().cloned());
    out
}

/// Writes the history of one type's batch (`from`–`end`).
pub fn write_history(
    out: &Path,
    t: EntityType,
    from: &str,
    end: &str,
    tb: &TypeBatch,
    fields: &[FieldSpec],
    formats: &[Format],
) -> Result<(), ExtractError> {
    if tb.history.is_empty() {
        return Ok(());
    }
    let base = history_dir(out, t).join(format!("{}-{}", cursor_name(from), cursor_name(end)));
    let jsonl = base.with_extension("jsonl");
    let mut f = AtomicFile::create(&jsonl)?;
    for h in &tb.history {
        serde_json::to_writer(f.writer(), h).map_err(|e| ExtractError::Incomplete(e.to_string()))?;
        f.writer().write_all(b"\n").map_err(|e| ExtractError::io(jsonl.display(), e))?;
    }
    f.commit()?;
    files::crash_point(&format!("after-history:{t}"));
    if formats.contains(&Format::Parquet) {
        let mut sink = ParquetSink::create(&base.with_extension("parquet"), &history_fields(fields), String::new())?;
        for h in &tb.history {
            let mut row = match h.get("entity") {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            };
            for (k, col) in [
                ("sequence", "_sequence"),
                ("action", "_action"),
                ("timestamp", "_timestamp"),
                ("actorId", "_actorId"),
                ("entityId", "_entityId"),
            ] {
                row.insert(col.into(), h.get(k).cloned().unwrap_or(Value::Null));
            }
            sink.push(Value::Object(row))?;
        }
        sink.commit()?;
    }
    Ok(())
}

/// Writes a type's new state: `inputs` (a first run's sorted parts, or the previous state file) merged
/// with `latest`. A first run writes the Parquet file in the same pass; later runs update the previous
/// Parquet file with the batch (see [`parquet::update`]) or, when its columns changed, rebuild it from
/// the new JSON lines.
pub fn write_state(
    out: &Path,
    t: EntityType,
    inputs: &[PathBuf],
    latest: &Batch,
    fields: &[FieldSpec],
    formats: &[Format],
    first: bool,
) -> Result<MergeCounts, ExtractError> {
    let dest = state_path(out, t, formats);
    let parquet = formats.contains(&Format::Parquet);
    let crash = format!("during-parquet:{t}");
    let mut input = SortedInput::open(inputs)?;
    let mut jsonl = AtomicFile::create(&dest)?;
    let mut pq = match parquet && first {
        true => Some(ParquetSink::create(&parquet_path(out, t), fields, crash.clone())?),
        false => None,
    };
    let counts = state::merge(&mut input, latest, |line| {
        jsonl.writer().write_all(line.as_bytes()).map_err(|e| ExtractError::io(dest.display(), e))?;
        jsonl.writer().write_all(b"\n").map_err(|e| ExtractError::io(dest.display(), e))?;
        if let Some(pq) = pq.as_mut() {
            pq.push(parse_line(&dest, line)?)?;
        }
        Ok(())
    })?;
    drop(input);
    jsonl.commit()?;
    files::crash_point(&format!("after-rename:{t}"));
    if let Some(pq) = pq {
        pq.commit()?;
    } else if parquet && !parquet::update(&parquet_path(out, t), fields, latest, crash.clone())? {
        rebuild_parquet(&dest, &parquet_path(out, t), fields, crash)?;
    }
    Ok(counts)
}

fn parse_line(path: &Path, line: &str) -> Result<Value, ExtractError> {
    serde_json::from_str(line)
        .map_err(|e| ExtractError::Config(format!("{}: unreadable line ({e}); use --full", path.display())))
}

/// Writes the Parquet file `dest` from the state file `state`.
fn rebuild_parquet(state: &Path, dest: &Path, fields: &[FieldSpec], crash: String) -> Result<(), ExtractError> {
    let mut input = SortedInput::open(&[state.to_path_buf()])?;
    let mut sink = ParquetSink::create(dest, fields, crash)?;
    while let Some((_, line)) = input.next_entry()? {
        sink.push(parse_line(state, &line)?)?;
    }
    sink.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_names_sort_and_are_safe() {
        assert_eq!(cursor_name("42"), "00000000000000000042");
        assert!(cursor_name("9") < cursor_name("10"));
        assert_eq!(cursor_name("a/b"), "a_b");
    }

    #[test]
    fn state_and_parquet_are_written_and_the_unrecorded_history_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let fields = vec![FieldSpec { name: "id".into(), list: false, scalar: Some(Scalar::String), fields: vec![] }];
        let part = out.join("p.jsonl");
        state::write_part(&part, vec![("a".into(), r#"{"id":"a"}"#.into()), ("b".into(), r#"{"id":"b"}"#.into())])
            .unwrap();
        let latest = Batch::from([("a".to_string(), None), ("c".to_string(), Some(r#"{"id":"c"}"#.to_string()))]);
        let formats = [Format::Jsonl, Format::Parquet];
        let counts = write_state(out, EntityType::Orders, &[part], &latest, &fields, &formats, true).unwrap();
        assert_eq!((counts.rows, counts.upserted, counts.deleted), (2, 1, 1));
        assert_eq!(std::fs::read_to_string(out.join("orders.jsonl")).unwrap(), "{\"id\":\"b\"}\n{\"id\":\"c\"}\n");
        assert!(out.join("orders.parquet").exists());
        let mut tb = TypeBatch::default();
        tb.history.push(serde_json::json!({"sequence": "5", "action": "DELETE", "entityId": "a", "entity": null}));
        write_history(out, EntityType::Orders, "4", "5", &tb, &fields, &formats).unwrap();
        let h = history_dir(out, EntityType::Orders);
        assert_eq!(std::fs::read_dir(&h).unwrap().count(), 2);
        remove_unrecorded_history(out, EntityType::Orders, "3").unwrap();
        assert_eq!(std::fs::read_dir(&h).unwrap().count(), 2);
        remove_unrecorded_history(out, EntityType::Orders, "4").unwrap();
        assert_eq!(std::fs::read_dir(&h).unwrap().count(), 0);
    }
}

#[cfg(test)]
mod perf_probe {
    use super::*;

    #[tokio::test]
    #[ignore = "timing probe"]
    async fn probe() {
        let specs = crate::extract::schema::local_specs(&[EntityType::Datasets]).await.unwrap();
        let fields = specs[&EntityType::Datasets].clone();
        let dir = tempfile::tempdir().unwrap();
        let mut lines = Vec::new();
        for i in 0..100_000u32 {
            let id = format!("0190{i:028x}");
            let v = serde_json::json!({"access":"PUBLIC","accessRules":null,"createdAt":"2026-12-02T10:00:00Z","crossReferences":[{"kind":"DOI","url":null,"value":format!("10.1/{i}")}],"description":"A dataset made for the extract benchmark.","id":id,"order":{"id":"0190aaaa"},"tagsStandard":[],"tagsUser":["bench","t3"],"title":format!("dataset {i}"),"updatedAt":"2026-12-02T10:00:00Z","version":1});
            lines.push((id, v.to_string()));
        }
        let t = std::time::Instant::now();
        let vals: Vec<Value> = lines.iter().map(|(_, l)| serde_json::from_str(l).unwrap()).collect();
        eprintln!("parse {:?}", t.elapsed());
        for f in &fields {
            let t = std::time::Instant::now();
            for c in vals.chunks(8192) {
                crate::extract::parquet::frame(c, std::slice::from_ref(f)).unwrap();
            }
            eprintln!("column {} {:?}", f.name, t.elapsed());
        }
        let t = std::time::Instant::now();
        let part = dir.path().join("p.jsonl");
        state::write_part(&part, lines).unwrap();
        eprintln!("part {:?}", t.elapsed());
        let t = std::time::Instant::now();
        write_state(
            dir.path(),
            EntityType::Datasets,
            &[part],
            &Batch::new(),
            &fields,
            &[Format::Jsonl, Format::Parquet],
            true,
        )
        .unwrap();
        eprintln!("state+parquet {:?}", t.elapsed());
        let t = std::time::Instant::now();
        write_state(
            dir.path(),
            EntityType::Datasets,
            &[dir.path().join("datasets.jsonl")],
            &Batch::new(),
            &fields,
            &[Format::Jsonl],
            false,
        )
        .unwrap();
        eprintln!("state only {:?}", t.elapsed());
    }
}
