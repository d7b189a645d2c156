//! Whether an edit changes anything, and the references a write must hold on to.
//!
//! An update that changes nothing writes no log entry and keeps the version. A write that makes an entry
//! refer to other entries (a dataset to its order, an order to its people, a collection to its datasets and
//! editors) locks those entries inside its transaction, so that a concurrent delete of one of them conflicts
//! with it: one of the two runs again and sees the other's result, and no reference dangles.

use std::collections::HashSet;

use bson::Uuid;
use serde::Serialize;

/// Fields that every accepted edit moves; they are not content.
const BOOKKEEPING: [&str; 2] = ["version", "updatedAt"];

/// Whether `after` has the same content as `before` (ignoring the version and the update time).
pub fn unchanged<T: Serialize>(before: &T, after: &T) -> bool {
    match (bson::to_document(before), bson::to_document(after)) {
        (Ok(mut a), Ok(mut b)) => {
            for key in BOOKKEEPING {
                a.remove(key);
                b.remove(key);
            }
            a == b
        }
        _ => false,
    }
}

/// The ids in `now` that are not in `before`, each once, in first-seen order.
pub fn added(before: &[Uuid], now: &[Uuid]) -> Vec<Uuid> {
    let mut seen: HashSet<Uuid> = before.iter().copied().collect();
    now.iter().copied().filter(|id| seen.insert(*id)).collect()
}
