//! The test OpenID provider (pending).
