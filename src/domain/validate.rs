//! Input validation: ids, titles, tags, emails, ORCID iDs, URLs. Errors name the field.

use std::collections::HashSet;

use bson::Uuid;

use super::model::CrossReference;
use super::DomainError;

/// Longest accepted title.
pub const MAX_TITLE: usize = 500;
/// Longest accepted user tag.
pub const MAX_TAG: usize = 64;
/// Most tags of one kind on one entry.
pub const MAX_TAGS: usize = 50;
/// Longest accepted description.
pub const MAX_DESCRIPTION: usize = 100_000;
/// Most people in one list of an entry (generators, authors, editors).
pub const MAX_PEOPLE: usize = 50;
/// Most datasets in one collection.
pub const MAX_DATASETS: usize = 1_000;
/// Most cross references on one entry.
pub const MAX_CROSS_REFERENCES: usize = 50;
/// Longest cross reference kind.
pub const MAX_KIND: usize = 64;
/// Longest cross reference value, URL, search text or other short text.
pub const MAX_SHORT_TEXT: usize = 2_000;

/// Refuses a list longer than `max` before looking at its items.
pub fn max_items<T>(field: &str, raw: &[T], max: usize) -> Result<(), DomainError> {
    if raw.len() > max {
        return Err(DomainError::invalid(field, format!("at most {max} items")));
    }
    Ok(())
}

