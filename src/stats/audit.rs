//! The differencing audit: every answered table's population is remembered, and a table whose population
//! differs from an answered one by 1 to `min_n − 1` students is refused — whoever asked either.
//!
//! Populations are roaring bitmaps of the frame's dense student numbers, so they are kept per *frame
//! version* (the source's checksum): a reload of another file starts a new audit. They live in MongoDB
//! (collection `stats_audit`, migration 0007), so the audit survives restarts and every instance shares it.
//! One document per distinct population (`_id` = frame version and the bitmap's SHA-256): `card` (students)
//! is indexed with the frame version, and only candidates whose size is within `min_n − 1` of the new one
//! (the symmetric difference is at least the size difference) are read and compared, never the whole audit.
//! A dense population of 200,000 students takes about 25 KB; at most 8 KB per 65,536 students.
//!
//! Concurrency: a new population is inserted first, then compared; on a conflict it is removed and the
//! table refused. Two instances answering two close populations at once may both refuse (never both answer).

use bson::{doc, spec::BinarySubtype, Binary, Bson, Document};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::Collection;
use roaring::RoaringBitmap;
use sha2::{Digest, Sha256};

use super::error::StatsError;
use super::output::StatsTable;
use crate::store::{Store, StoreError};

/// Name of the audit collection.
pub const COLLECTION: &str = "stats_audit";

/// One remembered population, as `statsAudit` lists it (never the students themselves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The frame version (source checksum).
    pub frame: String,
    /// Number of students in the population.
    pub students: u64,
    /// Stored size of the population's bitmap.
    pub bytes: u64,
    /// Kind of the first table that had it (`frequency`, `means`, `waveChange`).
    pub kind: String,
    /// When it was first answered.
    pub created_at: DateTime<Utc>,
}

/// The audit store.
#[derive(Debug, Clone)]
pub struct StatsAudit {
    coll: Collection<Document>,
    min_n: u64,
}

fn store_err(e: mongodb::error::Error) -> StatsError {
    StatsError::Audit(StoreError::classify(e).to_string())
}

impl StatsAudit {
    /// The audit on `store`, refusing differences of 1 to `min_n − 1` students.
    pub fn new(store: &Store, min_n: u32) -> Self {
        StatsAudit { coll: store.db().collection(COLLECTION), min_n: u64::from(min_n) }
    }

    /// Records the population of `table` (computed on frame version `table.frame_version()`), or refuses
    /// the table with [`StatsError::Refused`] when it is a small difference away from one already answered.
    pub async fn admit(&self, table: &StatsTable, kind: &str) -> Result<(), StatsError> {
        let frame = table.frame_version();
        let population = table.population();
        let mut bytes = Vec::with_capacity(population.serialized_size());
        population.serialize_into(&mut bytes).map_err(|e| StatsError::Audit(e.to_string()))?;
        let id = format!("{frame}:{}", hex::encode(Sha256::digest(&bytes)));
        if self.coll.find_one(doc! { "_id": &id }).projection(doc! { "_id": 1 }).await.map_err(store_err)?.is_some() {
            return Ok(()); // the same students were answered before: nothing new
        }
        let card = population.len();
        let size = bytes.len() as i64;
        let entry = doc! {
            "_id": &id,
            "frame": frame,
            "card": card as i64,
            "bytes": size,
            "kind": kind,
            "createdAt": bson::DateTime::now(),
            "bitmap": Binary { subtype: BinarySubtype::Generic, bytes },
        };
        match self.coll.insert_one(entry).await.map_err(StoreError::classify) {
            Ok(_) => {}
            Err(StoreError::Duplicate { .. }) => return Ok(()), // inserted concurrently by an identical table
            Err(e) => return Err(StatsError::Audit(e.to_string())),
        }
        let window = self.min_n.saturating_sub(1) as i64;
        let filter = doc! {
            "frame": frame,
            "card": { "$gte": card as i64 - window, "$lte": card as i64 + window },
            "_id": { "$ne": &id },
        };
        let mut cursor = self.coll.find(filter).projection(doc! { "bitmap": 1 }).await.map_err(store_err)?;
        while let Some(other) = cursor.try_next().await.map_err(store_err)? {
            let Some(Bson::Binary(bin)) = other.get("bitmap") else { continue };
            let Ok(other) = RoaringBitmap::deserialize_from(bin.bytes.as_slice()) else { continue };
            let d = population.symmetric_difference_len(&other);
            if d >= 1 && d < self.min_n {
                self.coll.delete_one(doc! { "_id": &id }).await.map_err(store_err)?;
                return Err(StatsError::Refused);
            }
        }
        Ok(())
    }

    /// The most recent populations, newest first (at most `limit`), and how many are stored in all.
    pub async fn entries(&self, limit: i64) -> Result<(Vec<AuditEntry>, u64), StatsError> {
        let total = self.coll.count_documents(doc! {}).await.map_err(store_err)?;
        let mut cursor = self
            .coll
            .find(doc! {})
            .projection(doc! { "bitmap": 0 })
            .sort(doc! { "createdAt": -1 })
            .limit(limit)
            .await
            .map_err(store_err)?;
        let mut out = Vec::new();
        while let Some(d) = cursor.try_next().await.map_err(store_err)? {
            out.push(AuditEntry {
                frame: d.get_str("frame").unwrap_or_default().to_owned(),
                students: d.get_i64("card").unwrap_or_default().max(0) as u64,
                bytes: d.get_i64("bytes").unwrap_or_default().max(0) as u64,
                kind: d.get_str("kind").unwrap_or_default().to_owned(),
                created_at: d.get_datetime("createdAt").map(|t| t.to_chrono()).unwrap_or_default(),
            });
        }
        Ok((out, total))
    }
}
