//! CLI tests (pending).
