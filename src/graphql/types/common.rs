//! Connections, cursors, shared scalars and loader helpers.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, InputObject, OutputType, SimpleObject};
use bson::{Bson, Uuid};

use crate::domain::model::CrossReference;
use crate::domain::{validate, Page, PageRequest};
use crate::error::ApiError;
use crate::graphql::context::loader;
use crate::graphql::loaders::UserKey;

use super::user::UserObject;

/// Extra connection field: the number of items across all pages.
#[derive(SimpleObject)]
pub struct TotalCount {
    /// Number of items matching the query across all pages (only items the caller may see).
    pub total_count: u64,
}

/// A Relay connection with `totalCount`; cursors are opaque strings.
pub type Conn<N> = Connection<String, N, TotalCount, EmptyFields>;

/// Reads `first`/`after` into a page request (`first` is capped at 100; ids in cursors are checked).
pub fn page_request(first: Option<i32>, after: Option<String>) -> Result<PageRequest, ApiError> {
    let first = match first {
        Some(n) if n < 0 => return Err(ApiError::bad_input("first", "must not be negative")),
        Some(n) => Some(n as usize),
        None => None,
    };
    let after = match after {
        Some(c) => {
            Some(validate::id("after", &c).map_err(|_| ApiError::bad_input("after", "not a cursor from this list"))?)
        }
        None => None,
    };
    Ok(PageRequest { first, after, ..PageRequest::default() })
}

/// Reads `first`/`after` of a top-level list (`orders`, `datasets`, `collections`, `users`): pages of up to
/// 1,000, and `totalCount` counted only when the query selects it.
pub fn list_request(ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<PageRequest, ApiError> {
    let want_total = ctx.look_ahead().field("totalCount").exists();
    Ok(PageRequest { max: crate::domain::tracker::MAX_LIST_PAGE, want_total, ..page_request(first, after)? })
}

/// Turns a domain page into a connection.
pub fn connection<T, N: OutputType>(page: Page<T>, id: impl Fn(&T) -> Uuid, node: impl Fn(T) -> N) -> Conn<N> {
    let mut conn =
        Connection::with_additional_fields(page.has_previous, page.has_next, TotalCount { total_count: page.total });
    conn.edges.extend(page.items.into_iter().map(|item| Edge::new(id(&item).to_string(), node(item))));
    conn
}

/// An external identifier or link. Visible wherever the entry carrying it is visible.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "CrossReference", input_name = "CrossReferenceInput")]
pub struct CrossReferenceObject {
    /// What kind of identifier: `DOI`, `URL`, `ENA`, … (free text). Visible with its entry.
    #[graphql(default)]
    pub kind: String,
    /// The identifier. Visible with its entry.
    pub value: String,
    /// A link (http or https), when there is one. Visible with its entry.
    pub url: Option<String>,
}

impl From<CrossReference> for CrossReferenceObject {
    fn from(x: CrossReference) -> Self {
        Self { kind: x.kind, value: x.value, url: x.url }
    }
}

impl From<CrossReferenceObject> for CrossReference {
    fn from(x: CrossReferenceObject) -> Self {
        Self { kind: x.kind, value: x.value, url: x.url }
    }
}

/// Loads users by id in one batch, keeping order and skipping ids that no longer exist.
pub async fn users(ctx: &Context<'_>, ids: &[Uuid]) -> Result<Vec<UserObject>, ApiError> {
    let keys: Vec<UserKey> = ids.iter().map(|i| UserKey(*i)).collect();
    let found = loader(ctx)?.load_many(keys.iter().copied()).await.map_err(|e| ApiError::internal(&e))?;
    Ok(keys.iter().filter_map(|k| found.get(k).cloned()).map(UserObject).collect())
}

/// Loads one user.
pub async fn user(ctx: &Context<'_>, id: Uuid) -> Result<Option<UserObject>, ApiError> {
    Ok(loader(ctx)?.load_one(UserKey(id)).await.map_err(|e| ApiError::internal(&e))?.map(UserObject))
}

/// A BSON value as plain JSON: UUIDs as strings, dates as RFC 3339.
pub fn bson_to_json(value: &Bson) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Bson::Document(d) => Value::Object(d.iter().map(|(k, v)| (k.clone(), bson_to_json(v))).collect()),
        Bson::Array(a) => Value::Array(a.iter().map(bson_to_json).collect()),
        Bson::String(s) => Value::String(s.clone()),
        Bson::Int32(i) => Value::from(*i),
        Bson::Int64(i) => Value::from(*i),
        Bson::Double(f) => serde_json::Number::from_f64(*f).map(Value::Number).unwrap_or(Value::Null),
        Bson::Boolean(b) => Value::Bool(*b),
        Bson::Null => Value::Null,
        Bson::DateTime(t) => Value::String(t.try_to_rfc3339_string().unwrap_or_default()),
        Bson::Binary(b) if b.subtype == bson::spec::BinarySubtype::Uuid => {
            uuid::Uuid::from_slice(&b.bytes).map(|u| Value::String(u.to_string())).unwrap_or(Value::Null)
        }
        other => other.clone().into_relaxed_extjson(),
    }
}

/// A BSON date as a UTC timestamp.
pub fn utc(t: bson::DateTime) -> chrono::DateTime<chrono::Utc> {
    t.to_chrono()
}
