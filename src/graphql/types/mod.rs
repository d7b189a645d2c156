//! GraphQL object types wrapping domain entities. Hidden fields read as `null`, never as an error.

pub mod access;
pub mod collection;
pub mod common;
pub mod dataset;
pub mod file;
pub mod log;
pub mod order;
pub mod user;
