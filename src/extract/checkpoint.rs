//! The checkpoint: where in the change feed the output stands, for which API and key, and how far a first
//! run's paging got. Written last, atomically, after the data it vouches for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::entity::EntityType;
use super::error::ExtractError;
use super::files;
use super::schema::Specs;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `<type>.jsonl`.
    Jsonl,
    /// `<type>.parquet`.
    Parquet,
}

impl Format {
    /// Parses a command-line name.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "json" | "ndjson" => Some(Self::Jsonl),
            "parquet" => Some(Self::Parquet),
            _ => None,
        }
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Paging every type (first run or `--full`); the output files are not complete yet.
    Snapshot,
    /// The output is complete up to `position`; later runs apply changes.
    Incremental,
}

/// How far the paging of one type got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeProgress {
    /// The list cursor after the last written part.
    pub after: Option<String>,
    /// Parts written.
    pub parts: u32,
    /// Entities in those parts.
    pub fetched: u64,
    /// Whether the whole list is written.
    pub done: bool,
}

/// The checkpoint file's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// File format version.
    pub version: u32,
    /// The GraphQL endpoint.
    pub endpoint: String,
    /// The API user (`None`: anonymous).
    pub user: Option<String>,
    /// First 16 hex digits of the key's SHA-256 (`None`: anonymous).
    pub key_fingerprint: Option<String>,
    /// Types extracted.
    pub types: Vec<EntityType>,
    /// Types the key may not list (left out of the output and the feed).
    #[serde(default)]
    pub forbidden: Vec<EntityType>,
    /// Formats written.
    pub formats: Vec<Format>,
    /// Phase.
    pub phase: Phase,
    /// Feed cursor: every change up to here is in the output (in `Snapshot`: the position read before
    /// paging started).
    pub position: String,
    /// Paging progress per type (`Snapshot` only).
    #[serde(default)]
    pub snapshot: BTreeMap<EntityType, TypeProgress>,
    /// The fields extracted per type.
    pub specs: Specs,
    /// When written (UTC).
    pub written_at: String,
}

/// Version of the checkpoint format.
pub const VERSION: u32 = 1;

/// The fingerprint of a key as stored in the checkpoint.
pub fn key_fingerprint(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))[..16].to_string()
}

/// The extractor's own directory under the output directory.
pub fn work_dir(out: &Path) -> PathBuf {
    out.join(".extract")
}

fn path(out: &Path) -> PathBuf {
    work_dir(out).join("checkpoint.json")
}

impl Checkpoint {
    /// Reads the checkpoint of `out`, if any.
    pub fn load(out: &Path) -> Result<Option<Self>, ExtractError> {
        let p = path(out);
        match std::fs::read(&p) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                ExtractError::Config(format!("{} is not a checkpoint ({e}); remove it or use --full", p.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ExtractError::io(p.display(), e)),
        }
    }

    /// Writes the checkpoint atomically (crash point `during-checkpoint` between sync and rename).
    pub fn save(&mut self, out: &Path) -> Result<(), ExtractError> {
        self.written_at = chrono::Utc::now().to_rfc3339();
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| ExtractError::Incomplete(e.to_string()))?;
        files::write_atomic(&path(out), &bytes, Some("during-checkpoint"))
    }

    /// Refuses to continue a checkpoint made against another API, user, key, type list or format list.
    pub fn ensure_same_source(
        &self,
        endpoint: &str,
        user: Option<&str>,
        fingerprint: Option<&str>,
        types: &[EntityType],
        formats: &[Format],
    ) -> Result<(), ExtractError> {
        let refuse = |what: &str| {
            Err(ExtractError::Config(format!(
                "the output directory was extracted with another {what}; use another --out, or --full to start over"
            )))
        };
        if self.version != VERSION {
            return refuse("checkpoint version");
        }
        if self.endpoint != endpoint {
            return refuse(&format!("URL ({})", self.endpoint));
        }
        if self.user.as_deref() != user || self.key_fingerprint.as_deref() != fingerprint {
            return refuse("API user or key");
        }
        if self.types != types {
            return refuse("--types");
        }
        if self.formats != formats {
            return refuse("--format");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        Checkpoint {
            version: VERSION,
            endpoint: "http://a/graphql".into(),
            user: Some("u".into()),
            key_fingerprint: Some(key_fingerprint("k")),
            types: vec![EntityType::Orders, EntityType::Datasets],
            forbidden: vec![],
            formats: vec![Format::Jsonl],
            phase: Phase::Snapshot,
            position: "0".into(),
            snapshot: BTreeMap::from([(
                EntityType::Orders,
                TypeProgress { after: Some("x".into()), parts: 2, fetched: 7, done: false },
            )]),
            specs: Specs::new(),
            written_at: String::new(),
        }
    }

    #[test]
    fn round_trips_and_refuses_another_source() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Checkpoint::load(dir.path()).unwrap().is_none());
        let mut cp = sample();
        cp.save(dir.path()).unwrap();
        let back = Checkpoint::load(dir.path()).unwrap().unwrap();
        assert_eq!(back, cp);
        let fp = key_fingerprint("k");
        let types = [EntityType::Orders, EntityType::Datasets];
        back.ensure_same_source("http://a/graphql", Some("u"), Some(&fp), &types, &[Format::Jsonl]).unwrap();
        let other_key = key_fingerprint("k2");
        for r in [
            back.ensure_same_source("http://b/graphql", Some("u"), Some(&fp), &types, &[Format::Jsonl]),
            back.ensure_same_source("http://a/graphql", Some("v"), Some(&fp), &types, &[Format::Jsonl]),
            back.ensure_same_source("http://a/graphql", Some("u"), Some(&other_key), &types, &[Format::Jsonl]),
            back.ensure_same_source("http://a/graphql", None, None, &types, &[Format::Jsonl]),
            back.ensure_same_source("http://a/graphql", Some("u"), Some(&fp), &types[..1], &[Format::Jsonl]),
        ] {
            assert!(matches!(r, Err(ExtractError::Config(_))));
        }
    }

    #[test]
    fn a_garbled_checkpoint_is_a_configuration_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(work_dir(dir.path())).unwrap();
        std::fs::write(path(dir.path()), "{not json").unwrap();
        assert!(matches!(Checkpoint::load(dir.path()), Err(ExtractError::Config(_))));
    }
}
