//! The GraphQL client: one POST per call, retries with backoff on timeouts, connection failures and 5xx,
//! `Retry-After` on 429, and errors sorted into what the caller can act on. Nothing is swallowed: a call
//! either returns the whole `data` or an error.

use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// Why a call failed (after its retries).
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// The credentials were refused.
    Auth(String),
    /// The query costs more than the server allows (`MAX_COMPLEXITY`); ask for a smaller page.
    TooComplex,
    /// The server answered with a GraphQL error of this code.
    Graphql {
        /// `extensions.code` (empty when none).
        code: String,
        /// The message.
        message: String,
    },
    /// The server could not be reached or kept failing.
    Transport(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Auth(m) => write!(f, "credentials refused: {m}"),
            Self::TooComplex => f.write_str("query too complex"),
            Self::Graphql { code, message } => write!(f, "{code}: {message}"),
            Self::Transport(m) => f.write_str(m),
        }
    }
}

/// Retry policy.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// First backoff delay; doubled every retry.
    pub base: Duration,
    /// Longest wait between attempts (also caps `Retry-After`).
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { retries: 6, base: Duration::from_millis(250), max: Duration::from_secs(30) }
    }
}

impl RetryPolicy {
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base.saturating_mul(1u32 << attempt.min(16));
        let jitter = Duration::from_millis(rand::random::<u64>() % (self.base.as_millis() as u64 + 1));
        exp.saturating_add(jitter).min(self.max)
    }
}

/// A client of one datatracker API with one set of credentials.
pub struct Client {
    http: reqwest::Client,
    endpoint: url::Url,
    user: Option<String>,
    key: Option<String>,
    policy: RetryPolicy,
}

enum Attempt {
    Done(Result<Answer, CallError>),
    Retry(String, Option<Duration>),
}

/// A successful answer, kept as text: the caller parses `data` into borrowed types (a page's nodes stay
/// slices of the answer and become JSON lines without a tree of values in between).
#[derive(Debug)]
pub struct Answer {
    body: String,
    data: std::ops::Range<usize>,
}

impl Answer {
    /// The `data` object's JSON text.
    pub fn data(&self) -> &str {
        &self.body[self.data.clone()]
    }

    /// `data` parsed as `T` (borrowing from the answer where `T` does).
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> Result<T, CallError> {
        serde_json::from_str(self.data()).map_err(|e| CallError::Transport(format!("unexpected answer: {e}")))
    }
}

/// The outer shape of a GraphQL answer, `data` unparsed.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default)]
    errors: Option<Vec<Value>>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

impl Client {
    /// A client of `endpoint` (the `/graphql` URL); with a key, every call sends `X-API-User`/`X-API-Key`.
    pub fn new(
        endpoint: url::Url,
        user: Option<String>,
        key: Option<String>,
        policy: RetryPolicy,
    ) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("datatracker-extract/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot create the HTTP client: {e}"))?;
        Ok(Self { http, endpoint, user, key, policy })
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &url::Url {
        &self.endpoint
    }

    /// Runs `query` with `variables`; returns `data`.
    pub async fn call(&self, query: &str, variables: Value) -> Result<Value, CallError> {
        self.call_raw(query, variables).await?.parse()
    }

    /// Runs `query` with `variables`; returns the answer with `data` unparsed.
    pub async fn call_raw(&self, query: &str, variables: Value) -> Result<Answer, CallError> {
        let body = json!({ "query": query, "variables": variables });
        let mut last = String::new();
        for attempt in 0..=self.policy.retries {
            if attempt > 0 {
                tracing::debug!(attempt, error = %last, "retrying");
            }
            match self.attempt(&body).await {
                Attempt::Done(r) => return r,
                Attempt::Retry(why, after) => {
                    last = why;
                    if attempt < self.policy.retries {
                        let wait =
                            after.map(|a| a.min(self.policy.max)).unwrap_or_else(|| self.policy.backoff(attempt));
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
        Err(CallError::Transport(format!("{last} (gave up after {} attempts)", self.policy.retries + 1)))
    }

    async fn attempt(&self, body: &Value) -> Attempt {
        let mut req = self.http.post(self.endpoint.clone()).json(body);
        if let (Some(user), Some(key)) = (&self.user, &self.key) {
            req = req.header("x-api-user", user).header("x-api-key", key);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(transport(&e), None),
        };
        let status = resp.status();
        if status.as_u16() == 429 {
            let after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Attempt::Retry("429 Too Many Requests".into(), after);
        }
        if status.is_server_error() {
            return Attempt::Retry(format!("server error {status}"), None);
        }
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => return Attempt::Retry(transport(&e), None),
        };
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Attempt::Done(Err(CallError::Auth(first_error(&bytes).1)));
        }
        let unreadable = |e: String| {
            let msg = format!("unreadable answer ({status}): {e}");
            if status.is_success() {
                Attempt::Retry(msg, None)
            } else {
                Attempt::Done(Err(CallError::Transport(msg)))
            }
        };
        let body = match String::from_utf8(bytes.into()) {
            Ok(b) => b,
            Err(e) => return unreadable(e.to_string()),
        };
        let classified = match serde_json::from_str::<Envelope>(&body) {
            Ok(envelope) => classify(&body, envelope),
            Err(e) => return unreadable(e.to_string()),
        };
        match classified {
            Ok(data) => Attempt::Done(Ok(Answer { body, data })),
            Err(attempt) => attempt,
        }
    }
}

fn transport(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    format!("{kind}: {e}")
}

fn first_error(bytes: &[u8]) -> (String, String) {
    let v: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let e = v.pointer("/errors/0").cloned().unwrap_or(Value::Null);
    let code = e.pointer("/extensions/code").and_then(Value::as_str).unwrap_or("").to_string();
    let message = e.get("message").and_then(Value::as_str).unwrap_or("refused").to_string();
    (code, message)
}

/// The range of `data` in `body`, or what to do instead.
fn classify(body: &str, envelope: Envelope<'_>) -> Result<std::ops::Range<usize>, Attempt> {
    if let Some(e) = envelope.errors.as_deref().and_then(<[Value]>::first) {
        let code = e.pointer("/extensions/code").and_then(Value::as_str).unwrap_or("").to_string();
        let reason = e.pointer("/extensions/reason").and_then(Value::as_str).unwrap_or("");
        let message = e.get("message").and_then(Value::as_str).unwrap_or("").to_string();
        return Err(match code.as_str() {
            "UNAUTHENTICATED" => Attempt::Done(Err(CallError::Auth(message))),
            "BAD_USER_INPUT" if reason == "MAX_COMPLEXITY" || message.contains("complex") => {
                Attempt::Done(Err(CallError::TooComplex))
            }
            "RATE_LIMITED" | "SERVICE_UNAVAILABLE" | "INTERNAL_SERVER_ERROR" => {
                Attempt::Retry(format!("{code}: {message}"), None)
            }
            _ => Attempt::Done(Err(CallError::Graphql { code, message })),
        });
    }
    match envelope.data {
        Some(data) if data.get().starts_with('{') => {
            // `data` borrows from `body`: its offset locates it without copying.
            let start = data.get().as_ptr() as usize - body.as_ptr() as usize;
            Ok(start..start + data.get().len())
        }
        _ => Err(Attempt::Retry("answer without data".into(), None)),
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
