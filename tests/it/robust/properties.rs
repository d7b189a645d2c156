//! Property tests (`proptest`): no input of any shape makes a validator or the request parser panic, and
//! what they accept keeps their promises (sizes, trimming, de-duplication). Strategies are biased towards
//! awkward Unicode (multi-byte, case-changing, zero-width, the largest scalar value) and lengths near the
//! limits; a failure is shrunk to a minimal case and recorded under `proptest-regressions/`.

#![allow(clippy::unwrap_used)]

use datatracker::domain::model::CrossReference;
use datatracker::domain::validate;
use datatracker::http::request;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::json;

/// Cases per property.
const CASES: u32 = 1_000;

fn config() -> ProptestConfig {
    ProptestConfig { cases: CASES, ..ProptestConfig::default() }
}

/// Characters that broke or could break byte-based checks.
const AWKWARD: &[char] = &[
    '-',
    'é',
    'ß',
    'İ',
    'ﬃ',
    '0',
    '9',
    'X',
    '𝟘',
    ' ',
    '\t',
    '@',
    '.',
    ':',
    '/',
    '\u{0}',
    '\u{200b}',
    '\u{feff}',
    '\u{10ffff}',
    '"',
    '\\',
    '{',
    '}',
];

/// Any character: printable ASCII, an awkward one, or any scalar value.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![(0x20u8..0x7f).prop_map(char::from), select(AWKWARD), any::<char>()]
}

/// A string whose length is often near a limit (in characters or bytes).
fn text() -> impl Strategy<Value = String> {
    let near_limit = select(vec![63usize, 64, 65, 199, 200, 201, 299, 300, 301, 499, 500, 501, 2_001]);
    prop_oneof![
        proptest::collection::vec(any_char(), 0..8).prop_map(String::from_iter),
        proptest::collection::vec(any_char(), 0..80).prop_map(String::from_iter),
        (near_limit, any_char()).prop_map(|(n, c)| std::iter::repeat_n(c, n).collect()),
        proptest::collection::vec(any_char(), 0..700).prop_map(String::from_iter),
    ]
}

fn texts(max: usize) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(text(), 0..max)
}

