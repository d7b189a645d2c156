//! The change feed: log entries after a cursor, in commit order, as one reader may see them.
//!
//! A cursor is the decimal sequence number of an entry (`"0"` before the first). A page scans up to `first`
//! entries (of the asked types) after the cursor and shows those the reader may see ([`super::log_view`]);
//! its end cursor is the last entry *scanned*, so a reader who may see few entries still moves forward.

use bson::doc;
use futures::TryStreamExt;

use super::log_view::{LogView, Mode, Reader};
use super::model::{DataType, LogEntry};
use super::tracker::MAX_LIST_PAGE;
use super::{DomainError, Tracker};
use crate::store::sequence::SEQ;
use crate::store::StoreError;

/// Page size of `changes` when none is asked for.
pub const DEFAULT_FEED_PAGE: usize = 100;

/// One page of the feed.
#[derive(Debug, Clone)]
pub struct FeedPage {
    /// The entries the reader may see, in order.
    pub items: Vec<LogView>,
    /// The last sequence number scanned (the cursor given when nothing was scanned).
    pub end: i64,
    /// Whether entries follow `end`.
    pub has_next: bool,
}

/// The oldest and newest sequence numbers in the feed (`None` when it is empty).
#[derive(Debug, Clone, Copy, Default)]
pub struct FeedInfo {
    /// The first entry's number.
    pub oldest: Option<i64>,
    /// The last committed entry's number.
    pub newest: Option<i64>,
}

/// Parses a cursor: a decimal sequence number, `0` meaning before the first entry.
pub fn parse_cursor(cursor: &str) -> Result<i64, DomainError> {
    let bad = || DomainError::invalid("after", "not a cursor of the change feed");
    let c = cursor.trim();
    if c.is_empty() || c.len() > 19 || !c.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    c.parse::<i64>().map_err(|_| bad())
}

fn type_filter(types: &[DataType]) -> Option<bson::Document> {
    if types.is_empty() {
        return None;
    }
    let names: Vec<bson::Bson> = types.iter().filter_map(|t| bson::to_bson(t).ok()).collect();
    Some(doc! { "$in": names })
}

impl Tracker {
    /// The entries after `after` (a sequence number), at most `first` scanned (capped at 1,000), of the
    /// given types (all when empty). A cursor beyond the newest entry is `BAD_USER_INPUT` on `after`.
    pub async fn changes(
        &self,
        reader: &Reader,
        after: i64,
        first: usize,
        types: &[DataType],
    ) -> Result<FeedPage, DomainError> {
        let first = first.min(MAX_LIST_PAGE);
        let newest = crate::store::sequence::current(self.store.db()).await?;
        if after > newest {
            return Err(DomainError::invalid("after", "not a cursor of the change feed"));
        }
        let raw = self.entries_after(after, first + 1, types).await?;
        let has_next = raw.len() > first;
        let scanned: Vec<LogEntry> = raw.into_iter().take(first).collect();
        let end = scanned.last().map(|e| e.seq).unwrap_or(after);
        let items = self.render_log(reader, scanned, Mode::Feed).await?;
        Ok(FeedPage { items, end, has_next })
    }

    /// Up to `limit` raw entries after `after`, in sequence order.
    pub(crate) async fn entries_after(
        &self,
        after: i64,
        limit: usize,
        types: &[DataType],
    ) -> Result<Vec<LogEntry>, DomainError> {
        let mut filter = doc! { SEQ: { "$gt": after } };
        if let Some(t) = type_filter(types) {
            filter.insert("dataType", t);
        }
        let entries = self
            .logs
            .raw()
            .clone_with_type::<LogEntry>()
            .find(filter)
            .sort(doc! { SEQ: 1 })
            .limit(limit as i64)
            .await
            .map_err(StoreError::from)?
            .try_collect()
            .await
            .map_err(StoreError::from)?;
        Ok(entries)
    }

    /// The oldest and newest sequence numbers.
    pub async fn feed_info(&self) -> Result<FeedInfo, DomainError> {
        let edge = |dir: i32| async move {
            let d = self
                .logs
                .raw()
                .find_one(doc! { SEQ: { "$gt": 0_i64 } })
                .sort(doc! { SEQ: dir })
                .projection(doc! { SEQ: 1 })
                .await
                .map_err(StoreError::from)?;
            Ok::<_, DomainError>(d.as_ref().and_then(crate::store::sequence::seq_of))
        };
        Ok(FeedInfo { oldest: edge(1).await?, newest: edge(-1).await? })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_cursor;

    #[test]
    fn cursors_are_decimal_sequence_numbers() {
        assert_eq!(parse_cursor("0").ok(), Some(0));
        assert_eq!(parse_cursor("42").ok(), Some(42));
        for bad in ["", "-1", "1.5", "abc", "0x10", "99999999999999999999", " ", "1 2"] {
            assert!(parse_cursor(bad).is_err(), "{bad:?}");
        }
    }
}
