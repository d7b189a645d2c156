//! Identity mutations.

use async_graphql::{Context, Object, SimpleObject, ID};

use super::context::{principal, tracker, Sessions};
use crate::auth::apikey;
use crate::error::ApiError;

/// A newly generated API key. The key is shown once and cannot be read again.
#[derive(SimpleObject)]
pub struct ApiKeyPayload {
    /// The user the key belongs to (send as `X-API-User`, or any of their auth ids). Visible to the caller only.
    pub user_id: ID,
    /// The key (send as `X-API-Key`). Visible to the caller, once.
    pub api_key: String,
}

/// Identity mutations.
#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Generates a new API key for the caller, or for `userId` with `USER_MANAGEMENT` over an account that
    /// holds no permission the caller lacks; the old key stops working, and so do the sessions it started
    /// (on every instance within a second). The key is returned once; only a salted hash is stored.
    async fn generate_api_key(&self, ctx: &Context<'_>, user_id: Option<ID>) -> Result<ApiKeyPayload, ApiError> {
        let key = apikey::generate_key();
        let hash = apikey::hash_key(&key);
        let (user, key) =
            tracker(ctx)?.generate_api_key(principal(ctx), user_id.as_ref().map(|i| i.as_str()), key, hash).await?;
        Ok(ApiKeyPayload { user_id: ID(user.id.to_string()), api_key: key })
    }

    /// Ends every session of the caller, or of `userId` with `USER_MANAGEMENT` over an account that holds no
    /// permission the caller lacks (on every instance within a second). API keys stay valid; the caller's
    /// own session ends too when it is one of them. True when done.
    async fn end_all_sessions(&self, ctx: &Context<'_>, user_id: Option<ID>) -> Result<bool, ApiError> {
        let user = tracker(ctx)?.end_sessions(principal(ctx), user_id.as_ref().map(|i| i.as_str())).await?;
        tracing::info!(user = %user.id, "all sessions ended");
        Ok(true)
    }

    /// Ends the caller's session: the session token is revoked at once and the session cookie cleared. True
    /// when a session was revoked; false for API-key or anonymous callers (an API key stays valid until it
    /// is regenerated). Anyone may call it.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool, ApiError> {
        let Some(sessions) = ctx.data_opt::<Sessions>() else {
            return Ok(false);
        };
        for cookie in &sessions.clear_cookies {
            ctx.append_http_header(http::header::SET_COOKIE, cookie.as_str());
        }
        match &sessions.current {
            Some(current) => {
                sessions.revocations.revoke(&current.claims).await.map_err(|e| ApiError::internal(&e))?;
                tracker(ctx)?.user_cache().forget(&crate::auth::session_cache_key(&current.claims));
                tracing::info!(user = %current.claims.sub, "session revoked (logout)");
                Ok(true)
            }
            None => Ok(false),
        }
    }
}
