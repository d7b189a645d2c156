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
    ///
    /// Read in windows of sequence numbers (`after < seq ≤ after + span`): numbers are gap-free, so without
    /// a type filter the first window of `limit` numbers holds the page (a missing number is one not
    /// committed yet, and every later one is later still); with one, windows double until the page is full
    /// or they pass the newest number. A server that reads every match after the cursor before it applies
    /// the limit (SecantusDB) then reads about one page, not the rest of the feed.
    pub(crate) async fn entries_after(
        &self,
        after: i64,
        limit: usize,
        types: &[DataType],
    ) -> Result<Vec<LogEntry>, DomainError> {
        let type_filter = type_filter(types);
        let logs = self.logs.raw().clone_with_type::<LogEntry>();
        let (mut out, mut from, mut span) = (Vec::new(), after, limit.max(1) as i64);
        let mut newest = None;
        loop {
            let to = from.saturating_add(span);
            let mut filter = doc! { SEQ: { "$gt": from, "$lte": to } };
            if let Some(t) = &type_filter {
                filter.insert("dataType", t.clone());
            }
            let want = (limit - out.len()) as i64;
            let page: Vec<LogEntry> = logs
                .find(filter)
                .sort(doc! { SEQ: 1 })
                .limit(want)
                .await
                .map_err(StoreError::from)?
                .try_collect()
                .await
                .map_err(StoreError::from)?;
            let full = page.len() as i64 >= want;
            out.extend(page);
            if full || type_filter.is_none() {
                return Ok(out);
            }
            let newest = match newest {
                Some(n) => n,
                None => *newest.insert(crate::store::sequence::current(self.store.db()).await?),
            };
            if to >= newest {
                return Ok(out);
            }
            (from, span) = (to, span.saturating_mul(2));
        }
    }

    /// The oldest and newest sequence numbers. The newest is the counter (every number up to it is
    /// committed, none after it); the oldest is looked for in windows from the first number, so neither
    /// reads the whole feed.
    pub async fn feed_info(&self) -> Result<FeedInfo, DomainError> {
        let newest = crate::store::sequence::current(self.store.db()).await?;
        if newest <= 0 {
            return Ok(FeedInfo { oldest: None, newest: None });
        }
        let (mut from, mut span) = (0_i64, 1024_i64);
        while from < newest {
            let to = from.saturating_add(span).min(newest);
            let d = self
                .logs
                .raw()
                .find_one(doc! { SEQ: { "$gt": from, "$lte": to } })
                .sort(doc! { SEQ: 1 })
                .projection(doc! { SEQ: 1 })
                .await
                .map_err(StoreError::from)?;
            if let Some(seq) = d.as_ref().and_then(crate::store::sequence::seq_of) {
                return Ok(FeedInfo { oldest: Some(seq), newest: Some(newest) });
            }
            (from, span) = (to, span.saturating_mul(2));
        }
        Ok(FeedInfo { oldest: None, newest: None })
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
