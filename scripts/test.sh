#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and integration tests against a real database server.
# Uses MONGODB_URI when set; otherwise the tests start a local server (installed here on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datatracker-target}"
export PATH="$HOME/.cargo/bin:$PATH"
if [ -z "${MONGODB_URI:-}" ]; then
  scripts/install-secantus.sh
fi
scripts/install-localstack.sh   # the S3 tests start LocalStack (a real S3-compatible server)
started=$(date +%s)
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --lib --bins --tests --quiet -- --test-threads "${TEST_THREADS:-4}"
echo "all tests passed in $(( $(date +%s) - started ))s"
