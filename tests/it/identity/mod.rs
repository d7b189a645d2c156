//! Identity: API keys, sessions, CSRF, logout, rate limits, OIDC login against a real provider, the CLI, and
//! the hardening rules (escalation, linking, statistics access, failure limits, revocation, secret-free logs).

mod apikeys;
mod cli;
mod escalation;
mod limits;
mod linking;
mod log_secrets;
mod oidc;
mod provider;
mod revocation;
mod sessions;
mod stats_access;
