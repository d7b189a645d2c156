//! `datatracker extract`: a client of the public GraphQL API (never the database) that pulls every entity
//! a key may see into JSON lines and Parquet, then only the changes.
//!
//! A first run reads the feed's newest position *first*, pages every type by keyset cursor into sorted
//! parts, then applies the changes since that position, so nothing changed during the pull is lost or
//! left out. Later runs read only the changes since the checkpoint. Every file is written to a temporary
//! name, synced and renamed; the checkpoint is written last the same way, so `kill -9` at any moment and a
//! rerun give the output of an uninterrupted run. See the README section "Extracting data".

mod apply;
mod args;
mod checkpoint;
mod client;
mod entity;
mod error;
mod feed;
mod files;
mod lock;
mod membership;
mod parquet;
mod progress;
mod schema;
mod snapshot;
mod state;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{json, Value};

pub use args::{ExtractArgs, KEY_ENV};
pub use checkpoint::{Checkpoint, Format, Phase};
pub use client::{CallError, Client, RetryPolicy};
pub use entity::EntityType;
pub use error::{ExtractError, EXIT_AUTH, EXIT_CONFIG, EXIT_FEED_LOST, EXIT_INCOMPLETE, EXIT_OK};
pub use progress::{Summary, TypeSummary};

use checkpoint::{key_fingerprint, work_dir, TypeProgress, VERSION};
use progress::Progress;
use schema::Specs;
use snapshot::{Paged, Shared};

