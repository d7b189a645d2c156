//! `datatracker extract` flags, and their checked form.

use std::path::PathBuf;

use clap::Args;

use super::checkpoint::Format;
use super::entity::EntityType;
use super::error::ExtractError;

/// Environment variable holding the API key when `--api-key-file` is not given.
pub const KEY_ENV: &str = "DATATRACKER_API_KEY";

/// Largest page the extractor asks for.
pub const MAX_PAGE_SIZE: usize = 1000;

/// Pull every entity the key may see out of a datatracker API into JSON lines and Parquet, then only the
/// changes on later runs. The key comes from `--api-key-file` or `DATATRACKER_API_KEY`, never from the
/// command line. Exit codes: 0 done, 2 configuration, 3 authentication, 4 incomplete (rerun resumes),
/// 5 feed position lost (rerun with --full).
#[derive(Args, Debug, Clone)]
pub struct ExtractArgs {
    /// The API: its base URL (`http://host:8080/`) or its `/graphql` endpoint.
    #[arg(long)]
    pub url: String,
    /// The API user (id or auth id) the key belongs to; without it the extract runs anonymously.
    #[arg(long, value_name = "ID")]
    pub api_user: Option<String>,
    /// File holding the API key (else the `DATATRACKER_API_KEY` environment variable).
    #[arg(long, value_name = "FILE")]
    pub api_key_file: Option<PathBuf>,
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Output formats, comma separated: jsonl, parquet.
    #[arg(long, value_delimiter = ',', default_value = "jsonl,parquet")]
    pub format: Vec<String>,
    /// Entity types, comma separated: orders, datasets, collections, users.
    #[arg(long, value_delimiter = ',', default_value = "orders,datasets,collections,users")]
    pub types: Vec<String>,
    /// Items per request (at most 1000; lowered when the server allows less).
    #[arg(long, default_value_t = MAX_PAGE_SIZE)]
    pub page_size: usize,
    /// Entity types paged at the same time.
    #[arg(long, default_value_t = 2)]
    pub parallel: usize,
    /// Start over: page everything again (the previous output stays until the new one is complete).
    #[arg(long)]
    pub full: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Retries of a failed request (timeouts, 5xx, 429) before giving up with exit code 4.
    #[arg(long, default_value_t = 6)]
    pub retries: u32,
}

/// Checked settings of one run.
pub struct Resolved {
    /// The `/graphql` endpoint.
    pub endpoint: url::Url,
    /// API user and key (both or neither).
    pub credentials: Option<(String, String)>,
    /// Types, in canonical order.
    pub types: Vec<EntityType>,
    /// Formats, in canonical order.
    pub formats: Vec<Format>,
    /// Items per request.
    pub page_size: usize,
    /// Types paged at once.
    pub parallel: usize,
}

/// Normalises a URL to the `/graphql` endpoint.
pub fn endpoint(url: &str) -> Result<url::Url, ExtractError> {
    let mut u = url::Url::parse(url.trim()).map_err(|e| ExtractError::Config(format!("--url: {e}")))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(ExtractError::Config("--url: must be http or https".into()));
    }
    if !u.path().trim_end_matches('/').ends_with("/graphql") {
        let path = format!("{}/graphql", u.path().trim_end_matches('/'));
        u.set_path(&path);
    }
    u.set_query(None);
    u.set_fragment(None);
    Ok(u)
}

impl ExtractArgs {
    /// Checks the flags and reads the key.
    pub fn resolve(&self) -> Result<Resolved, ExtractError> {
        let endpoint = endpoint(&self.url)?;
        let mut types = self
            .types
            .iter()
            .filter(|t| !t.trim().is_empty())
            .map(|t| EntityType::parse(t).ok_or_else(|| ExtractError::Config(format!("--types: unknown type `{t}`"))))
            .collect::<Result<Vec<_>, _>>()?;
        types.sort();
        types.dedup();
        let mut formats = self
            .format
            .iter()
            .filter(|t| !t.trim().is_empty())
            .map(|f| Format::parse(f).ok_or_else(|| ExtractError::Config(format!("--format: unknown format `{f}`"))))
            .collect::<Result<Vec<_>, _>>()?;
        formats.sort();
        formats.dedup();
        if types.is_empty() || formats.is_empty() {
            return Err(ExtractError::Config("--types and --format need at least one value".into()));
        }
        if self.page_size == 0 || self.page_size > MAX_PAGE_SIZE {
            return Err(ExtractError::Config(format!("--page-size: between 1 and {MAX_PAGE_SIZE}")));
        }
        if self.parallel == 0 || self.parallel > 16 {
            return Err(ExtractError::Config("--parallel: between 1 and 16".into()));
        }
        let key = match &self.api_key_file {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| ExtractError::Config(format!("--api-key-file {}: {e}", path.display())))?
                    .trim()
                    .to_string(),
            ),
            None => std::env::var(KEY_ENV).ok().map(|k| k.trim().to_string()),
        }
        .filter(|k| !k.is_empty());
        let credentials = match (&self.api_user, key) {
            (Some(user), Some(key)) => Some((user.trim().to_string(), key)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ExtractError::Config(format!("--api-user needs a key: --api-key-file or {KEY_ENV}")))
            }
            (None, Some(_)) => return Err(ExtractError::Config("a key needs --api-user".into())),
        };
        Ok(Resolved { endpoint, credentials, types, formats, page_size: self.page_size, parallel: self.parallel })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_is_normalised() {
        assert_eq!(endpoint("http://h:8080").unwrap().as_str(), "http://h:8080/graphql");
        assert_eq!(endpoint("http://h:8080/api/").unwrap().as_str(), "http://h:8080/api/graphql");
        assert_eq!(endpoint("https://h/graphql?x=1").unwrap().as_str(), "https://h/graphql");
        assert!(endpoint("ftp://h").is_err());
        assert!(endpoint("not a url").is_err());
    }

    #[test]
    fn flags_are_checked_and_the_key_read_from_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key");
        std::fs::write(&key, "secret\n").unwrap();
        let args = ExtractArgs {
            url: "http://h".into(),
            api_user: Some("u1".into()),
            api_key_file: Some(key),
            out: dir.path().join("out"),
            format: vec!["parquet".into(), "jsonl".into()],
            types: vec!["users".into(), "datasets".into()],
            page_size: 1000,
            parallel: 2,
            full: false,
            json: false,
            retries: 1,
        };
        let r = args.resolve().unwrap();
        assert_eq!(r.credentials, Some(("u1".into(), "secret".into())));
        assert_eq!(r.types, vec![EntityType::Datasets, EntityType::Users]);
        assert_eq!(r.formats, vec![Format::Jsonl, Format::Parquet]);
        let bad = ExtractArgs { types: vec!["widgets".into()], ..args.clone() };
        assert!(matches!(bad.resolve(), Err(ExtractError::Config(_))));
        let bad = ExtractArgs { page_size: 5000, ..args.clone() };
        assert!(matches!(bad.resolve(), Err(ExtractError::Config(_))));
        let bad = ExtractArgs { api_key_file: Some(dir.path().join("missing")), ..args };
        assert!(matches!(bad.resolve(), Err(ExtractError::Config(_))));
    }
}
