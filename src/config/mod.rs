//! Typed settings, read once from the environment (and optionally a TOML file given by `--config`).
//!
//! Every setting has an environment variable `DATATRACKER_*`; the same key in lower case without the prefix
//! may appear in the TOML file (`bind = "0.0.0.0:8080"`). The environment wins over the file. A missing or
//! malformed value is a [`ConfigError`] naming the variable; `main` prints it on one line and exits with 2.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

mod files;
mod oidc;
mod security;
mod stats;

pub use files::{FilesBackend, FilesSettings, S3Downloads, S3Settings};
use oidc::oidc_providers;
pub use oidc::OidcProviderSettings;
pub use security::{SecuritySettings, StatsDefaultAccess};
pub use stats::{StatsProtectionSettings, DEV_STATS_SECRET};

/// A secret string: never printed by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret itself; call only where it is used, never to log.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// The secret used in local mode when none is configured. Refused outside local mode.
pub const DEV_SECRET_KEY: &str = "datatracker-local-development-secret-do-not-use";

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// GraphQL execution limits.
#[derive(Debug, Clone)]
pub struct GraphqlSettings {
    /// Maximum selection depth (`DATATRACKER_GRAPHQL_MAX_DEPTH`, default 15).
    pub max_depth: usize,
    /// Maximum cost of a signed-in caller's query (`DATATRACKER_GRAPHQL_MAX_COMPLEXITY`, default 100000);
    /// lists count as many times as they may have items (see `graphql::cost`).
    pub max_complexity: usize,
    /// Maximum cost of an anonymous query (`DATATRACKER_GRAPHQL_MAX_COMPLEXITY_ANONYMOUS`, default 25000;
    /// never more than `max_complexity`).
    pub max_complexity_anonymous: usize,
    /// Whether introspection is answered (`DATATRACKER_GRAPHQL_INTROSPECTION`, default true).
    pub introspection: bool,
    /// Whether `GET /graphql` serves GraphiQL (`DATATRACKER_GRAPHIQL`, default true).
    pub graphiql: bool,
}

/// HTTP server settings.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Address to listen on (`DATATRACKER_BIND`, default `127.0.0.1:8080`).
    pub bind: SocketAddr,
    /// Public base URL (`DATATRACKER_BASE_URL`, default `http://{bind}`).
    pub base_url: Url,
    /// Allowed CORS origins (`DATATRACKER_CORS_ORIGINS`, comma-separated; default none).
    pub cors_origins: Vec<String>,
    /// Request timeout (`DATATRACKER_REQUEST_TIMEOUT_SECS`, default 30).
    pub request_timeout: Duration,
    /// Largest accepted request body (`DATATRACKER_BODY_LIMIT_BYTES`, default 1 MiB).
    pub body_limit_bytes: usize,
    /// The built web app served at `/` (`DATATRACKER_WEB_DIR`, default `web/dist`).
    pub web_dir: PathBuf,
}

/// Session settings.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// Key signing session tokens (`DATATRACKER_SECRET_KEY`; at least 32 bytes outside local mode).
    pub secret_key: Secret,
    /// Session lifetime (`DATATRACKER_SESSION_HOURS`, default 8).
    pub lifetime: Duration,
}

/// Limits on failed authentication attempts (API keys, key logins).
#[derive(Debug, Clone)]
pub struct AuthLimitSettings {
    /// Failures allowed per (client address, user) pair within the window (`DATATRACKER_AUTH_MAX_FAILURES`,
    /// default 10). Every spelling of a user (id in any form, any auth id) is the same user.
    pub max_failures: u32,
    /// Failures allowed per client address within the window, whatever user they name
    /// (`DATATRACKER_AUTH_MAX_FAILURES_PER_ADDRESS`, default 100).
    pub max_failures_per_address: u32,
    /// The window, and about how long a blocked address or pair waits (`DATATRACKER_AUTH_FAILURE_WINDOW_SECS`,
    /// default 300).
    pub window: Duration,
}

