//! Reading a GraphQL request from an HTTP body: the one parsing function behind `POST /graphql`, public so
//! that the fuzz target and the property tests call exactly what the handler calls.
//!
//! Sizes are checked before any work: the query text, and every list and string in `variables` (a list
//! longer than any input accepts is refused naming the variable).

use async_graphql::parser::types::{DocumentOperations, OperationType};
use serde_json::Value;

/// Longest accepted query document, in bytes.
pub const MAX_QUERY_BYTES: usize = 100_000;
/// Most items in any list inside `variables` (the longest list input accepts is a collection's datasets).
pub const MAX_VARIABLE_LIST: usize = crate::domain::validate::MAX_DATASETS;
/// Most values (of any kind, nested ones included) in `variables`.
pub const MAX_VARIABLE_VALUES: usize = 20_000;
/// Deepest nesting of lists and objects in `variables`.
pub const MAX_VARIABLE_DEPTH: usize = 16;

/// Why a request body was refused (answered 400 `BAD_USER_INPUT`, or 415 for the media type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The field at fault (`query`, `variables.$name`), when there is one.
    pub field: Option<String>,
    /// What is wrong, safe to show.
    pub message: String,
    /// Whether the media type was wrong (415).
    pub media_type: bool,
}

impl Rejection {
    fn new(field: Option<String>, message: impl Into<String>) -> Self {
        Self { field, message: message.into(), media_type: false }
    }
}

/// Whether a `Content-Type` value is `application/json` (parameters such as `charset` allowed).
pub fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .map(|ct| ct.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"))
        .unwrap_or(false)
}

/// Parses the body of `POST /graphql`: one JSON object with `query`, optional `operationName`, `variables`
/// and `extensions`; never panics, whatever the bytes.
pub fn parse_post(content_type: Option<&str>, body: &[u8]) -> Result<async_graphql::Request, Rejection> {
    if !is_json(content_type) {
        return Err(Rejection {
            media_type: true,
            ..Rejection::new(None, "send the request as Content-Type: application/json")
        });
    }
    let json: Value =
        serde_json::from_slice(body).map_err(|_| Rejection::new(None, "the request body is not valid JSON"))?;
    if json.is_array() {
        return Err(Rejection::new(None, "batched requests are not supported; send one operation per request"));
    }
    check_sizes(&json)?;
    serde_json::from_value(json).map_err(|_| {
        Rejection::new(
            None,
            "the body must be an object with `query`, and optional `operationName`, `variables`, `extensions`",
        )
    })
}

/// Checks the sizes of a request object: the query text and the shape of `variables`.
pub fn check_sizes(json: &Value) -> Result<(), Rejection> {
    if let Some(q) = json.get("query").and_then(Value::as_str) {
        if q.len() > MAX_QUERY_BYTES {
            return Err(Rejection::new(Some("query".into()), format!("at most {MAX_QUERY_BYTES} bytes")));
        }
    }
    if let Some(Value::Object(vars)) = json.get("variables") {
        check_variables(vars)?;
    }
    Ok(())
}

/// Checks the shape of `variables` (each variable by name).
pub fn check_variables(vars: &serde_json::Map<String, Value>) -> Result<(), Rejection> {
    let mut values = 0usize;
    for (name, value) in vars {
        let field = || Some(format!("variables.{}", name.chars().take(64).collect::<String>()));
        // Iterative walk: no recursion on input.
        let mut stack: Vec<(&Value, usize)> = vec![(value, 1)];
        while let Some((v, depth)) = stack.pop() {
            values += 1;
            if values > MAX_VARIABLE_VALUES {
                return Err(Rejection::new(field(), format!("variables hold more than {MAX_VARIABLE_VALUES} values")));
            }
            if depth > MAX_VARIABLE_DEPTH {
                return Err(Rejection::new(field(), format!("nested deeper than {MAX_VARIABLE_DEPTH} levels")));
            }
            match v {
                Value::Array(items) => {
                    if items.len() > MAX_VARIABLE_LIST {
                        return Err(Rejection::new(field(), format!("lists hold at most {MAX_VARIABLE_LIST} items")));
                    }
                    stack.extend(items.iter().map(|i| (i, depth + 1)));
                }
                Value::Object(map) => stack.extend(map.values().map(|i| (i, depth + 1))),
                _ => {}
            }
        }
    }
    Ok(())
}

/// The kind of the operation that will run, if the document parses and names it unambiguously. The parsed
/// document stays in the request, so executing it does not parse it again.
pub fn operation_kind(request: &mut async_graphql::Request) -> Option<OperationType> {
    let name = request.operation_name.clone();
    let doc = request.parsed_query().ok()?;
    match (&doc.operations, name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            ops.iter().find(|(n, _)| n.as_str() == name).map(|(_, op)| op.node.ty)
        }
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next().map(|op| op.node.ty),
        _ => None,
    }
}
