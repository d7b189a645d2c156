//! Collection membership (`Collection.datasetIds`) kept exact between runs.
//!
//! The server lists only the datasets the key may see, and adding, removing or deleting a dataset is a
//! change of the collection, so those arrive with the collection. A dataset the key *loses* (a `REVOKE`:
//! made `PRIVATE`, its rules narrowed) is reported as the dataset's change only, and the collections
//! already written would keep its id. So every batch takes the ids of the datasets it removes (last entry
//! `DELETE` or `REVOKE`) out of every collection's `datasetIds`: in the batch's own versions of
//! collections and in the stored ones, a rewritten collection being written like a change (without a
//! history entry, since the feed has none).
//!
//! A dataset that comes (back) into view is an `EDIT` of the dataset, again no change of its collections.
//! When datasets are extracted too, every batch finds those datasets (an `EDIT` of a dataset the state does
//! not hold; on a first run every `EDIT`, since a collection may have been paged before the dataset came
//! into view) and reads the collections holding them again (`Dataset.collections`: the first 100).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{json, Value};

use super::client::Client;
use super::error::ExtractError;
use super::feed::TypeBatch;
use super::schema::{selection, FieldSpec};
use super::snapshot::call_error;
use super::state::{Batch, SortedInput};

/// The membership field of a collection.
pub const FIELD: &str = "datasetIds";

/// The dataset ids a batch takes out of view: those whose last entry is a `DELETE` or a `REVOKE`.
pub fn lost(datasets: &TypeBatch) -> BTreeSet<String> {
    let mut last: BTreeMap<&str, &str> = BTreeMap::new();
    for h in &datasets.history {
        if let (Some(id), Some(action)) = (h["entityId"].as_str(), h["action"].as_str()) {
            last.insert(id, action);
        }
    }
    last.into_iter().filter(|(_, a)| matches!(*a, "DELETE" | "REVOKE")).map(|(id, _)| id.to_owned()).collect()
}

/// The datasets a batch may bring into view: those whose last entry is an `EDIT` with the dataset.
pub fn edited(datasets: &TypeBatch) -> BTreeSet<String> {
    let mut last: BTreeMap<&str, bool> = BTreeMap::new();
    for h in &datasets.history {
        if let (Some(id), Some(action)) = (h["entityId"].as_str(), h["action"].as_str()) {
            last.insert(id, action == "EDIT" && !h["entity"].is_null());
        }
    }
    last.into_iter().filter(|(_, edit)| *edit).map(|(id, _)| id.to_owned()).collect()
}

/// `candidates` less the ids the datasets state (`known`, sorted JSON lines) holds.
pub fn unknown(known: &[PathBuf], mut candidates: BTreeSet<String>) -> Result<BTreeSet<String>, ExtractError> {
    if candidates.is_empty() {
        return Ok(candidates);
    }
    let mut input = SortedInput::open(known)?;
    while let Some((id, _)) = input.next_entry()? {
        candidates.remove(&id);
    }
    Ok(candidates)
}

/// The collections holding the datasets of `batch` that came into view, read again as the key sees them
/// now (with `fields`), as a batch of JSON lines. `known` is the datasets state before the batch (`None`
/// on a first run: every edited dataset is a candidate).
pub async fn regained(
    client: &Client,
    batch: &TypeBatch,
    known: Option<PathBuf>,
    fields: &[FieldSpec],
) -> Result<Batch, ExtractError> {
    let mut datasets = edited(batch);
    if let Some(known) = known {
        datasets = tokio::task::spawn_blocking(move || unknown(&[known], datasets))
            .await
            .map_err(|e| ExtractError::Incomplete(format!("reading the datasets state failed: {e}")))??;
    }
    let mut holders = BTreeSet::new();
    let datasets: Vec<String> = datasets.into_iter().collect();
    for chunk in datasets.chunks(HOLDERS_PER_REQUEST) {
        let (query, vars) = holders_query(chunk);
        let data = client.call(&query, vars).await.map_err(|e| call_error("collections of datasets", e))?;
        for i in 0..chunk.len() {
            let found = data.pointer(&format!("/d{i}/collections")).and_then(Value::as_array);
            for c in found.into_iter().flatten() {
                if let Some(c) = c.get("id").and_then(Value::as_str) {
                    holders.insert(c.to_owned());
                }
            }
        }
    }
    let q = format!("query ExtractCollection($id: ID!) {{ collection(id: $id) {{ {} }} }}", selection(fields));
    let mut out = Batch::new();
    for id in holders {
        let data = client.call(&q, json!({ "id": id })).await.map_err(|e| call_error("collection", e))?;
        // A collection deleted since is left to its DELETE in the feed.
        if let Some(c) = data.get("collection").filter(|c| !c.is_null()) {
            out.insert(id, Some(c.to_string()));
        }
    }
    Ok(out)
}

/// Datasets asked about in one request (each costs about 200 of the anonymous budget of 25,000).
const HOLDERS_PER_REQUEST: usize = 50;

