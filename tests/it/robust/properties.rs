//! Property tests: no input of any shape makes a validator or the request parser panic, and what they
//! accept keeps their promises (sizes, trimming, de-duplication). Cases come from a small seeded generator
//! biased towards awkward Unicode and lengths near the limits (the `proptest` crate was left out: adding it
//! re-resolves shared dependencies and costs a full rebuild of polars on the shared build machine).

#![allow(clippy::unwrap_used)]

use datatracker::domain::model::CrossReference;
use datatracker::domain::validate;
use datatracker::http::request;
use serde_json::json;

/// Cases per property.
const CASES: usize = 2_000;

/// A small deterministic generator (xorshift64*): the same seed gives the same cases, so a failure names
/// its seed and case and can be replayed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bool(&mut self) -> bool {
        self.next() & 1 == 1
    }
    /// Any character: ASCII, awkward ones (multi-byte, case-changing, separators), or any scalar value.
    fn char(&mut self) -> char {
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
        match self.below(3) {
            0 => (b' ' + self.below(95) as u8) as char,
            1 => AWKWARD[self.below(AWKWARD.len())],
            _ => loop {
                if let Some(c) = char::from_u32(self.below(0x11_0000) as u32) {
                    break c;
                }
            },
        }
    }
    /// A string whose length is often near a limit (in characters or bytes).
    fn text(&mut self) -> String {
        let len = match self.below(4) {
            0 => self.below(8),
            1 => self.below(80),
            2 => [63, 64, 65, 199, 200, 201, 299, 300, 301, 499, 500, 501, 2_001][self.below(13)],
            _ => self.below(700),
        };
        if self.below(3) == 0 {
            let c = self.char();
            return std::iter::repeat_n(c, len).collect();
        }
        (0..len).map(|_| self.char()).collect()
    }
    fn texts(&mut self, max: usize) -> Vec<String> {
        let n = self.below(max);
        (0..n).map(|_| self.text()).collect()
    }
}

/// Runs `property` on `CASES` generated cases; the panic message names the seed and case.
fn check(name: &str, mut property: impl FnMut(&mut Gen)) {
    for case in 0..CASES {
        let seed = 0x9E37_79B9_7F4A_7C15u64 ^ (case as u64).wrapping_mul(0xD1B5_4A32_D192_ED03) ^ name.len() as u64;
        let mut g = Gen(seed | 1);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| property(&mut g)));
        if let Err(e) = result {
            let msg = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
            panic!("property `{name}` failed on case {case} (seed {seed:#x}): {}", msg.unwrap_or_default());
        }
    }
}

fn error_field<T: std::fmt::Debug>(r: Result<T, datatracker::domain::DomainError>) -> Option<String> {
    match r {
        Err(datatracker::domain::DomainError::Invalid { field, .. }) => Some(field),
        Err(other) => panic!("a validator answered something other than Invalid: {other:?}"),
        Ok(_) => None,
    }
}

#[test]
fn text_validators_never_panic_and_respect_their_limits() {
    check("text validators", |g| {
        let s = g.text();
        if let Ok(t) = validate::title(&s) {
            assert!(!t.is_empty() && t.chars().count() <= validate::MAX_TITLE && t == t.trim());
        }
        if let Ok(n) = validate::name(&s) {
            assert!(!n.is_empty() && n.chars().count() <= 300);
        }
        if let Ok(d) = validate::description(&s) {
            assert!(d.len() <= validate::MAX_DESCRIPTION);
        }
        if let Ok(e) = validate::email("email", &s) {
            assert!(e.contains('@') && e.len() <= 254);
        }
        if let Ok(o) = validate::orcid(&s) {
            assert_eq!(o.chars().count(), 19);
        }
        if let Ok(u) = validate::http_url("url", &s) {
            assert!(u.starts_with("http://") || u.starts_with("https://"));
        }
        if let Ok(Some(t)) = validate::optional_text("affiliation", Some(&s)) {
            assert!(t.chars().count() <= 500);
        }
        let _ = validate::id("id", &s);
        assert!(error_field(validate::listing(Some(&s), &[], &[])).is_none_or(|f| f == "filter.search"));
    });
}

