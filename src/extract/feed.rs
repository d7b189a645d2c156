//! Reading the change feed: pages of `changes` after the checkpoint's position, folded into one batch per
//! type (the latest version or deletion of each id, plus every entry for the history).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::client::{CallError, Client};
use super::entity::EntityType;
use super::error::ExtractError;
use super::schema::{selection, Specs};
use super::snapshot::call_error;
use super::state::Batch;

/// Changes read into one batch at most (bounds memory; a longer backlog takes several batches).
pub const BATCH_CHANGES: usize = 10_000;

/// Changes per request.
pub const FEED_PAGE: usize = 1000;

/// One type's part of a batch.
#[derive(Debug, Default)]
pub struct TypeBatch {
    /// Latest version (or deletion) per id.
    pub latest: Batch,
    /// Every entry, in feed order: `sequence`, `action`, `timestamp`, `actorId`, `entityId`, `entity`.
    pub history: Vec<Value>,
}

/// Changes read after `from` up to `end`.
#[derive(Debug, Default)]
pub struct ChangeBatch {
    /// The position read from ("" = the beginning).
    pub from: String,
    /// The position reached (the last entry scanned).
    pub end: String,
    /// Whether more changes follow.
    pub more: bool,
    /// Per type.
    pub types: BTreeMap<EntityType, TypeBatch>,
}

/// The newest position of the feed (`""` when empty): read before a first run pages anything.
pub async fn newest_position(client: &Client) -> Result<String, ExtractError> {
    let data = client
        .call("query ExtractFeedInfo { changeFeedInfo { newestCursor } }", json!({}))
        .await
        .map_err(|e| feed_error("changeFeedInfo", e))?;
    Ok(data.pointer("/changeFeedInfo/newestCursor").and_then(Value::as_str).unwrap_or("").to_string())
}

fn feed_error(what: &str, e: CallError) -> ExtractError {
    match e {
        CallError::Graphql { code, message } if code == "GRAPHQL_VALIDATION_FAILED" => {
            ExtractError::Config(format!("the API has no change feed ({what}: {message}); it is too old for extract"))
        }
        CallError::Graphql { code, message } if code == "BAD_USER_INPUT" => ExtractError::FeedLost(format!(
            "{what}: {message}; the checkpoint's position is unknown to the server, extract again with --full"
        )),
        other => call_error(what, other),
    }
}

fn changes_query(types: &[EntityType], specs: &Specs) -> String {
    let entities: Vec<String> = types
        .iter()
        .filter_map(|t| specs.get(t).map(|f| format!("{} {{ {} }}", t.change_field(), selection(f))))
        .collect();
    format!(
        "query ExtractChanges($after: String, $first: Int, $types: [DataType!]) {{ changes(after: $after, first: $first, types: $types) {{ \
         nodes {{ cursor sequence action dataType entityId timestamp actorId {} }} endCursor hasNextPage }} }}",
        entities.join(" ")
    )
}

/// Reads changes to `types` after `from` until the feed's end or [`BATCH_CHANGES`] entries.
pub async fn read_batch(
    client: &Client,
    from: &str,
    types: &[EntityType],
    specs: &Specs,
    mut on_page: impl FnMut(u64),
) -> Result<ChangeBatch, ExtractError> {
    let query = changes_query(types, specs);
    let type_names: Vec<&str> = types.iter().map(|t| t.data_type()).collect();
    let mut batch = ChangeBatch { from: from.to_string(), end: from.to_string(), more: true, ..Default::default() };
    let mut read = 0usize;
    let mut first = FEED_PAGE;
    while batch.more && read < BATCH_CHANGES {
        let after = if batch.end.is_empty() { Value::Null } else { Value::String(batch.end.clone()) };
        let vars = json!({ "after": after, "first": first, "types": type_names });
        let data = match client.call(&query, vars).await {
            Ok(d) => d,
            Err(CallError::TooComplex) if first > 1 => {
                first /= 2;
                continue;
            }
            Err(e) => return Err(feed_error("changes", e)),
        };
        let page = data.get("changes").cloned().unwrap_or(Value::Null);
        let nodes = page.get("nodes").and_then(Value::as_array).cloned().unwrap_or_default();
        let end = page.get("endCursor").and_then(Value::as_str).map(str::to_owned);
        let has_next = page.get("hasNextPage").and_then(Value::as_bool).unwrap_or(false);
        for node in nodes.iter() {
            add(&mut batch, node)?;
        }
        read += nodes.len();
        on_page(nodes.len() as u64);
        let Some(end) = end else {
            return Err(ExtractError::Incomplete("changes: an answer without endCursor".into()));
        };
        if has_next && end == batch.end {
            return Err(ExtractError::Incomplete("changes: the feed did not move forward".into()));
        }
        batch.end = end;
        batch.more = has_next;
    }
    Ok(batch)
}

