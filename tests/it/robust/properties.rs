//! Property tests: no input of any shape makes a validator or the request parser panic, and what they
//! accept keeps their promises (sizes, trimming, de-duplication).

#![allow(clippy::unwrap_used)]

use datatracker::domain::model::CrossReference;
use datatracker::domain::validate;
use datatracker::http::request;
use proptest::prelude::*;
use serde_json::json;

/// Any string, biased towards the awkward: multi-byte characters, separators, and lengths around limits.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        (any::<char>(), 0usize..700).prop_map(|(c, n)| std::iter::repeat_n(c, n).collect()),
        prop::collection::vec(
            prop_oneof![
                Just('-'),
                Just('é'),
                Just('ß'),
                Just('0'),
                Just('X'),
                Just('𝟘'),
                Just(' '),
                Just('@'),
                Just('.')
            ],
            0..40
        )
        .prop_map(|cs| cs.into_iter().collect()),
    ]
}

fn texts(max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(text(), 0..max)
}

fn error_field(r: Result<impl std::fmt::Debug, datatracker::domain::DomainError>) -> Option<String> {
    match r {
        Err(datatracker::domain::DomainError::Invalid { field, .. }) => Some(field),
        Err(other) => panic!("a validator answered something other than Invalid: {other:?}"),
        Ok(_) => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

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
    fn list_validators_never_panic_and_name_their_field(raw in texts(80), vocab in texts(8)) {
        if let Ok(tags) = validate::user_tags(&raw) {
            prop_assert!(tags.len() <= validate::MAX_TAGS);
            prop_assert!(tags.iter().all(|t| !t.is_empty() && t.chars().count() <= validate::MAX_TAG));
        }
        if let Ok(tags) = validate::standard_tags(&raw, &vocab) {
            prop_assert!(tags.iter().all(|t| vocab.iter().any(|v| v == t)));
        }
        prop_assert!(error_field(validate::ids("editors", &raw, validate::MAX_PEOPLE)).is_none_or(|f| f == "editors"));
        let r = validate::listing(None, &raw, &raw);
        prop_assert!(error_field(r).is_none_or(|f| f.starts_with("filter.")));
    }

    #[test]
    fn id_lists_are_deduplicated_in_order(n in 0usize..60, picks in prop::collection::vec(0usize..10, 0..60)) {
        let pool: Vec<String> = (0..10).map(|_| uuid::Uuid::new_v4().to_string()).collect();
        let raw: Vec<String> = picks.iter().take(n).map(|i| pool[*i].clone()).collect();
        match validate::ids("authors", &raw, validate::MAX_PEOPLE) {
            Ok(ids) => {
                let mut seen = std::collections::HashSet::new();
                prop_assert!(ids.iter().all(|i| seen.insert(*i)), "duplicates kept");
                prop_assert!(raw.len() <= validate::MAX_PEOPLE);
            }
            Err(_) => prop_assert!(raw.len() > validate::MAX_PEOPLE),
        }
    }

    #[test]
    fn cross_references_never_panic(items in prop::collection::vec((text(), text(), prop::option::of(text())), 0..60)) {
        let raw: Vec<CrossReference> = items.into_iter().map(|(kind, value, url)| CrossReference { kind, value, url }).collect();
        let n = raw.len();
        match validate::cross_references(raw) {
            Ok(x) => prop_assert!(x.len() == n && n <= validate::MAX_CROSS_REFERENCES),
            Err(datatracker::domain::DomainError::Invalid { field, .. }) => prop_assert_eq!(field, "crossReferences"),
            Err(other) => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn the_request_parser_never_panics_on_bytes(body in prop::collection::vec(any::<u8>(), 0..512), json_ct in any::<bool>()) {
        let ct = if json_ct { Some("application/json") } else { None };
        if let Ok(req) = request::parse_post(ct, &body) {
            let _ = request::operation_kind(&req.query, req.operation_name.as_deref());
        }
    }

    #[test]
    fn the_request_parser_never_panics_on_request_shaped_json(
        query in text(),
        name in prop::option::of(text()),
        var in text().prop_map(|s| s.chars().take(8).collect::<String>()),
        n in 0usize..1100,
    ) {
        let mut vars = serde_json::Map::new();
        vars.insert(var.clone(), json!(vec![var.clone(); n]));
        let body = json!({ "query": query, "operationName": name, "variables": vars });
        let bytes = serde_json::to_vec(&body).unwrap();
        match request::parse_post(Some("application/json; charset=utf-8"), &bytes) {
            Ok(req) => {
                prop_assert!(n <= request::MAX_VARIABLE_LIST);
                let _ = request::operation_kind(&req.query, req.operation_name.as_deref());
            }
            Err(rejection) => prop_assert!(rejection.field.is_some_and(|f| f.starts_with("variables.")) && n > request::MAX_VARIABLE_LIST),
        }
    }

    #[test]
    fn graphql_documents_never_panic_the_operation_check(doc in prop::collection::vec(prop_oneof![
        Just("{"), Just("}"), Just("query"), Just("mutation"), Just(" q "), Just("("), Just(")"), Just("$v: Int"),
        Just("..."), Just("on T"), Just("\""), Just("\"\"\""), Just("é"), Just("#"), Just("\n"), Just("@skip(if: true)"),
        Just("a"), Just(":"), Just("["), Just("]"), Just("fragment F on Query"),
    ], 0..200), name in prop::option::of(text())) {
        let doc: String = doc.concat();
        let _ = request::operation_kind(&doc, name.as_deref());
    }
}

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
