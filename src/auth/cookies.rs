//! Reading request cookies and writing `Set-Cookie` values, and the double-submit CSRF token.

use http::HeaderMap;
use rand::rngs::OsRng;
use rand::RngCore;
use subtle::ConstantTimeEq;

/// Name of the CSRF cookie (readable by scripts, so the web app can copy it into [`CSRF_HEADER`]).
pub const CSRF_COOKIE: &str = "_csrf_token";
/// Header that must repeat the CSRF cookie on state-changing requests authenticated by the session cookie.
pub const CSRF_HEADER: &str = "x-csrftoken";

/// The value of cookie `name` in the request, if any.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// Attributes of a cookie being set.
#[derive(Debug, Clone, Copy)]
pub struct CookieSpec<'a> {
    /// Cookie path.
    pub path: &'a str,
    /// Lifetime in seconds (0 deletes the cookie).
    pub max_age: u64,
    /// Hidden from scripts.
    pub http_only: bool,
    /// Sent over https only.
    pub secure: bool,
}

/// A `Set-Cookie` value (always `SameSite=Lax`).
pub fn set_cookie(name: &str, value: &str, spec: CookieSpec<'_>) -> String {
    let mut out = format!("{name}={value}; Path={}; Max-Age={}; SameSite=Lax", spec.path, spec.max_age);
    if spec.http_only {
        out.push_str("; HttpOnly");
    }
    if spec.secure {
        out.push_str("; Secure");
    }
    out
}

/// A fresh CSRF token: 32 random bytes as hex.
pub fn new_csrf_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether the request's `X-CSRFToken` header repeats its CSRF cookie (constant time).
pub fn csrf_ok(headers: &HeaderMap) -> bool {
    let cookie = get(headers, CSRF_COOKIE);
    let header = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::trim);
    match (cookie, header) {
        (Some(c), Some(h)) if !h.is_empty() => bool::from(c.as_bytes().ct_eq(h.as_bytes())),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn a_cookie_is_found_among_several() {
        let mut h = HeaderMap::new();
        h.insert(http::header::COOKIE, HeaderValue::from_static("a=1; _csrf_token=abc; b=2"));
        assert_eq!(get(&h, CSRF_COOKIE).as_deref(), Some("abc"));
        assert_eq!(get(&h, "c"), None);
    }

    #[test]
    fn csrf_needs_the_header_to_repeat_the_cookie() {
        let mut h = HeaderMap::new();
        h.insert(http::header::COOKIE, HeaderValue::from_static("_csrf_token=abc"));
        assert!(!csrf_ok(&h));
        h.insert(CSRF_HEADER, HeaderValue::from_static("abd"));
        assert!(!csrf_ok(&h));
        h.insert(CSRF_HEADER, HeaderValue::from_static("abc"));
        assert!(csrf_ok(&h));
    }
}