#[test]
fn orcids_of_any_shape_never_panic() {
    // Four groups of four characters of any width: the shape that used to be checked in bytes.
    check("orcid shapes", |g| {
        let groups: Vec<String> = (0..4).map(|_| (0..4).map(|_| g.char()).collect()).collect();
        let _ = validate::orcid(&groups.join("-"));
    });
}

#[test]
fn list_validators_never_panic_and_name_their_field() {
    check("list validators", |g| {
        let raw = g.texts(80);
        let vocab = g.texts(8);
        if let Ok(tags) = validate::user_tags(&raw) {
            assert!(tags.len() <= validate::MAX_TAGS);
            assert!(tags.iter().all(|t| !t.is_empty() && t.chars().count() <= validate::MAX_TAG));
        }
        if let Ok(tags) = validate::standard_tags(&raw, &vocab) {
            assert!(tags.iter().all(|t| vocab.iter().any(|v| v == t)));
        }
        assert!(error_field(validate::ids("editors", &raw, validate::MAX_PEOPLE)).is_none_or(|f| f == "editors"));
        assert!(error_field(validate::listing(None, &raw, &raw)).is_none_or(|f| f.starts_with("filter.")));
    });
}

#[test]
fn id_lists_are_deduplicated_in_order_and_bounded() {
    let pool: Vec<String> = (0..10).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    check("id lists", |g| {
        let n = g.below(60);
        let raw: Vec<String> = (0..n).map(|_| pool[g.below(10)].clone()).collect();
        match validate::ids("authors", &raw, validate::MAX_PEOPLE) {
            Ok(ids) => {
                let mut seen = std::collections::HashSet::new();
                assert!(ids.iter().all(|i| seen.insert(*i)), "duplicates kept");
                assert!(raw.len() <= validate::MAX_PEOPLE);
            }
            Err(_) => assert!(raw.len() > validate::MAX_PEOPLE),
        }
    });
}

#[test]
fn cross_references_never_panic() {
    check("cross references", |g| {
        let n = g.below(60);
        let raw: Vec<CrossReference> = (0..n)
            .map(|_| {
                let url = if g.bool() { Some(g.text()) } else { None };
                CrossReference { kind: g.text(), value: g.text(), url }
            })
            .collect();
        match validate::cross_references(raw) {
            Ok(x) => assert!(x.len() == n && n <= validate::MAX_CROSS_REFERENCES),
            Err(datatracker::domain::DomainError::Invalid { field, .. }) => assert_eq!(field, "crossReferences"),
            Err(other) => panic!("unexpected {other:?}"),
        }
    });
}

#[test]
fn the_request_parser_never_panics_on_bytes() {
    check("request bytes", |g| {
        let n = g.below(512);
        let body: Vec<u8> = (0..n).map(|_| g.next() as u8).collect();
        let ct = if g.bool() { Some("application/json") } else { None };
        if let Ok(req) = request::parse_post(ct, &body) {
            let _ = request::operation_kind(&req.query, req.operation_name.as_deref());
        }
    });
}

#[test]
fn the_request_parser_never_panics_on_request_shaped_json() {
    check("request json", |g| {
        let query = g.text();
        let name = if g.bool() { Some(g.text()) } else { None };
        let var: String = g.text().chars().take(8).collect();
        let n = g.below(1_100);
        let mut vars = serde_json::Map::new();
        vars.insert(var.clone(), json!(vec![var.clone(); n]));
        let body = json!({ "query": query, "operationName": name, "variables": vars });
        let bytes = serde_json::to_vec(&body).unwrap();
        match request::parse_post(Some("application/json; charset=utf-8"), &bytes) {
            Ok(req) => {
                assert!(n <= request::MAX_VARIABLE_LIST);
                let _ = request::operation_kind(&req.query, req.operation_name.as_deref());
            }
            Err(rejection) => {
                assert!(rejection.field.is_some_and(|f| f.starts_with("variables.")) && n > request::MAX_VARIABLE_LIST)
            }
        }
    });
}

#[test]
fn graphql_documents_never_panic_the_operation_check() {
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
    check("documents", |g| {
        let n = g.below(200);
        let doc: String = (0..n)
            .map(|_| if g.below(8) == 0 { g.char().to_string() } else { PIECES[g.below(PIECES.len())].to_owned() })
            .collect();
        let name = if g.bool() { Some(g.text()) } else { None };
        let _ = request::operation_kind(&doc, name.as_deref());
    });
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
