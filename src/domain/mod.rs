//! The tracker's rules: entities, validation, permissions and visibility. Knows nothing of HTTP or GraphQL.

pub mod access;
pub mod apikeys;
pub mod changes;
pub mod collections;
pub mod datasets;
pub mod error;
pub mod feed;
pub mod feed_hub;
pub mod file_model;
pub mod file_writes;
pub mod files;
pub mod grants;
pub mod log_redact;
pub mod log_view;
pub mod logins;
pub mod logs;
pub mod model;
pub mod orders;
pub mod permissions;
pub mod principal;
pub mod tags;
pub mod tracker;
pub mod user_cache;
pub mod users;
pub mod validate;
pub mod visibility;

pub use error::{DomainError, DomainResult};
pub use principal::{Principal, Viewer};
pub use tracker::{Page, PageRequest, Tracker};
