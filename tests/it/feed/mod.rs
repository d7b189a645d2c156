//! The change feed: a gap-free, commit-ordered sequence; `changes` and `changeFeedInfo`; log entries rendered
//! through the field rules of the entity they copy; live subscriptions over graphql-transport-ws.

mod membership;
mod queries;
pub mod redaction;
mod sequence;
mod subscriptions;
