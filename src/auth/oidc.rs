//! OpenID Connect login: authorization-code flow with PKCE, `state` and `nonce`, by the `openidconnect` crate.
//!
//! The provider's metadata and keys are discovered on first use and discovered again when an ID token names
//! a key id the cached key set lacks (at most once a minute). What the callback must check (state, nonce,
//! PKCE verifier, return path) travels in a signed, short-lived, HttpOnly cookie, so no server-side store is
//! needed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tokio::sync::Mutex;

use super::provider_errors::{discovery_error, token_error, userinfo_error};
use super::session::TokenKeys;
use crate::config::OidcProviderSettings;

/// Name of the cookie holding the signed login state.
pub const LOGIN_COOKIE: &str = "dt_oidc";
/// Path of the login cookie (sent only to the login routes).
pub const LOGIN_COOKIE_PATH: &str = "/login/oidc/";
/// How long a login may take between leaving for the provider and coming back.
pub const LOGIN_TTL: Duration = Duration::from_secs(600);
const LOGIN_AUDIENCE: &str = "datatracker:oidc-login";
const REDISCOVER_AFTER: Duration = Duration::from_secs(60);
const METADATA_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// Why a login failed. The message is safe to show; `detail` goes to the log only.
#[derive(Debug)]
pub struct LoginError {
    /// HTTP status of the error page.
    pub status: http::StatusCode,
    /// What the user is told.
    pub message: String,
    /// What the log says.
    pub detail: String,
}

impl LoginError {
    fn bad(message: &str, detail: impl Into<String>) -> Self {
        Self { status: http::StatusCode::BAD_REQUEST, message: message.into(), detail: detail.into() }
    }
    fn upstream(detail: impl Into<String>) -> Self {
        Self {
            status: http::StatusCode::BAD_GATEWAY,
            message: "the login provider could not be reached or answered wrongly; try again later".into(),
            detail: detail.into(),
        }
    }
}

/// What the callback checks, signed into the login cookie.
#[derive(Debug, Serialize, Deserialize)]
struct LoginState {
    provider: String,
    state: String,
    nonce: String,
    verifier: String,
    return_to: String,
    exp: i64,
    aud: String,
}

/// The identity a provider vouched for.
#[derive(Debug, Clone)]
pub struct OidcIdentity {
    /// Provider name.
    pub provider: String,
    /// The provider's subject identifier.
    pub subject: String,
    /// Email, if released.
    pub email: Option<String>,
    /// Whether the provider says the email is verified (`email_verified`); absent counts as not verified.
    pub email_verified: bool,
    /// Display name, if released.
    pub name: Option<String>,
    /// Affiliation (the organisation of the first `eduperson_scoped_affiliation`), if released.
    pub affiliation: Option<String>,
}

impl OidcIdentity {
    /// The auth id of this identity: `{sub}::{provider}`.
    pub fn auth_id(&self) -> String {
        format!("{}::{}", self.subject, self.provider)
    }
}

struct Cached {
    metadata: Arc<CoreProviderMetadata>,
    fetched: Instant,
}

/// One configured provider with its cached metadata.
pub struct Provider {
    /// Its settings.
    pub settings: OidcProviderSettings,
    cache: Mutex<Option<Cached>>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider").field("name", &self.settings.name).finish()
    }
}

/// The configured providers by name.
#[derive(Debug, Default)]
pub struct Providers {
    by_name: BTreeMap<String, Provider>,
    http: Option<openidconnect::reqwest::Client>,
}

type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

