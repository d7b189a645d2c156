//! The tracker over GraphQL: rules, visibility, transactions, loaders.

mod collections;
mod datasets;
mod errors;
mod matrix;
mod orders;
mod paging;
mod totals;
mod users;