/// Statistics settings.
#[derive(Debug, Clone)]
pub struct StatsFileSettings {
    /// Questionnaire frame file, CSV or Parquet (`DATATRACKER_DATA_PATH`; none = no frame, or a generated
    /// sample in local mode).
    pub data_path: Option<PathBuf>,
    /// Reload period in hours (`DATATRACKER_DATA_REFRESH_HOURS`, default 24).
    pub refresh_hours: u64,
    /// Smallest publishable number of distinct students (`DATATRACKER_MIN_N`, default 5).
    pub min_n: u32,
    /// Columns allowed as dimensions and filters (`DATATRACKER_STATS_DIMENSIONS`, comma-separated; default
    /// the seed's whitelist).
    pub dimensions: Option<Vec<String>>,
    /// Columns allowed as measures (`DATATRACKER_STATS_MEASURES`, comma-separated; default the seed's).
    pub measures: Option<Vec<String>>,
    /// How published statistics are protected (secret, perturbation, limits).
    pub protection: StatsProtectionSettings,
}

/// All settings of the service.
#[derive(Debug, Clone)]
pub struct Settings {
    /// MongoDB connection string (`DATATRACKER_MONGODB_URI`); pool options go in the URI.
    pub mongodb_uri: Secret,
    /// Database name (`DATATRACKER_DATABASE`, default `datatracker`).
    pub database: String,
    /// HTTP settings.
    pub http: HttpSettings,
    /// Session settings.
    pub session: SessionSettings,
    /// GraphQL limits.
    pub graphql: GraphqlSettings,
    /// Statistics settings.
    pub stats: StatsFileSettings,
    /// Limits on failed authentication attempts.
    pub auth_limits: AuthLimitSettings,
    /// OpenID Connect providers (`DATATRACKER_OIDC_PROVIDERS`, comma-separated names; default none).
    pub oidc_providers: Vec<OidcProviderSettings>,
    /// Statistics default access and the trusted client-address header.
    pub security: SecuritySettings,
    /// Log format (`DATATRACKER_LOG_FORMAT`: `text` or `json`, default text).
    pub log_format: LogFormat,
    /// Local mode (`DATATRACKER_LOCAL`): embedded defaults, first-run administrator. Never in production.
    pub local_mode: bool,
    /// Apply pending migrations when serving (`DATATRACKER_AUTO_MIGRATE`, default true).
    pub auto_migrate: bool,
    /// Data file storage.
    pub files: FilesSettings,
}

/// A setting that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: String,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {}: {}", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// The raw source of settings: variable name → value.
#[derive(Debug, Default, Clone)]
pub struct Source {
    values: BTreeMap<String, String>,
}

impl Source {
    /// Reads the process environment, on top of the TOML file when one is given.
    pub fn from_env(config_file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut source = match config_file {
            Some(path) => Self::from_toml_file(path)?,
            None => Self::default(),
        };
        for (key, value) in std::env::vars() {
            if key.starts_with("DATATRACKER_") {
                source.values.insert(key, value);
            }
        }
        Ok(source)
    }

    /// A source from explicit pairs (tests, tools).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        Self { values: pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }

    fn from_toml_file(path: &Path) -> Result<Self, ConfigError> {
        let err = |problem: String| ConfigError { variable: "--config".into(), problem };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
        let table: toml::Table = text.parse().map_err(|e| err(format!("{}: {e}", path.display())))?;
        let mut values = BTreeMap::new();
        for (key, value) in table {
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))
                    .collect::<Vec<_>>()
                    .join(","),
                other => return Err(err(format!("key `{key}` has an unsupported type ({other})"))),
            };
            values.insert(format!("DATATRACKER_{}", key.to_uppercase()), text);
        }
        Ok(Self { values })
    }

    /// The raw value of a variable, if set and not blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str).filter(|v| !v.trim().is_empty())
    }

    fn parse<T: std::str::FromStr>(&self, name: &str, default: T, what: &str) -> Result<T, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse()
                .map_err(|_| ConfigError { variable: name.into(), problem: format!("`{raw}` is not {what}") }),
        }
    }

    fn flag(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
            Some(v) => {
                Err(ConfigError { variable: name.into(), problem: format!("`{v}` is not a boolean (true/false)") })
            }
        }
    }
}

