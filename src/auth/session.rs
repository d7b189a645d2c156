//! Sessions: HS256 JWTs (algorithm pinned) carried in an HttpOnly cookie or as a bearer token, revocable by
//! `jti` through a denylist in MongoDB whose TTL index drops entries once the token would have expired anyway.

use std::time::Duration;

use bson::{doc, Document};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::config::Secret;
use crate::store::{Store, StoreError};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "dt_session";
/// Audience of session tokens, so that no other token signed with the same key passes as a session.
const SESSION_AUDIENCE: &str = "datatracker:session";

/// The claims of a session token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionClaims {
    /// The user id.
    pub sub: String,
    /// The token id (what logout revokes).
    pub jti: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Always [`SESSION_AUDIENCE`].
    pub aud: String,
    /// The user's session epoch at issue; a session of an older epoch has been ended.
    #[serde(default)]
    pub epoch: i64,
    /// Fingerprint of the API key that started the session (see [`super::apikey::fingerprint`]); a new key
    /// ends such sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl SessionClaims {
    /// Whether the session still belongs to `user` as it is now: same session epoch and, for a session
    /// started with an API key, the same key.
    pub fn is_current_for(&self, user: &crate::domain::model::User) -> bool {
        self.epoch == user.session_epoch
            && self.key.as_ref().is_none_or(|k| Some(k) == super::apikey::fingerprint(user).as_ref())
    }
}

/// A session that authenticated the current request (the `logout` mutation revokes it).
#[derive(Debug, Clone)]
pub struct CurrentSession {
    /// The token's claims.
    pub claims: SessionClaims,
    /// Whether it came in the cookie (then state-changing requests need the CSRF header).
    pub from_cookie: bool,
}

/// Signs and checks the service's own tokens (sessions, OIDC login state) with the configured secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    lifetime: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys([redacted])")
    }
}

impl TokenKeys {
    /// Keys from the configured secret; sessions last `lifetime`.
    pub fn new(secret: &Secret, lifetime: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            lifetime,
        }
    }

    /// The session lifetime.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A new session token for `user_id`, issued now.
    pub fn issue_session(&self, user_id: &str) -> Result<(String, SessionClaims), jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        self.issue_session_at(user_id, now, now + self.lifetime.as_secs() as i64)
    }

    /// A new session token for `user`, issued now; `via_key` when an API key started it.
    pub fn issue_session_for(
        &self,
        user: &crate::domain::model::User,
        via_key: bool,
    ) -> Result<(String, SessionClaims), jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = SessionClaims {
            sub: user.id.to_string(),
            jti: uuid::Uuid::new_v4().simple().to_string(),
            iat: now,
            exp: now + self.lifetime.as_secs() as i64,
            aud: SESSION_AUDIENCE.to_owned(),
            epoch: user.session_epoch,
            key: if via_key { super::apikey::fingerprint(user) } else { None },
        };
        Ok((self.sign(&claims)?, claims))
    }

    /// A session token with explicit times (tests use it to make expired tokens).
    pub fn issue_session_at(
        &self,
        user_id: &str,
        iat: i64,
        exp: i64,
    ) -> Result<(String, SessionClaims), jsonwebtoken::errors::Error> {
        let claims = SessionClaims {
            sub: user_id.to_owned(),
            jti: uuid::Uuid::new_v4().simple().to_string(),
            iat,
            exp,
            aud: SESSION_AUDIENCE.to_owned(),
            epoch: 0,
            key: None,
        };
        Ok((self.sign(&claims)?, claims))
    }

    /// The claims of a valid, unexpired session token (not yet checked against the denylist).
    pub fn verify_session(&self, token: &str) -> Option<SessionClaims> {
        self.verify(token, SESSION_AUDIENCE)
    }

    /// Signs any claims (they must carry `exp` and `aud`).
    pub(crate) fn sign<T: Serialize>(&self, claims: &T) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// Verifies signature (HS256 only), expiry (no leeway) and audience.
    pub(crate) fn verify<T: DeserializeOwned>(&self, token: &str, audience: &str) -> Option<T> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "aud"]);
        jsonwebtoken::decode::<T>(token, &self.decoding, &validation).ok().map(|d| d.claims)
    }
}

/// The denylist of revoked session ids (`revoked_sessions`, TTL index on `expiresAt`).
#[derive(Clone, Debug)]
pub struct Revocations {
    store: Store,
}

impl Revocations {
    /// The denylist in `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    fn collection(&self) -> mongodb::Collection<Document> {
        self.store.db().collection("revoked_sessions")
    }

    /// Revokes a session until it would have expired.
    pub async fn revoke(&self, claims: &SessionClaims) -> Result<(), StoreError> {
        let expires = bson::DateTime::from_millis(claims.exp.saturating_mul(1000));
        self.collection()
            .update_one(doc! { "_id": &claims.jti }, doc! { "$set": { "userId": &claims.sub, "expiresAt": expires } })
            .upsert(true)
            .await?;
        Ok(())
    }

    /// Whether the session has been revoked.
    pub async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        Ok(self.collection().find_one(doc! { "_id": jti }).projection(doc! { "_id": 1 }).await?.is_some())
    }
}
