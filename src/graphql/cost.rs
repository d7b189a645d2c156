//! The cost model behind the complexity limit: a list counts as many times as it may have items.
//!
//! Every field costs 1 plus what is selected under it. A list field costs its largest possible length times
//! the cost of one item: a connection its page size (`first`, default 20, capped at the largest page), a
//! nested list of datasets or collections its `first` (default and cap [`NESTED_MAX`]), a list of people the
//! most an entry may name ([`crate::domain::validate::MAX_PEOPLE`]). So a deep nest of lists costs the
//! product of its sizes and is refused during validation, before any resolver runs (`BAD_USER_INPUT`,
//! reason `MAX_COMPLEXITY`). Signed-in callers have a larger budget than anonymous ones.

use crate::domain::tracker::{DEFAULT_PAGE, MAX_LIST_PAGE, MAX_PAGE};
use crate::domain::validate::MAX_PEOPLE;

/// Most items a nested list of datasets or collections returns (`Dataset.related`, `Collection.datasets`, …).
pub const NESTED_MAX: usize = 100;

fn items(first: Option<i32>, default: usize, max: usize) -> usize {
    match first {
        Some(n) if n <= 0 => 0,
        Some(n) => (n as usize).min(max),
        None => default.min(max),
    }
}

/// Cost of a connection page: `first` (default [`DEFAULT_PAGE`], at most [`MAX_PAGE`]) items.
pub fn page(first: Option<i32>, child: usize) -> usize {
    items(first, DEFAULT_PAGE, MAX_PAGE).saturating_mul(child).saturating_add(1)
}

/// Cost of a page of a top-level list (`orders`, `datasets`, `collections`, `users`): `first` (default
/// [`DEFAULT_PAGE`], at most [`MAX_LIST_PAGE`]) items.
pub fn list(first: Option<i32>, child: usize) -> usize {
    items(first, DEFAULT_PAGE, MAX_LIST_PAGE).saturating_mul(child).saturating_add(1)
}

/// Cost of a page of the change feed: `first` (default 100, at most [`MAX_LIST_PAGE`]) entries.
pub fn feed(first: Option<i32>, child: usize) -> usize {
    items(first, crate::domain::feed::DEFAULT_FEED_PAGE, MAX_LIST_PAGE).saturating_mul(child).saturating_add(1)
}

/// Cost of a nested list of datasets or collections: `first` (default and at most [`NESTED_MAX`]) items.
pub fn nested(first: Option<i32>, child: usize) -> usize {
    items(first, NESTED_MAX, NESTED_MAX).saturating_mul(child).saturating_add(1)
}

/// Cost of a list of people (at most [`MAX_PEOPLE`] per entry).
pub fn people(child: usize) -> usize {
    MAX_PEOPLE.saturating_mul(child).saturating_add(1)
}

/// How many items a nested list returns for `first`; negative is `BAD_USER_INPUT` on `first`.
pub fn nested_len(first: Option<i32>) -> Result<usize, crate::error::ApiError> {
    match first {
        Some(n) if n < 0 => Err(crate::error::ApiError::bad_input("first", "must not be negative")),
        other => Ok(items(other, NESTED_MAX, NESTED_MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_multiply_and_never_overflow() {
        assert_eq!(page(None, 3), DEFAULT_PAGE * 3 + 1);
        assert_eq!(page(Some(1_000_000), 2), MAX_PAGE * 2 + 1);
        assert_eq!(page(Some(-5), 2), 1);
        assert_eq!(list(Some(1_000_000), 2), MAX_LIST_PAGE * 2 + 1);
        assert_eq!(list(None, 2), DEFAULT_PAGE * 2 + 1);
        assert_eq!(feed(Some(5000), 3), MAX_LIST_PAGE * 3 + 1);
        assert_eq!(nested(None, nested(None, 2)), NESTED_MAX * (NESTED_MAX * 2 + 1) + 1);
        assert_eq!(nested(Some(i32::MAX), usize::MAX), usize::MAX);
    }
}