/// Refuses a text longer than `max` characters (checked on bytes first, so huge input costs nothing).
pub fn max_chars(field: &str, raw: &str, max: usize) -> Result<(), DomainError> {
    // A character is at most 4 bytes: only texts between `max` and `4 * max` bytes need counting.
    if raw.len() > max.saturating_mul(4) || (raw.len() > max && raw.chars().count() > max) {
        return Err(DomainError::invalid(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

/// Longest search text.
pub const MAX_SEARCH: usize = 200;

/// A listing filter: bounded search text and tag lists (fields named as in `filter`).
pub fn listing(search: Option<&str>, tags_standard: &[String], tags_user: &[String]) -> Result<(), DomainError> {
    if let Some(s) = search {
        max_chars("filter.search", s, MAX_SEARCH)?;
    }
    for (field, tags) in [("filter.tagsStandard", tags_standard), ("filter.tagsUser", tags_user)] {
        max_items(field, tags, MAX_TAGS)?;
        for t in tags {
            max_chars(field, t, MAX_TAG)?;
        }
    }
    Ok(())
}

/// Parses an id given as text; anything but a UUID is `BAD_USER_INPUT` on `field`.
pub fn id(field: &str, raw: &str) -> Result<Uuid, DomainError> {
    if raw.len() > 100 {
        return Err(DomainError::invalid(field, format!("`{}…` is not a valid id (UUID)", truncate(raw, 60))));
    }
    uuid::Uuid::parse_str(raw.trim())
        .map(Uuid::from)
        .map_err(|_| DomainError::invalid(field, format!("`{}` is not a valid id (UUID)", truncate(raw, 60))))
}

/// Parses a list of at most `max` ids, removing duplicates and keeping order.
pub fn ids(field: &str, raw: &[String], max: usize) -> Result<Vec<Uuid>, DomainError> {
    max_items(field, raw, max)?;
    let mut seen: HashSet<Uuid> = HashSet::with_capacity(raw.len());
    let mut out: Vec<Uuid> = Vec::with_capacity(raw.len());
    for r in raw {
        let id = id(field, r)?;
        if seen.insert(id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// A title: trimmed, non-empty, bounded.
pub fn title(raw: &str) -> Result<String, DomainError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(DomainError::invalid("title", "must not be empty"));
    }
    max_chars("title", t, MAX_TITLE)?;
    Ok(t.to_owned())
}

/// A name: trimmed, non-empty, bounded.
pub fn name(raw: &str) -> Result<String, DomainError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(DomainError::invalid("name", "must not be empty"));
    }
    max_chars("name", t, 300)?;
    Ok(t.to_owned())
}

/// A markdown description, bounded.
pub fn description(raw: &str) -> Result<String, DomainError> {
    if raw.len() > MAX_DESCRIPTION {
        return Err(DomainError::invalid("description", format!("must be at most {MAX_DESCRIPTION} bytes")));
    }
    Ok(raw.to_owned())
}

/// User tags: trimmed, non-empty, bounded, de-duplicated.
pub fn user_tags(raw: &[String]) -> Result<Vec<String>, DomainError> {
    if raw.len() > MAX_TAGS {
        return Err(DomainError::invalid("tagsUser", format!("at most {MAX_TAGS} tags")));
    }
    let mut out: Vec<String> = Vec::new();
    for tag in raw {
        let t = tag.trim();
        if t.is_empty() {
            return Err(DomainError::invalid("tagsUser", "tags must not be empty"));
        }
        if max_chars("tagsUser", t, MAX_TAG).is_err() {
            return Err(DomainError::invalid("tagsUser", format!("tags must be at most {MAX_TAG} characters")));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    Ok(out)
}

/// Standard tags: each must be in `vocabulary`.
pub fn standard_tags(raw: &[String], vocabulary: &[String]) -> Result<Vec<String>, DomainError> {
    if raw.len() > MAX_TAGS {
        return Err(DomainError::invalid("tagsStandard", format!("at most {MAX_TAGS} tags")));
    }
    let known: HashSet<&str> = vocabulary.iter().map(String::as_str).collect();
    let mut out: Vec<String> = Vec::new();
    for tag in raw {
        let t = tag.trim();
        if !known.contains(t) {
            return Err(DomainError::invalid("tagsStandard", format!("`{}` is not a standard tag", truncate(t, 64))));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    Ok(out)
}

/// An email address: one `@`, non-empty local part and a dotted domain; lower-cased.
pub fn email(field: &str, raw: &str) -> Result<String, DomainError> {
    if raw.len() > 1_000 {
        return Err(DomainError::invalid(field, "is not a valid email address"));
    }
    let e = raw.trim().to_lowercase();
    let valid = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(char::is_whitespace)
                && e.len() <= 254
        }
        None => false,
    };
    if !valid {
        return Err(DomainError::invalid(field, "is not a valid email address"));
    }
    Ok(e)
}

/// An ORCID iD `0000-0000-0000-000X` with a valid ISO 7064 11-2 check digit (which may be `X`).
pub fn orcid(raw: &str) -> Result<String, DomainError> {
    let bad = || DomainError::invalid("orcid", "must look like 0000-0002-1825-0097 with a valid check digit");
    if raw.len() > 100 {
        return Err(bad());
    }
    let o = raw.trim().trim_start_matches("https://orcid.org/").to_uppercase();
    let groups: Vec<&str> = o.split('-').collect();
    // Counted in characters, not bytes: "éé" is four bytes but two characters.
    if groups.len() != 4 || groups.iter().any(|g| g.chars().count() != 4) {
        return Err(bad());
    }
    let chars: Vec<char> = groups.concat().chars().collect();
    if chars.len() != 16 || !chars[..15].iter().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let mut total = 0u32;
    for c in &chars[..15] {
        total = (total + c.to_digit(10).unwrap_or(0)) * 2;
    }
    let check = (12 - total % 11) % 11;
    let expected = if check == 10 { 'X' } else { char::from_digit(check, 10).unwrap_or('?') };
    if chars[15] != expected {
        return Err(bad());
    }
    Ok(o)
}

/// A URL with scheme http or https and a host.
pub fn http_url(field: &str, raw: &str) -> Result<String, DomainError> {
    max_chars(field, raw, MAX_SHORT_TEXT)?;
    let u = url::Url::parse(raw.trim()).map_err(|_| DomainError::invalid(field, "is not a valid URL"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(DomainError::invalid(field, "must be an http:// or https:// URL"));
    }
    Ok(u.to_string())
}

/// Cross references: non-empty values, http(s) links.
pub fn cross_references(raw: Vec<CrossReference>) -> Result<Vec<CrossReference>, DomainError> {
    max_items("crossReferences", &raw, MAX_CROSS_REFERENCES)?;
    raw.into_iter()
        .map(|x| {
            let value = x.value.trim().to_owned();
            if value.is_empty() {
                return Err(DomainError::invalid("crossReferences", "value must not be empty"));
            }
            max_chars("crossReferences", &value, MAX_SHORT_TEXT)?;
            max_chars("crossReferences", x.kind.trim(), MAX_KIND)?;
            let url = match x.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                Some(u) => Some(http_url("crossReferences", u)?),
                None => None,
            };
            Ok(CrossReference { kind: x.kind.trim().to_owned(), value, url })
        })
        .collect()
}

/// An optional free-text profile field: trimmed, empty means unset.
pub fn optional_text(field: &str, raw: Option<&str>) -> Result<Option<String>, DomainError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => max_chars(field, t, 500).map(|()| Some(t.to_owned())),
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orcid_check_digit_is_verified_including_x() {
        assert_eq!(orcid("0000-0002-1825-0097").unwrap(), "0000-0002-1825-0097");
        assert_eq!(orcid("0000-0002-1694-233x").unwrap(), "0000-0002-1694-233X");
        assert!(orcid("0000-0002-1825-0098").is_err());
        assert!(orcid("0000-0002-1825").is_err());
        assert!(orcid("abcd-0002-1825-0097").is_err());
    }

    #[test]
    fn urls_must_be_http_or_https() {
        assert!(http_url("url", "https://example.org/x").is_ok());
        assert!(http_url("url", "javascript:alert(1)").is_err());
        assert!(http_url("url", "ftp://example.org").is_err());
        assert!(http_url("url", "not a url").is_err());
    }

    #[test]
    fn emails_are_checked_and_lowercased() {
        assert_eq!(email("email", " A@Example.ORG ").unwrap(), "a@example.org");
        for bad in ["", "a", "a@b", "@b.org", "a@@b.org", "a b@c.org"] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn titles_are_trimmed_and_non_empty() {
        assert_eq!(title("  x ").unwrap(), "x");
        assert!(title("   ").is_err());
    }

    #[test]
    fn user_tags_are_trimmed_deduplicated_and_bounded() {
        assert_eq!(user_tags(&[" a ".into(), "a".into()]).unwrap(), vec!["a".to_string()]);
        assert!(user_tags(&["  ".into()]).is_err());
        assert!(user_tags(&["x".repeat(65)]).is_err());
    }
}