fn add(batch: &mut ChangeBatch, node: &Value) -> Result<(), ExtractError> {
    let s = |k: &str| node.get(k).and_then(Value::as_str);
    let bad = || ExtractError::Incomplete(format!("changes: an unexpected entry {node}"));
    let t = s("dataType").and_then(EntityType::from_data_type).ok_or_else(bad)?;
    let id = s("entityId").ok_or_else(bad)?.to_string();
    let action = s("action").ok_or_else(bad)?;
    let entity = node.get(t.change_field()).filter(|e| !e.is_null() && matches!(action, "ADD" | "EDIT"));
    let tb = batch.types.entry(t).or_default();
    tb.latest.insert(id.clone(), entity.map(Value::to_string));
    let mut h = Map::new();
    h.insert("sequence".into(), node.get("sequence").cloned().unwrap_or(Value::Null));
    h.insert("action".into(), Value::String(action.to_string()));
    h.insert("timestamp".into(), node.get("timestamp").cloned().unwrap_or(Value::Null));
    h.insert("actorId".into(), node.get("actorId").cloned().unwrap_or(Value::Null));
    h.insert("entityId".into(), Value::String(id));
    h.insert("entity".into(), entity.cloned().unwrap_or(Value::Null));
    tb.history.push(Value::Object(h));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_fold_to_the_latest_per_id_and_keep_every_entry() {
        let mut b = ChangeBatch::default();
        let e = |seq: &str, action: &str, id: &str, title: Option<&str>| {
            json!({"sequence": seq, "cursor": seq, "action": action, "dataType": "DATASET", "entityId": id,
                   "timestamp": "2026-12-02T10:00:00Z", "actorId": "u",
                   "dataset": title.map(|t| json!({"id": id, "title": t}))})
        };
        for n in [
            e("1", "ADD", "a", Some("x")),
            e("2", "EDIT", "a", Some("y")),
            e("3", "ADD", "b", Some("z")),
            e("4", "REVOKE", "b", None),
        ] {
            add(&mut b, &n).unwrap();
        }
        let tb = &b.types[&EntityType::Datasets];
        assert_eq!(tb.latest["a"].as_deref(), Some(r#"{"id":"a","title":"y"}"#));
        assert_eq!(tb.latest["b"], None);
        assert_eq!(tb.history.len(), 4);
        assert_eq!(tb.history[3]["action"], "REVOKE");
        assert!(add(&mut b, &json!({"dataType": "WIDGET"})).is_err());
    }

    #[test]
    fn the_changes_query_selects_only_the_asked_types() {
        let id = super::super::schema::FieldSpec {
            name: "id".into(),
            list: false,
            scalar: Some(super::super::schema::Scalar::String),
            fields: vec![],
        };
        let specs = Specs::from([(EntityType::Orders, vec![id])]);
        let q = changes_query(&[EntityType::Orders], &specs);
        assert!(q.contains("order { id }"), "{q}");
        assert!(!q.contains("dataset {"));
    }
}