/// Runs the command: prints the summary (or the error) and returns the exit code.
pub async fn main(args: ExtractArgs) -> u8 {
    match run(&args).await {
        Ok(summary) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
            } else {
                print!("{}", summary.table());
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// Runs an extract.
pub async fn run(args: &ExtractArgs) -> Result<Summary, ExtractError> {
    let started = Instant::now();
    let r = args.resolve()?;
    let out = args.out.clone();
    std::fs::create_dir_all(work_dir(&out))
        .map_err(|e| ExtractError::Config(format!("--out {}: {e}", out.display())))?;
    let _lock = lock::DirLock::take(&out)?;
    let policy = RetryPolicy { retries: args.retries, ..RetryPolicy::default() };
    let (user, key) = match &r.credentials {
        Some((u, k)) => (Some(u.clone()), Some(k.clone())),
        None => (None, None),
    };
    let fingerprint = key.as_deref().map(key_fingerprint);
    let previous = Checkpoint::load(&out)?;
    if let (Some(prev), false) = (&previous, args.full) {
        prev.ensure_same_source(r.endpoint.as_str(), user.as_deref(), fingerprint.as_deref(), &r.types, &r.formats)?;
    }
    let client =
        Arc::new(Client::new(r.endpoint.clone(), user.clone(), key, policy).map_err(ExtractError::Incomplete)?);
    if user.is_some() {
        let me =
            client.call("query ExtractMe { me { id } }", json!({})).await.map_err(|e| snapshot::call_error("me", e))?;
        if me.pointer("/me/id").is_none_or(Value::is_null) {
            return Err(ExtractError::Auth("the API user and key were not accepted".into()));
        }
    }
    let specs = fetch_specs(&client, &r.types).await?;
    if let Some(prev) = &previous {
        clean_after_crash(&out, prev)?;
    }
    let mut cp = match previous {
        Some(prev) if !args.full => {
            let merged = schema::merge_specs(&prev.specs, &specs)?;
            Checkpoint { specs: merged, ..prev }
        }
        _ => {
            files::remove_if_exists(&work_dir(&out).join("snapshot"))?;
            let position = feed::newest_position(&client).await?;
            let mut cp = Checkpoint {
                version: VERSION,
                endpoint: r.endpoint.to_string(),
                user: user.clone(),
                key_fingerprint: fingerprint.clone(),
                types: r.types.clone(),
                forbidden: vec![],
                formats: r.formats.clone(),
                phase: Phase::Snapshot,
                position,
                snapshot: r.types.iter().map(|t| (*t, TypeProgress::default())).collect(),
                specs,
                written_at: String::new(),
            };
            cp.save(&out)?;
            cp
        }
    };
    let mut summary =
        Summary { mode: if cp.phase == Phase::Snapshot { "full" } else { "incremental" }.into(), ..Summary::default() };
    for t in &cp.types {
        summary.types.insert(*t, TypeSummary { forbidden: cp.forbidden.contains(t), ..TypeSummary::default() });
    }
    let progress = Progress::new();
    if cp.phase == Phase::Snapshot {
        cp = page_all(&client, cp, &out, r.page_size, r.parallel, &progress, &mut summary).await?;
    } else {
        for t in cp.types.iter().filter(|t| !cp.forbidden.contains(t)) {
            let p = apply::state_path(&out, *t, &cp.formats);
            if !p.exists() {
                return Err(ExtractError::Config(format!("{} is missing; extract again with --full", p.display())));
            }
        }
    }
    apply_changes(&client, &mut cp, &out, r.parallel, &progress, &mut summary).await?;
    summary.position = cp.position.clone();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

async fn fetch_specs(client: &Client, types: &[EntityType]) -> Result<Specs, ExtractError> {
    match client.call(schema::INTROSPECTION, json!({})).await {
        Ok(data) => schema::specs_from_introspection(&data, types),
        Err(CallError::Graphql { .. }) => {
            eprintln!("extract: the API answers no introspection; using this build's schema");
            schema::local_specs(types).await
        }
        Err(e) => Err(snapshot::call_error("introspection", e)),
    }
}

/// Removes what a killed run wrote after its last checkpoint.
fn clean_after_crash(out: &Path, cp: &Checkpoint) -> Result<(), ExtractError> {
    files::remove_tmp_files(&work_dir(out))?;
    files::remove_tmp_files(&out.join("history"))?;
    for t in &cp.types {
        for name in [format!("{t}.jsonl.tmp"), format!("{t}.parquet.tmp")] {
            files::remove_if_exists(&out.join(name))?;
        }
        apply::remove_unrecorded_history(out, *t, &cp.position)?;
        if cp.phase == Phase::Snapshot {
            snapshot::remove_unrecorded_parts(out, *t, cp.snapshot.get(t).map(|p| p.parts).unwrap_or(0))?;
        }
    }
    Ok(())
}

async fn page_all(
    client: &Arc<Client>,
    cp: Checkpoint,
    out: &Path,
    page_size: usize,
    parallel: usize,
    progress: &Progress,
    summary: &mut Summary,
) -> Result<Checkpoint, ExtractError> {
    let shared = Shared {
        out: out.to_path_buf(),
        checkpoint: Arc::new(Mutex::new(cp.clone())),
        page_size,
        anonymous: cp.user.is_none(),
    };
    let permits = Arc::new(tokio::sync::Semaphore::new(parallel));
    let mut tasks = Vec::new();
    for t in cp.types.iter().copied().filter(|t| !cp.forbidden.contains(t)) {
        let fields = cp.specs.get(&t).cloned().unwrap_or_default();
        let (client, shared, permits) = (client.clone(), shared.clone(), permits.clone());
        let bar = progress.bar(t.name(), "paged");
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            let r = snapshot::page_type(&client, t, &fields, &shared, &bar).await;
            bar.finish(if r.is_ok() { "paged" } else { "failed" });
            (t, r)
        }));
    }
    let mut first_error = None;
    let mut forbidden = Vec::new();
    for task in tasks {
        match task.await {
            Ok((t, Ok(Paged::Done(n)))) => summary.types.entry(t).or_default().fetched += n,
            Ok((t, Ok(Paged::Forbidden))) => forbidden.push(t),
            Ok((_, Err(e))) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(ExtractError::Incomplete(format!("a paging task failed: {e}")));
            }
        }
    }
    let mut cp =
        shared.checkpoint.lock().map_err(|_| ExtractError::Incomplete("checkpoint lock poisoned".into()))?.clone();
    if !forbidden.is_empty() {
        for t in &forbidden {
            eprintln!("extract: {t}: this key may not list them; left out");
            summary.types.entry(*t).or_default().forbidden = true;
            cp.snapshot.remove(t);
        }
        cp.forbidden.extend(forbidden);
        cp.forbidden.sort();
        cp.save(out)?;
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(cp),
    }
}

