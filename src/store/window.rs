//! Id windows for keyset pages.
//!
//! A page `{_id: {$gt: after}}` sorted by id with a limit is what every MongoDB-wire server is asked for, but
//! not every server stops reading at the limit: SecantusDB reads every matching document after the cursor,
//! sorts them all and only then cuts the page, so walking a collection page by page costs the square of its
//! size. Ids are UUIDv7 (their first 48 bits are the creation time in milliseconds, and they sort by it), so
//! a page can be asked for in a window of creation time, `{_id: {$gt: after, $lt: min id at t}}`, and when
//! that window does not fill the page, the rest in an open window from there (no upper bound, so every id,
//! also one that is not a UUIDv7, is reached). The windows join end to end, so the page is the same as one
//! unbounded query gives; only the work differs.
//!
//! The width of the first window comes from the previous page of the same collection (the span that held a
//! page, doubled), so a walk reads about one page per round trip.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use bson::{doc, Bson, Document, Uuid};

/// Milliseconds an id's clock may be ahead of this one's (other instances) before windows stop: beyond it
/// the last window is unbounded.
const SKEW_MS: i64 = 10 * 60 * 1000;
/// The narrowest first window.
const MIN_SPAN_MS: i64 = 4;
/// Microseconds of ids per document assumed for a collection not paged yet (a first page of 100 then
/// looks at the first second).
const START_US_PER_DOC: i64 = 10_000;
/// Not known yet.
const UNKNOWN: i64 = i64::MIN;

/// What a collection's windows learnt: its oldest id's time, and how much id time a document took up in
/// the last full page (so a page of any size gets a first window that about holds it).
#[derive(Debug, Clone)]
pub(crate) struct Windows {
    floor_ms: Arc<AtomicI64>,
    us_per_doc: Arc<AtomicI64>,
}

impl Default for Windows {
    fn default() -> Self {
        Windows { floor_ms: Arc::new(AtomicI64::new(UNKNOWN)), us_per_doc: Arc::new(AtomicI64::new(START_US_PER_DOC)) }
    }
}

/// The creation time (ms since the Unix epoch) of a UUIDv7; for other ids, what their first 48 bits say.
pub(crate) fn millis_of(id: &Uuid) -> i64 {
    let b = id.bytes();
    b[..6].iter().fold(0_i64, |acc, &x| (acc << 8) | i64::from(x))
}

/// The smallest id whose first 48 bits are `ms` (every UUIDv7 made at `ms` or later sorts at or after it).
pub(crate) fn first_id_at(ms: i64) -> Uuid {
    let ms = ms.clamp(0, (1_i64 << 48) - 1);
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    Uuid::from_bytes(b)
}

/// One window's condition on `_id`: after the cursor (or from a window start), before `end` unless open.
pub(crate) fn id_condition(after: Option<&Uuid>, from: Option<&Uuid>, end: Option<&Uuid>) -> Document {
    let mut cond = Document::new();
    if let Some(a) = after {
        cond.insert("$gt", Bson::from(*a));
    } else if let Some(f) = from {
        cond.insert("$gte", Bson::from(*f));
    }
    if let Some(e) = end {
        cond.insert("$lt", Bson::from(*e));
    }
    cond
}

/// `{_id: cond}` alone when `filter` is empty, else `{$and: [{_id: cond}, filter]}` with the id first (a
/// server routes by the first indexed field it meets; an empty conjunct makes some scan everything).
pub(crate) fn with_ids(filter: &Document, cond: Document) -> Document {
    if cond.is_empty() {
        return filter.clone();
    }
    if filter.is_empty() {
        doc! { "_id": cond }
    } else {
        doc! { "$and": [{ "_id": cond }, filter.clone()] }
    }
}

impl Windows {
    /// The oldest id's time, if known.
    pub fn floor(&self) -> Option<i64> {
        Some(self.floor_ms.load(Ordering::Relaxed)).filter(|&f| f != UNKNOWN)
    }

    /// Remembers the oldest id's time (a lower bound of every id made since: it only speeds up windows).
    pub fn set_floor(&self, ms: i64) {
        self.floor_ms.store(ms, Ordering::Relaxed);
    }

    /// The first window's width for a page of `limit` documents: twice what the last full page needed.
    pub fn span(&self, limit: i64) -> i64 {
        let us = self.us_per_doc.load(Ordering::Relaxed).saturating_mul(limit).saturating_mul(2);
        (us / 1000).max(MIN_SPAN_MS)
    }

    /// Remembers that `used_ms` milliseconds of ids held `docs` documents.
    pub fn learn(&self, used_ms: i64, docs: usize) {
        let per_doc = used_ms.saturating_mul(1000) / (docs.max(1) as i64);
        self.us_per_doc.store(per_doc.max(1), Ordering::Relaxed);
    }

    /// The end of the window starting at `start_ms` with width `span`, or `None` when it would pass the
    /// present (the window is then open).
    pub fn end_of(start_ms: i64, span: i64, now_ms: i64) -> Option<i64> {
        let end = start_ms.saturating_add(span);
        (end < now_ms.saturating_add(SKEW_MS)).then_some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v7_id_sorts_between_the_first_ids_of_its_millisecond_and_the_next() {
        for _ in 0..100 {
            let id = Uuid::from(uuid::Uuid::now_v7());
            let ms = millis_of(&id);
            let (lo, hi) = (first_id_at(ms), first_id_at(ms + 1));
            assert!(lo.bytes() <= id.bytes() && id.bytes() < hi.bytes());
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
            assert!((now as i64 - ms).abs() < 5_000);
        }
    }

    #[test]
    fn the_first_window_scales_with_the_page_and_what_was_learnt() {
        let w = Windows::default();
        assert_eq!(w.span(100), 2_000);
        w.learn(50, 1_000);
        assert_eq!(w.span(1_000), 100);
        assert_eq!(w.span(1), MIN_SPAN_MS);
        w.learn(0, 0);
        assert_eq!(w.span(10_000), 20);
    }

    #[test]
    fn windows_close_before_the_present_and_open_after_it() {
        assert_eq!(Windows::end_of(1_000, 500, 10_000), Some(1_500));
        assert_eq!(Windows::end_of(1_000, 10 * SKEW_MS, 10_000), None);
        assert_eq!(Windows::end_of(i64::MAX - 1, 10, 0), None);
    }

    #[test]
    fn conditions_put_the_id_first_and_drop_empty_filters() {
        let a = first_id_at(5);
        let f = with_ids(&doc! {}, id_condition(Some(&a), None, None));
        assert_eq!(f, doc! { "_id": { "$gt": a } });
        let g = with_ids(&doc! { "x": 1 }, id_condition(None, Some(&a), Some(&a)));
        assert_eq!(g, doc! { "$and": [{ "_id": { "$gte": a, "$lt": a } }, { "x": 1 }] });
        assert_eq!(with_ids(&doc! { "x": 1 }, Document::new()), doc! { "x": 1 });
    }
}