impl Providers {
    /// The providers of the settings.
    pub fn new(settings: &[OidcProviderSettings]) -> Self {
        let by_name = settings
            .iter()
            .map(|s| (s.name.clone(), Provider { settings: s.clone(), cache: Mutex::new(None) }))
            .collect();
        // No redirects: a provider's endpoints are called directly (guards against SSRF through redirects).
        let http = openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| tracing::error!(error = %e, "cannot build the OIDC HTTP client"))
            .ok();
        Self { by_name, http }
    }

    /// Every provider, by name.
    pub fn all(&self) -> impl Iterator<Item = &Provider> {
        self.by_name.values()
    }

    /// A provider by name.
    pub fn get(&self, name: &str) -> Option<&Provider> {
        self.by_name.get(name)
    }

    fn http(&self) -> Result<&openidconnect::reqwest::Client, LoginError> {
        self.http.as_ref().ok_or_else(|| LoginError::upstream("no HTTP client"))
    }

    async fn metadata(&self, p: &Provider, refresh: bool) -> Result<Arc<CoreProviderMetadata>, LoginError> {
        let mut cache = p.cache.lock().await;
        if let Some(c) = cache.as_ref() {
            let age = c.fetched.elapsed();
            if (!refresh && age < METADATA_MAX_AGE) || (refresh && age < REDISCOVER_AFTER) {
                return Ok(c.metadata.clone());
            }
        }
        let issuer = IssuerUrl::new(p.settings.issuer.clone())
            .map_err(|e| LoginError::upstream(format!("bad issuer URL: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, self.http()?)
            .await
            .map_err(|e| LoginError::upstream(format!("discovery failed: {}", discovery_error(&e))))?;
        let metadata = Arc::new(metadata);
        *cache = Some(Cached { metadata: metadata.clone(), fetched: Instant::now() });
        Ok(metadata)
    }

    fn client(p: &Provider, metadata: &CoreProviderMetadata, redirect: &str) -> Result<Client, LoginError> {
        let redirect = RedirectUrl::new(redirect.to_owned()).map_err(|e| LoginError::upstream(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(p.settings.client_id.clone()),
            Some(ClientSecret::new(p.settings.client_secret.expose().to_owned())),
        )
        .set_redirect_uri(redirect))
    }

    /// Starts a login: the provider's authorization URL and the signed login-state cookie value.
    pub async fn start(
        &self,
        p: &Provider,
        keys: &TokenKeys,
        redirect: &str,
        return_to: String,
    ) -> Result<(url::Url, String), LoginError> {
        let metadata = self.metadata(p, false).await?;
        let client = Self::client(p, &metadata, redirect)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for scope in &p.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let claims = LoginState {
            provider: p.settings.name.clone(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            return_to,
            exp: chrono::Utc::now().timestamp() + LOGIN_TTL.as_secs() as i64,
            aud: LOGIN_AUDIENCE.into(),
        };
        let cookie = keys.sign(&claims).map_err(|e| LoginError::upstream(format!("cannot sign login state: {e}")))?;
        Ok((url, cookie))
    }

    /// Finishes a login at the callback: checks the login cookie and `state`, exchanges the code (with the
    /// PKCE verifier), verifies the ID token (signature, issuer, audience, expiry, nonce). Returns the
    /// identity and the return path.
    pub async fn finish(
        &self,
        p: &Provider,
        keys: &TokenKeys,
        redirect: &str,
        cookie: Option<&str>,
        callback: &Callback,
    ) -> Result<(OidcIdentity, String), LoginError> {
        let name = &p.settings.name;
        let login: LoginState = cookie.and_then(|c| keys.verify(c, LOGIN_AUDIENCE)).ok_or_else(|| {
            LoginError::bad("the login expired or was not started here; start again", "no valid login cookie")
        })?;
        if login.provider != *name {
            return Err(LoginError::bad(
                "the login was started with another provider; start again",
                "provider mismatch",
            ));
        }
        if let Some(error) = &callback.error {
            return Err(LoginError::bad(
                "the provider refused the login",
                format!("provider error {error}: {}", callback.error_description.as_deref().unwrap_or("")),
            ));
        }
        let state_ok =
            callback.state.as_deref().is_some_and(|s| bool::from(s.as_bytes().ct_eq(login.state.as_bytes())));
        if !state_ok {
            return Err(LoginError::bad(
                "the login could not be verified (state mismatch); start again",
                "state mismatch",
            ));
        }
        let code = callback.code.clone().ok_or_else(|| LoginError::bad("the provider sent no code", "no code"))?;
        let metadata = self.metadata(p, false).await?;
        if let Some(iss) = &callback.iss {
            if iss.trim_end_matches('/') != metadata.issuer().as_str().trim_end_matches('/') {
                return Err(LoginError::bad("the login came back from another issuer", format!("iss mismatch: {iss}")));
            }
        }
        let client = Self::client(p, &metadata, redirect)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| LoginError::upstream(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(login.verifier.clone()))
            .request_async(self.http()?)
            .await
            .map_err(|e| {
                LoginError::bad(
                    "the login code was refused by the provider; start again",
                    format!("code exchange failed: {}", token_error(&e)),
                )
            })?;
        let id_token = token.id_token().ok_or_else(|| LoginError::upstream("the token response has no ID token"))?;
        let nonce = Nonce::new(login.nonce.clone());
        let claims: CoreIdTokenClaims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(c) => c.clone(),
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                // The provider may have rotated its keys: discover again (rate limited) and retry once.
                let metadata = self.metadata(p, true).await?;
                let fresh = Self::client(p, &metadata, redirect)?;
                let verifier = fresh.id_token_verifier();
                let claims = id_token.claims(&verifier, &nonce).map_err(|e| {
                    LoginError::bad("the provider's ID token is not valid", format!("ID token rejected: {e}"))
                })?;
                claims.clone()
            }
            Err(e) => {
                return Err(LoginError::bad("the provider's ID token is not valid", format!("ID token rejected: {e}")))
            }
        };
        let mut identity = OidcIdentity {
            provider: name.clone(),
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|e| e.as_str().to_owned()),
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_owned()),
            affiliation: scoped_affiliation(id_token.to_string().as_str()),
        };
        if identity.email.is_none() || identity.name.is_none() {
            // Providers that keep the ID token small release the profile at userinfo.
            if let Ok(request) = client.user_info(token.access_token().clone(), Some(claims.subject().clone())) {
                let answer: Result<CoreUserInfoClaims, _> = request.request_async(self.http()?).await;
                match answer {
                    Ok(info) => {
                        if identity.email.is_none() {
                            identity.email = info.email().map(|e| e.as_str().to_owned());
                            identity.email_verified = info.email_verified().unwrap_or(false);
                        }
                        if identity.name.is_none() {
                            identity.name = info.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_owned());
                        }
                    }
                    Err(e) => tracing::warn!(provider = %name, error = %userinfo_error(&e), "userinfo request failed"),
                }
            }
        }
        Ok((identity, login.return_to))
    }
}

/// The query of the callback.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Callback {
    /// The authorization code.
    pub code: Option<String>,
    /// The state sent at the start.
    pub state: Option<String>,
    /// The issuer (RFC 9207), when the provider sends it.
    pub iss: Option<String>,
    /// An error code from the provider.
    pub error: Option<String>,
    /// The provider's error description.
    pub error_description: Option<String>,
}

/// The organisation part of the first `eduperson_scoped_affiliation` of an already verified ID token.
fn scoped_affiliation(jwt: &str) -> Option<String> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let first = json.get("eduperson_scoped_affiliation")?.as_array()?.first()?.as_str()?;
    first.split_once('@').map(|(_, org)| org.to_owned()).filter(|o| !o.is_empty())
}

/// A return path after login: a relative path on this service, or `/`.
pub fn safe_return_path(raw: Option<&str>) -> String {
    match raw.map(str::trim) {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(char::is_control)
                && p.len() <= 2048 =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_paths_on_this_service_are_return_paths() {
        assert_eq!(safe_return_path(Some("/orders?x=1")), "/orders?x=1");
        for bad in ["https://evil.example", "//evil.example/x", "/\\evil.example", "evil", "/a\nb", ""] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_return_path(None), "/");
    }
}