fn column_list(src: &Source, name: &str) -> Result<Option<Vec<String>>, ConfigError> {
    let Some(raw) = src.get(name) else { return Ok(None) };
    let cols: Vec<String> = raw.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect();
    if cols.iter().any(|c| c == "uid") {
        return Err(ConfigError {
            variable: name.into(),
            problem: "`uid` identifies students and is never allowed".into(),
        });
    }
    if cols.is_empty() {
        return Err(ConfigError { variable: name.into(), problem: "lists no column".into() });
    }
    Ok(Some(cols))
}

fn missing(name: &str, hint: &str) -> ConfigError {
    ConfigError { variable: name.into(), problem: format!("missing; {hint}") }
}

impl Settings {
    /// Parses and checks every setting.
    pub fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let local_mode = src.flag("DATATRACKER_LOCAL", false)?;
        let mongodb_uri = match src.get("DATATRACKER_MONGODB_URI") {
            Some(uri) => uri.trim().to_owned(),
            None if local_mode => "mongodb://127.0.0.1:27017".to_owned(),
            None => return Err(missing("DATATRACKER_MONGODB_URI", "set a MongoDB connection string")),
        };
        if !(mongodb_uri.starts_with("mongodb://") || mongodb_uri.starts_with("mongodb+srv://")) {
            return Err(ConfigError {
                variable: "DATATRACKER_MONGODB_URI".into(),
                problem: "must start with mongodb:// or mongodb+srv://".into(),
            });
        }
        let database = src.get("DATATRACKER_DATABASE").unwrap_or("datatracker").trim().to_owned();
        if database.is_empty() || database.contains(['/', '\\', '.', ' ', '"', '$']) {
            return Err(ConfigError {
                variable: "DATATRACKER_DATABASE".into(),
                problem: format!("`{database}` is not a valid database name"),
            });
        }
        let bind: SocketAddr = src.parse(
            "DATATRACKER_BIND",
            SocketAddr::from(([127, 0, 0, 1], 8080)),
            "a socket address (host:port, e.g. 127.0.0.1:8080)",
        )?;
        let base_url = match src.get("DATATRACKER_BASE_URL") {
            Some(raw) => {
                let url = Url::parse(raw.trim()).map_err(|e| ConfigError {
                    variable: "DATATRACKER_BASE_URL".into(),
                    problem: format!("`{raw}` is not a URL ({e})"),
                })?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(ConfigError {
                        variable: "DATATRACKER_BASE_URL".into(),
                        problem: "must be an http:// or https:// URL".into(),
                    });
                }
                url
            }
            None => Url::parse(&format!("http://{bind}/"))
                .map_err(|e| ConfigError { variable: "DATATRACKER_BIND".into(), problem: e.to_string() })?,
        };
        let secret_key = match src.get("DATATRACKER_SECRET_KEY") {
            Some(key) => Secret::new(key),
            None if local_mode => Secret::new(DEV_SECRET_KEY),
            None => return Err(missing("DATATRACKER_SECRET_KEY", "set at least 32 random bytes")),
        };
        if !local_mode && (secret_key.expose().len() < 32 || secret_key.expose() == DEV_SECRET_KEY) {
            return Err(ConfigError {
                variable: "DATATRACKER_SECRET_KEY".into(),
                problem: "must be at least 32 bytes and not the local-mode default".into(),
            });
        }
        let cors_origins: Vec<String> = src
            .get("DATATRACKER_CORS_ORIGINS")
            .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        for origin in &cors_origins {
            let ok = Url::parse(origin).map(|u| matches!(u.scheme(), "http" | "https")).unwrap_or(false);
            if !ok {
                return Err(ConfigError {
                    variable: "DATATRACKER_CORS_ORIGINS".into(),
                    problem: format!("`{origin}` is not an http(s) origin"),
                });
            }
        }
        let log_format = match src.get("DATATRACKER_LOG_FORMAT").map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    variable: "DATATRACKER_LOG_FORMAT".into(),
                    problem: format!("`{other}` is not `text` or `json`"),
                })
            }
        };
        let positive = |name: &str, v: u64| {
            if v == 0 {
                Err(ConfigError { variable: name.into(), problem: "must be greater than 0".into() })
            } else {
                Ok(v)
            }
        };
        let timeout = src.parse("DATATRACKER_REQUEST_TIMEOUT_SECS", 30u64, "a number of seconds")?;
        let session_hours = src.parse("DATATRACKER_SESSION_HOURS", 8u64, "a number of hours")?;
        let refresh_hours = src.parse("DATATRACKER_DATA_REFRESH_HOURS", 24u64, "a number of hours")?;
        let min_n = src.parse("DATATRACKER_MIN_N", 5u32, "a whole number")?;
        if min_n < 2 {
            return Err(ConfigError { variable: "DATATRACKER_MIN_N".into(), problem: "must be at least 2".into() });
        }
        let max_failures = src.parse("DATATRACKER_AUTH_MAX_FAILURES", 10u32, "a whole number")?;
        let failure_window = src.parse("DATATRACKER_AUTH_FAILURE_WINDOW_SECS", 300u64, "a number of seconds")?;
        let per_address = src.parse("DATATRACKER_AUTH_MAX_FAILURES_PER_ADDRESS", 100u32, "a whole number")?;
        let auth_limits = AuthLimitSettings {
            max_failures: positive("DATATRACKER_AUTH_MAX_FAILURES", u64::from(max_failures))? as u32,
            max_failures_per_address: positive("DATATRACKER_AUTH_MAX_FAILURES_PER_ADDRESS", u64::from(per_address))?
                as u32,
            window: Duration::from_secs(positive("DATATRACKER_AUTH_FAILURE_WINDOW_SECS", failure_window)?),
        };
        let oidc_providers = oidc_providers(src)?;
        let security = security::security(src)?;
        Ok(Self {
            mongodb_uri: Secret::new(mongodb_uri),
            database,
            http: HttpSettings {
                bind,
                base_url,
                cors_origins,
                request_timeout: Duration::from_secs(positive("DATATRACKER_REQUEST_TIMEOUT_SECS", timeout)?),
                body_limit_bytes: src.parse("DATATRACKER_BODY_LIMIT_BYTES", 1usize << 20, "a number of bytes")?,
                web_dir: PathBuf::from(src.get("DATATRACKER_WEB_DIR").unwrap_or("web/dist")),
            },
            session: SessionSettings {
                secret_key,
                lifetime: Duration::from_secs(3600 * positive("DATATRACKER_SESSION_HOURS", session_hours)?),
            },
            graphql: GraphqlSettings {
                max_depth: src.parse("DATATRACKER_GRAPHQL_MAX_DEPTH", 15, "a whole number")?,
                max_complexity: src.parse("DATATRACKER_GRAPHQL_MAX_COMPLEXITY", 100_000, "a whole number")?,
                max_complexity_anonymous: src.parse(
                    "DATATRACKER_GRAPHQL_MAX_COMPLEXITY_ANONYMOUS",
                    25_000,
                    "a whole number",
                )?,
                introspection: src.flag("DATATRACKER_GRAPHQL_INTROSPECTION", true)?,
                graphiql: src.flag("DATATRACKER_GRAPHIQL", true)?,
            },
            stats: StatsFileSettings {
                data_path: src.get("DATATRACKER_DATA_PATH").map(PathBuf::from),
                refresh_hours: positive("DATATRACKER_DATA_REFRESH_HOURS", refresh_hours)?,
                min_n,
                dimensions: column_list(src, "DATATRACKER_STATS_DIMENSIONS")?,
                measures: column_list(src, "DATATRACKER_STATS_MEASURES")?,
                protection: stats::protection(src, local_mode)?,
            },
            auth_limits,
            oidc_providers,
            security,
            log_format,
            local_mode,
            auto_migrate: src.flag("DATATRACKER_AUTO_MIGRATE", true)?,
            files: files::files_settings(src)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("DATATRACKER_MONGODB_URI", "mongodb://db:27017"),
            ("DATATRACKER_SECRET_KEY", "0123456789abcdef0123456789abcdef-x"),
            ("DATATRACKER_STATS_SECRET", "stats-secret-0123456789abcdef0123456789"),
        ]
    }

    #[test]
    fn a_missing_stats_secret_outside_local_mode_stops_start_up() {
        let pairs: Vec<_> = base().into_iter().filter(|(k, _)| *k != "DATATRACKER_STATS_SECRET").collect();
        let err = Settings::from_source(&Source::from_pairs(pairs.clone())).unwrap_err();
        assert_eq!(err.variable, "DATATRACKER_STATS_SECRET");
        let mut short = pairs.clone();
        short.push(("DATATRACKER_STATS_SECRET", "tiny-secret"));
        let err = Settings::from_source(&Source::from_pairs(short)).unwrap_err();
        assert!(!err.to_string().contains("tiny-secret"), "the secret must not be echoed");
        let mut local = pairs;
        local.push(("DATATRACKER_LOCAL", "true"));
        let s = Settings::from_source(&Source::from_pairs(local)).unwrap();
        assert_eq!(s.stats.protection.secret.expose(), DEV_STATS_SECRET);
        assert_eq!(s.stats.protection.max_cells, 20_000);
        let s = Settings::from_source(&Source::from_pairs(base())).unwrap();
        assert!(!format!("{s:?}").contains("stats-secret-0123"), "never printed");
    }

    #[test]
    fn defaults_apply_when_only_required_values_are_set() {
        let s = Settings::from_source(&Source::from_pairs(base())).unwrap();
        assert_eq!(s.database, "datatracker");
        assert_eq!(s.http.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.stats.min_n, 5);
        assert_eq!(s.log_format, LogFormat::Text);
    }

    #[test]
    fn s3_downloads_are_checked_unless_presigned_is_asked_for() {
        let mut pairs = base();
        pairs.extend([
            ("DATATRACKER_FILES_BACKEND", "s3"),
            ("DATATRACKER_FILES_S3_BUCKET", "b"),
            ("DATATRACKER_FILES_S3_ACCESS_KEY_ID", "k"),
            ("DATATRACKER_FILES_S3_SECRET_ACCESS_KEY", "s"),
        ]);
        let s3 = |extra: &[(&'static str, &'static str)]| {
            let mut p = pairs.clone();
            p.extend_from_slice(extra);
            Settings::from_source(&Source::from_pairs(p)).map(|s| match s.files.backend {
                FilesBackend::S3(s3) => (s3.downloads, s3.redirect_ttl.as_secs()),
                FilesBackend::Local { .. } => panic!("not s3"),
            })
        };
        assert_eq!(s3(&[]).unwrap(), (S3Downloads::Checked, 30));
        assert_eq!(s3(&[("DATATRACKER_FILES_S3_DOWNLOADS", "presigned")]).unwrap().0, S3Downloads::Presigned);
        assert_eq!(
            s3(&[("DATATRACKER_FILES_S3_DOWNLOADS", "open")]).unwrap_err().variable,
            "DATATRACKER_FILES_S3_DOWNLOADS"
        );
        assert_eq!(
            s3(&[("DATATRACKER_FILES_S3_REDIRECT_SECS", "0")]).unwrap_err().variable,
            "DATATRACKER_FILES_S3_REDIRECT_SECS"
        );
        assert_eq!(
            s3(&[("DATATRACKER_FILES_S3_REDIRECT_SECS", "601")]).unwrap_err().variable,
            "DATATRACKER_FILES_S3_REDIRECT_SECS"
        );
    }

    #[test]
    fn malformed_bind_names_the_variable() {
        let mut pairs = base();
        pairs.push(("DATATRACKER_BIND", "nonsense"));
        let err = Settings::from_source(&Source::from_pairs(pairs)).unwrap_err();
        assert_eq!(err.variable, "DATATRACKER_BIND");
        assert!(err.to_string().contains("nonsense"));
    }

    #[test]
    fn missing_uri_outside_local_mode_is_an_error() {
        let err =
            Settings::from_source(&Source::from_pairs(vec![("DATATRACKER_SECRET_KEY", "x".repeat(40))])).unwrap_err();
        assert_eq!(err.variable, "DATATRACKER_MONGODB_URI");
    }

    #[test]
    fn short_secret_is_refused_outside_local_mode() {
        let pairs = vec![("DATATRACKER_MONGODB_URI", "mongodb://x"), ("DATATRACKER_SECRET_KEY", "short")];
        let err = Settings::from_source(&Source::from_pairs(pairs)).unwrap_err();
        assert_eq!(err.variable, "DATATRACKER_SECRET_KEY");
        assert!(!err.to_string().contains("short"), "the secret must not be echoed");
    }

    #[test]
    fn oidc_providers_are_read_by_name() {
        let mut pairs = base();
        pairs.extend([
            ("DATATRACKER_OIDC_PROVIDERS", "elixir"),
            ("DATATRACKER_OIDC_ELIXIR_ISSUER", "https://login.elixir-czech.org/oidc/"),
            ("DATATRACKER_OIDC_ELIXIR_CLIENT_ID", "client"),
            ("DATATRACKER_OIDC_ELIXIR_CLIENT_SECRET", "very-secret-value"),
            ("DATATRACKER_OIDC_ELIXIR_DISPLAY_NAME", "Elixir AAI"),
        ]);
        let s = Settings::from_source(&Source::from_pairs(pairs.clone())).unwrap();
        assert_eq!(s.oidc_providers[0].name, "elixir");
        assert_eq!(s.oidc_providers[0].scopes, ["email", "profile"]);
        assert!(!format!("{s:?}").contains("very-secret-value"));
        pairs.push(("DATATRACKER_OIDC_ELIXIR_ISSUER", "http://login.example.org/"));
        let err = Settings::from_source(&Source::from_pairs(pairs)).unwrap_err();
        assert_eq!(err.variable, "DATATRACKER_OIDC_ELIXIR_ISSUER");
    }

    #[test]
    fn an_oidc_provider_without_a_secret_names_the_variable() {
        let mut pairs = base();
        pairs.extend([
            ("DATATRACKER_OIDC_PROVIDERS", "other"),
            ("DATATRACKER_OIDC_OTHER_ISSUER", "https://id.example.org"),
            ("DATATRACKER_OIDC_OTHER_CLIENT_ID", "client"),
        ]);
        let err = Settings::from_source(&Source::from_pairs(pairs)).unwrap_err();
        assert_eq!(err.variable, "DATATRACKER_OIDC_OTHER_CLIENT_SECRET");
    }

    #[test]
    fn secrets_never_print() {
        let s = Settings::from_source(&Source::from_pairs(base())).unwrap();
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("0123456789abcdef"));
        assert!(!dbg.contains("mongodb://db"));
    }

    #[test]
    fn toml_file_is_read_and_env_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "database = \"fromfile\"\nbind = \"0.0.0.0:9000\"\n").unwrap();
        let mut src = Source::from_toml_file(&path).unwrap();
        for (k, v) in base() {
            src.values.insert(k.into(), v.into());
        }
        src.values.insert("DATATRACKER_DATABASE".into(), "fromenv".into());
        let s = Settings::from_source(&src).unwrap();
        assert_eq!(s.database, "fromenv");
        assert_eq!(s.http.bind.port(), 9000);
    }
}
