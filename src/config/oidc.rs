//! OpenID Connect providers, configured by name: `DATATRACKER_OIDC_PROVIDERS=elixir,other` and
//! `DATATRACKER_OIDC_<NAME>_{ISSUER,CLIENT_ID,CLIENT_SECRET,SCOPES,DISPLAY_NAME}`.

use url::Url;

use super::{missing, ConfigError, Secret, Source};

/// One OpenID Connect provider, configured by name.
#[derive(Debug, Clone)]
pub struct OidcProviderSettings {
    /// The name used in URLs and auth ids (`elixir` in `/login/oidc/elixir/login` and `{sub}::elixir`).
    pub name: String,
    /// Issuer URL exactly as the provider names itself (`DATATRACKER_OIDC_<NAME>_ISSUER`); https, or http on
    /// a loopback host.
    pub issuer: String,
    /// Client id (`DATATRACKER_OIDC_<NAME>_CLIENT_ID`).
    pub client_id: String,
    /// Client secret (`DATATRACKER_OIDC_<NAME>_CLIENT_SECRET`).
    pub client_secret: Secret,
    /// Scopes asked for besides `openid` (`DATATRACKER_OIDC_<NAME>_SCOPES`, default `email profile`).
    pub scopes: Vec<String>,
    /// Name shown on the login page (`DATATRACKER_OIDC_<NAME>_DISPLAY_NAME`, default the name).
    pub display_name: String,
}

pub(super) fn oidc_providers(src: &Source) -> Result<Vec<OidcProviderSettings>, ConfigError> {
    let names: Vec<String> = src
        .get("DATATRACKER_OIDC_PROVIDERS")
        .map(|v| v.split(',').map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()).collect())
        .unwrap_or_default();
    let mut out: Vec<OidcProviderSettings> = Vec::new();
    for name in names {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || out.iter().any(|p| p.name == name) {
            return Err(ConfigError {
                variable: "DATATRACKER_OIDC_PROVIDERS".into(),
                problem: format!("`{name}` is not a unique name of letters, digits and `_`"),
            });
        }
        let var = |field: &str| format!("DATATRACKER_OIDC_{}_{field}", name.to_ascii_uppercase());
        let required = |field: &str| {
            src.get(&var(field))
                .map(|v| v.trim().to_owned())
                .ok_or_else(|| missing(&var(field), "required for every provider in DATATRACKER_OIDC_PROVIDERS"))
        };
        let raw_issuer = required("ISSUER")?;
        let parsed = Url::parse(&raw_issuer).map_err(|e| ConfigError {
            variable: var("ISSUER"),
            problem: format!("`{raw_issuer}` is not a URL ({e})"),
        })?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if !(parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback)) {
            return Err(ConfigError {
                variable: var("ISSUER"),
                problem: "must be an https:// URL (plain http only on a loopback host, for tests)".into(),
            });
        }
        let scopes = src
            .get(&var("SCOPES"))
            .unwrap_or("email profile")
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "openid")
            .map(str::to_owned)
            .collect();
        out.push(OidcProviderSettings {
            client_id: required("CLIENT_ID")?,
            client_secret: Secret::new(required("CLIENT_SECRET")?),
            display_name: src.get(&var("DISPLAY_NAME")).map(|v| v.trim().to_owned()).unwrap_or_else(|| name.clone()),
            scopes,
            issuer: raw_issuer,
            name,
        });
    }
    Ok(out)
}