fn error_field<T: std::fmt::Debug>(r: Result<T, datatracker::domain::DomainError>) -> Option<String> {
    match r {
        Err(datatracker::domain::DomainError::Invalid { field, .. }) => Some(field),
        Err(other) => panic!("a validator answered something other than Invalid: {other:?}"),
        Ok(_) => None,
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn text_validators_never_panic_and_respect_their_limits(s in text()) {
        if let Ok(t) = validate::title(&s) {
            prop_assert!(!t.is_empty() && t.chars().count() <= validate::MAX_TITLE && t == t.trim());
        }
        if let Ok(n) = validate::name(&s) {
            prop_assert!(!n.is_empty() && n.chars().count() <= 300);
        }
        if let Ok(d) = validate::description(&s) {
            prop_assert!(d.len() <= validate::MAX_DESCRIPTION);
        }
        if let Ok(e) = validate::email("email", &s) {
            prop_assert!(e.contains('@') && e.len() <= 254);
        }
        if let Ok(o) = validate::orcid(&s) {
            prop_assert_eq!(o.chars().count(), 19);
        }
        if let Ok(u) = validate::http_url("url", &s) {
            prop_assert!(u.starts_with("http://") || u.starts_with("https://"));
        }
        if let Ok(Some(t)) = validate::optional_text("affiliation", Some(&s)) {
            prop_assert!(t.chars().count() <= 500);
        }
        let _ = validate::id("id", &s);
        prop_assert!(error_field(validate::listing(Some(&s), &[], &[])).is_none_or(|f| f == "filter.search"));
    }

    #[test]
    fn orcids_of_any_shape_never_panic(groups in proptest::collection::vec(proptest::collection::vec(any_char(), 4), 4)) {
        // Four groups of four characters of any width: the shape that used to be checked in bytes.
        let groups: Vec<String> = groups.into_iter().map(String::from_iter).collect();
        let _ = validate::orcid(&groups.join("-"));
    }

    #[test]
    fn list_validators_never_panic_and_name_their_field(raw in texts(80), vocab in texts(8)) {
        if let Ok(tags) = validate::user_tags(&raw) {
            prop_assert!(tags.len() <= validate::MAX_TAGS);
            prop_assert!(tags.iter().all(|t| !t.is_empty() && t.chars().count() <= validate::MAX_TAG));
        }
        if let Ok(tags) = validate::standard_tags(&raw, &vocab) {
            prop_assert!(tags.iter().all(|t| vocab.iter().any(|v| v == t)));
        }
        prop_assert!(error_field(validate::ids("editors", &raw, validate::MAX_PEOPLE)).is_none_or(|f| f == "editors"));
        prop_assert!(error_field(validate::listing(None, &raw, &raw)).is_none_or(|f| f.starts_with("filter.")));
    }

    #[test]
    fn id_lists_are_deduplicated_in_order_and_bounded(picks in proptest::collection::vec(0usize..10, 0..60)) {
        let pool: Vec<String> = (0..10).map(|i| format!("0190a8c4-7e2b-7c3d-8e4f-{i:012}")).collect();
        let raw: Vec<String> = picks.iter().map(|&i| pool[i].clone()).collect();
        match validate::ids("authors", &raw, validate::MAX_PEOPLE) {
            Ok(ids) => {
                let mut seen = std::collections::HashSet::new();
                prop_assert!(ids.iter().all(|i| seen.insert(*i)), "duplicates kept");
                prop_assert!(raw.len() <= validate::MAX_PEOPLE);
                let mut first_seen = Vec::new();
                for r in &raw {
                    if !first_seen.contains(r) {
                        first_seen.push(r.clone());
                    }
                }
                let kept: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
                prop_assert_eq!(kept, first_seen, "order of first appearance kept");
            }
            Err(_) => prop_assert!(raw.len() > validate::MAX_PEOPLE),
        }
    }

    #[test]
    fn cross_references_never_panic(raw in proptest::collection::vec((text(), text(), proptest::option::of(text())), 0..60)) {
        let n = raw.len();
        let raw: Vec<CrossReference> = raw.into_iter().map(|(kind, value, url)| CrossReference { kind, value, url }).collect();
        match validate::cross_references(raw) {
            Ok(x) => prop_assert!(x.len() == n && n <= validate::MAX_CROSS_REFERENCES),
            Err(datatracker::domain::DomainError::Invalid { field, .. }) => prop_assert_eq!(field, "crossReferences"),
            Err(other) => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn the_request_parser_never_panics_on_bytes(body in proptest::collection::vec(any::<u8>(), 0..512), json_ct in any::<bool>()) {
        let ct = if json_ct { Some("application/json") } else { None };
        if let Ok(mut req) = request::parse_post(ct, &body) {
            let _ = request::operation_kind(&mut req);
        }
    }

    #[test]
    fn the_request_parser_never_panics_on_request_shaped_json(
        query in text(),
        name in proptest::option::of(text()),
        var in text(),
        n in prop_oneof![0usize..50, 990usize..1_100],
    ) {
        let var: String = var.chars().take(8).collect();
        let mut vars = serde_json::Map::new();
        vars.insert(var.clone(), json!(vec![var.clone(); n]));
        let body = json!({ "query": query, "operationName": name, "variables": vars });
        let bytes = serde_json::to_vec(&body).unwrap();
        match request::parse_post(Some("application/json; charset=utf-8"), &bytes) {
            Ok(mut req) => {
                prop_assert!(n <= request::MAX_VARIABLE_LIST);
                let _ = request::operation_kind(&mut req);
            }
            Err(rejection) => {
                prop_assert!(rejection.field.is_some_and(|f| f.starts_with("variables.")) && n > request::MAX_VARIABLE_LIST)
            }
        }
    }

    #[test]
    fn graphql_documents_never_panic_the_operation_check(
        parts in proptest::collection::vec(prop_oneof![7 => select(PIECES).prop_map(str::to_owned), 1 => any_char().prop_map(String::from)], 0..200),
        name in proptest::option::of(text()),
    ) {
        let doc: String = parts.concat();
        let mut req = async_graphql::Request::new(doc);
        if let Some(name) = name {
            req = req.operation_name(name);
        }
        let _ = request::operation_kind(&mut req);
    }
}

/// Pieces of GraphQL documents, glued at random.
const PIECES: &[&str] = &[
    "{",
    "}",
    "query",
    "mutation",
    " q ",
    "(",
    ")",
    "$v: Int",
    "...",
    "on T",
    "\"",
    "\"\"\"",
    "é",
    "#",
    "\n",
    "@skip(if: true)",
    "a",
    ":",
    "[",
    "]",
    "fragment F on Query",
    "subscription",
    "=",
    "!",
    "$",
    "1e999",
];

#[test]
fn deeply_nested_variables_are_refused_not_recursed() {
    let mut v = json!(1);
    for _ in 0..100 {
        v = json!([v]);
    }
    let body = serde_json::to_vec(&json!({ "query": "{ apiVersion }", "variables": { "x": v } })).unwrap();
    let err = request::parse_post(Some("application/json"), &body).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("variables.x"));
}
