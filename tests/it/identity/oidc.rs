//! OIDC tests (pending).
