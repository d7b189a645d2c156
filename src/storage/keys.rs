//! Object keys: safe relative paths, and parameterised templates such as `reports/{school}/summary.csv`.

use super::StorageError;

/// Longest key in bytes.
pub const MAX_KEY: usize = 1024;

/// Checks that `key` is a safe relative path: non-empty segments separated by `/`, none `.` or `..`, no
/// backslash, no control characters, no leading `/`, no segment starting with `.` (hidden files and the
/// local store's upload area); at most [`MAX_KEY`] bytes.
pub fn check(key: &str) -> Result<(), StorageError> {
    let bad = |why: &str| Err(StorageError::BadKey(why.into()));
    if key.is_empty() {
        return bad("must not be empty");
    }
    if key.len() > MAX_KEY {
        return bad("must be at most 1024 bytes");
    }
    if key.contains('\\') || key.chars().any(char::is_control) {
        return bad("must not contain backslashes or control characters");
    }
    if key.starts_with('/') {
        return bad("must be relative (no leading /)");
    }
    for seg in key.split('/') {
        match seg {
            "" => return bad("must not contain empty segments (//) or end with /"),
            "." | ".." => return bad("must not contain . or .. segments"),
            s if s.starts_with('.') => return bad("segments must not start with ."),
            _ => {}
        }
    }
    Ok(())
}

/// A key template with at most one placeholder `{name}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    prefix: String,
    parameter: Option<String>,
    suffix: String,
}

impl Template {
    /// Parses `raw`: a safe key, optionally with one `{name}` placeholder (letters, digits, `_`).
    pub fn parse(raw: &str) -> Result<Self, StorageError> {
        let t = match raw.find('{') {
            None => {
                if raw.contains('}') {
                    return Err(StorageError::BadKey("unbalanced }".into()));
                }
                Self { prefix: raw.to_owned(), parameter: None, suffix: String::new() }
            }
            Some(open) => {
                let close =
                    raw[open..].find('}').map(|c| open + c).ok_or_else(|| StorageError::BadKey("unclosed {".into()))?;
                let name = &raw[open + 1..close];
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(StorageError::BadKey("a placeholder is {name} with letters, digits and _".into()));
                }
                let suffix = &raw[close + 1..];
                if suffix.contains(['{', '}']) || raw[..open].contains('}') {
                    return Err(StorageError::BadKey("at most one placeholder".into()));
                }
                Self { prefix: raw[..open].to_owned(), parameter: Some(name.to_owned()), suffix: suffix.to_owned() }
            }
        };
        check(&t.resolve("x").map_err(|_| StorageError::BadKey("invalid template".into()))?)?;
        Ok(t)
    }

    /// The placeholder's name, when the template has one.
    pub fn parameter(&self) -> Option<&str> {
        self.parameter.as_deref()
    }

    /// The key for `value` (the template itself when it has no placeholder). The value must be a safe path
    /// segment: no `/`, not `.` or `..`.
    pub fn resolve(&self, value: &str) -> Result<String, StorageError> {
        if self.parameter.is_none() {
            return Ok(self.prefix.clone());
        }
        if value.is_empty() || value.contains('/') || value == "." || value == ".." {
            return Err(StorageError::BadKey(format!("`{value}` cannot be used in a path")));
        }
        let key = format!("{}{value}{}", self.prefix, self.suffix);
        check(&key)?;
        Ok(key)
    }

    /// The part before the placeholder (the listing prefix for every value).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The value a key stands for, when the key matches the template.
    pub fn value_of(&self, key: &str) -> Option<String> {
        self.parameter.as_ref()?;
        let v = key.strip_prefix(&self.prefix)?.strip_suffix(&self.suffix)?;
        (!v.is_empty() && !v.contains('/')).then(|| v.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_keys_are_refused() {
        for k in ["", "/abs", "a/../b", "..", "a//b", "a/", "./a", "a\\b", "a\u{0}b", ".uploads/x"] {
            assert!(check(k).is_err(), "{k:?}");
        }
        for k in ["a", "a/b.csv", "reports/x..y/summary.csv"] {
            assert!(check(k).is_ok(), "{k:?}");
        }
    }

    #[test]
    fn templates_resolve_one_safe_value() {
        let t = Template::parse("reports/{school}/summary.csv").unwrap();
        assert_eq!(t.parameter(), Some("school"));
        assert_eq!(t.resolve("Greenwood").unwrap(), "reports/Greenwood/summary.csv");
        assert!(t.resolve("..").is_err());
        assert!(t.resolve("a/b").is_err());
        assert_eq!(t.value_of("reports/Oak/summary.csv").as_deref(), Some("Oak"));
        assert_eq!(t.value_of("reports/Oak/other.csv"), None);
        assert!(Template::parse("a/{x}/{y}").is_err());
        assert!(Template::parse("a/{}/b").is_err());
        assert!(Template::parse("../{x}").is_err());
        assert_eq!(Template::parse("plain/file.csv").unwrap().resolve("ignored").unwrap(), "plain/file.csv");
    }
}
