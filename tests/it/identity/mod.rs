//! Identity: API keys, sessions, CSRF, logout, rate limits, OIDC login against a real provider, the CLI.

mod apikeys;
mod cli;
mod oidc;
mod provider;
mod sessions;