async fn apply_changes(
    client: &Client,
    cp: &mut Checkpoint,
    out: &Path,
    parallel: usize,
    progress: &Progress,
    summary: &mut Summary,
) -> Result<(), ExtractError> {
    let types: Vec<EntityType> = cp.types.iter().copied().filter(|t| !cp.forbidden.contains(t)).collect();
    // Collections need the datasets' entries even when datasets are not extracted: a dataset that leaves
    // the key's view leaves every collection's membership (see `membership`).
    let mut feed_types = types.clone();
    if types.contains(&EntityType::Collections) && !types.contains(&EntityType::Datasets) {
        feed_types.push(EntityType::Datasets);
    }
    let bar = progress.bar("changes", "read");
    loop {
        let was_snapshot = cp.phase == Phase::Snapshot;
        let mut batch = if types.is_empty() {
            feed::ChangeBatch { from: cp.position.clone(), end: cp.position.clone(), ..Default::default() }
        } else {
            feed::read_batch(client, &cp.position, &feed_types, &cp.specs, |n| bar.inc(n)).await?
        };
        let lost = Arc::new(batch.types.get(&EntityType::Datasets).map(membership::lost).unwrap_or_default());
        if !was_snapshot && batch.types.is_empty() && batch.end == cp.position {
            break;
        }
        // Collections holding a dataset that came into view, read again (needs the datasets' state).
        let mut regained = state::Batch::new();
        let both = types.contains(&EntityType::Collections) && types.contains(&EntityType::Datasets);
        if let (true, Some(dtb)) = (both, batch.types.get(&EntityType::Datasets)) {
            let known = (!was_snapshot).then(|| apply::state_path(out, EntityType::Datasets, &cp.formats));
            let fields = cp.specs.get(&EntityType::Collections).cloned().unwrap_or_default();
            regained = membership::regained(client, dtb, known, &fields).await?;
        }
        let permits = Arc::new(tokio::sync::Semaphore::new(parallel));
        let mut tasks = Vec::new();
        for t in types.iter().copied() {
            let mut tb = batch.types.remove(&t).unwrap_or_default();
            summary.types.entry(t).or_default().fetched += tb.history.len() as u64;
            if t == EntityType::Collections {
                for (id, line) in std::mem::take(&mut regained) {
                    if tb.latest.get(&id) != Some(&None) {
                        tb.latest.insert(id, line);
                    }
                }
            }
            let prunes = t == EntityType::Collections && !lost.is_empty();
            if !was_snapshot && tb.history.is_empty() && tb.latest.is_empty() && !prunes {
                continue;
            }
            let inputs = if was_snapshot {
                snapshot::part_paths(out, t, cp.snapshot.get(&t).map(|p| p.parts).unwrap_or(0))
            } else {
                vec![apply::state_path(out, t, &cp.formats)]
            };
            let (out, fields, formats) =
                (out.to_path_buf(), cp.specs.get(&t).cloned().unwrap_or_default(), cp.formats.clone());
            let (from, end, permits, lost) = (batch.from.clone(), batch.end.clone(), permits.clone(), lost.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                let r = tokio::task::spawn_blocking(move || {
                    apply::write_history(&out, t, &from, &end, &tb, &fields, &formats)?;
                    if prunes {
                        membership::prune(&inputs, &mut tb.latest, &lost)?;
                    }
                    if was_snapshot || !tb.latest.is_empty() {
                        apply::write_state(&out, t, &inputs, &tb.latest, &fields, &formats, was_snapshot).map(Some)
                    } else {
                        Ok(None)
                    }
                })
                .await;
                (t, r)
            }));
        }
        let mut first_error = None;
        for task in tasks {
            match task.await {
                Ok((t, Ok(Ok(Some(c))))) => {
                    let s = summary.types.entry(t).or_default();
                    s.upserted += if was_snapshot { c.rows } else { c.upserted };
                    s.deleted += c.deleted;
                    s.rows = Some(c.rows);
                }
                Ok((_, Ok(Ok(None)))) => {}
                Ok((_, Ok(Err(e)))) => {
                    first_error.get_or_insert(e);
                }
                Ok((t, Err(e))) => {
                    first_error.get_or_insert(ExtractError::Incomplete(format!("{t}: writer failed: {e}")));
                }
                Err(e) => {
                    first_error.get_or_insert(ExtractError::Incomplete(format!("a writer task failed: {e}")));
                }
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        cp.position = batch.end.clone();
        cp.phase = Phase::Incremental;
        cp.snapshot.clear();
        cp.save(out)?;
        if was_snapshot {
            files::remove_if_exists(&work_dir(out).join("snapshot"))?;
        }
        if !batch.more {
            break;
        }
    }
    bar.finish("applied");
    Ok(())
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod run_tests;