/// One query asking for the collections of each of `datasets` (aliases `d0`, `d1`, …; ids as variables).
fn holders_query(datasets: &[String]) -> (String, Value) {
    let params: Vec<String> = (0..datasets.len()).map(|i| format!("$d{i}: ID!")).collect();
    let fields: Vec<String> = (0..datasets.len())
        .map(|i| format!("d{i}: dataset(id: $d{i}) {{ collections(first: 100) {{ id }} }}"))
        .collect();
    let vars: serde_json::Map<String, Value> =
        datasets.iter().enumerate().map(|(i, id)| (format!("d{i}"), Value::String(id.clone()))).collect();
    (format!("query ExtractHolders({}) {{ {} }}", params.join(", "), fields.join(" ")), Value::Object(vars))
}

/// Takes `lost` out of the `datasetIds` of the collections in `latest`, and adds to `latest` a pruned
/// version of every collection of the current state (`inputs`, sorted JSON lines) that holds one and that
/// the batch does not change. Returns how many collections were added.
pub fn prune(inputs: &[PathBuf], latest: &mut Batch, lost: &BTreeSet<String>) -> Result<u64, ExtractError> {
    if lost.is_empty() {
        return Ok(0);
    }
    for line in latest.values_mut().flatten() {
        if let Some(p) = pruned(line, lost)? {
            *line = p;
        }
    }
    let mut input = SortedInput::open(inputs)?;
    let mut added = Vec::new();
    while let Some((id, line)) = input.next_entry()? {
        if latest.contains_key(&id) {
            continue;
        }
        if let Some(p) = pruned(&line, lost)? {
            added.push((id, Some(p)));
        }
    }
    let n = added.len() as u64;
    latest.extend(added);
    Ok(n)
}

/// `line` without the `lost` ids in its membership; `None` when it holds none of them.
fn pruned(line: &str, lost: &BTreeSet<String>) -> Result<Option<String>, ExtractError> {
    let mut v: Value = serde_json::from_str(line)
        .map_err(|e| ExtractError::Config(format!("a collection that is not JSON ({e}); use --full")))?;
    let Some(Value::Array(ids)) = v.get_mut(FIELD) else { return Ok(None) };
    let before = ids.len();
    ids.retain(|x| !x.as_str().is_some_and(|s| lost.contains(s)));
    if ids.len() == before {
        return Ok(None);
    }
    Ok(Some(v.to_string()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry(action: &str, id: &str) -> Value {
        json!({"sequence": "1", "action": action, "entityId": id, "entity": null})
    }

    #[test]
    fn a_dataset_is_lost_when_its_last_entry_removes_it() {
        let tb = TypeBatch {
            latest: Batch::new(),
            history: vec![
                entry("REVOKE", "a"),
                entry("EDIT", "a"),
                entry("EDIT", "b"),
                entry("REVOKE", "b"),
                entry("DELETE", "c"),
                entry("ADD", "d"),
            ],
        };
        assert_eq!(lost(&tb), BTreeSet::from(["b".to_string(), "c".to_string()]));
    }

    #[test]
    fn an_edited_dataset_the_state_does_not_hold_may_have_come_into_view() {
        let mut tb = TypeBatch::default();
        for (action, id) in
            [("EDIT", "a"), ("REVOKE", "a"), ("REVOKE", "b"), ("EDIT", "b"), ("EDIT", "c"), ("ADD", "d")]
        {
            let mut e = entry(action, id);
            e["entity"] = json!({"id": id});
            tb.history.push(e);
        }
        let edited = edited(&tb);
        assert_eq!(edited, BTreeSet::from(["b".to_string(), "c".to_string()]));
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("datasets.jsonl");
        super::super::state::write_part(&state, vec![("c".into(), json!({"id": "c"}).to_string())]).unwrap();
        assert_eq!(unknown(&[state], edited).unwrap(), BTreeSet::from(["b".to_string()]));
    }

    #[test]
    fn lost_ids_leave_stored_and_batched_collections_and_nothing_else_changes() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("collections.jsonl");
        let line = |id: &str, ids: &[&str]| json!({"id": id, "datasetIds": ids, "title": id}).to_string();
        super::super::state::write_part(
            &state,
            vec![
                ("c1".into(), line("c1", &["d1", "gone"])),
                ("c2".into(), line("c2", &["d1"])),
                ("c3".into(), line("c3", &["gone"])),
            ],
        )
        .unwrap();
        let mut latest = Batch::from([("c3".to_string(), Some(line("c3", &["gone", "d2"]))), ("c4".to_string(), None)]);
        let lost = BTreeSet::from(["gone".to_string()]);
        assert_eq!(prune(std::slice::from_ref(&state), &mut latest, &lost).unwrap(), 1);
        assert_eq!(latest["c1"].as_deref(), Some(line("c1", &["d1"]).as_str()));
        assert_eq!(latest["c3"].as_deref(), Some(line("c3", &["d2"]).as_str()));
        assert_eq!(latest["c4"], None);
        assert!(!latest.contains_key("c2"), "a collection without a lost id is not rewritten");
        let mut again = latest.clone();
        assert_eq!(prune(&[state], &mut again, &BTreeSet::new()).unwrap(), 0);
        assert_eq!(again, latest);
    }
}
