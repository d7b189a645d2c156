//! Fuzzes the GraphQL handler's request parsing: the body of `POST /graphql` (JSON, sizes, variables), then
//! the operation check the handler runs on the parsed document. Nothing may panic.
//!
//! Run: `cargo +nightly fuzz run graphql_request` from the repository root (see fuzz/README.md).

#![no_main]

use datatracker::http::request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the content type, the rest is the body.
    let (ct, body) = match data.split_first() {
        Some((b, rest)) if b % 4 == 0 => (None, rest),
        Some((b, rest)) if b % 4 == 1 => (Some("application/json; charset=utf-8"), rest),
        Some((_, rest)) => (Some("application/json"), rest),
        None => (None, data),
    };
    if let Ok(mut req) = request::parse_post(ct, body) {
        let _ = request::operation_kind(&mut req);
    }
    // The raw bytes as a query document too: the parser sees every shape of text.
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = request::operation_kind(&mut async_graphql::Request::new(text));
        let _ = request::operation_kind(&mut async_graphql::Request::new(text).operation_name("q"));
    }
});
