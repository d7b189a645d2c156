//! datatracker: tracks who ordered, produced and published which data, and serves safe statistics over a
//! confidential questionnaire frame.
//!
//! This branch carries the safe-statistics engine ([`stats`]); the HTTP/GraphQL layer lives elsewhere.

pub mod stats;
