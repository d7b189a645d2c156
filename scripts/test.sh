#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and integration tests against a real database server, and
# the web app's checks (scripts/web-test.sh).
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
# The web app: generated types, type check, unit tests, build, end-to-end in Chromium against the binary
# that `cargo test` just built ($CARGO_TARGET_DIR/debug/datatracker). SKIP_WEB=1 leaves it out.
if [ -z "${SKIP_WEB:-}" ]; then
  scripts/web-test.sh
fi
echo "all tests passed in $(( $(date +%s) - started ))s"
