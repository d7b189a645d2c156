#!/usr/bin/env bash
# Runs datatracker locally with its embedded defaults: starts a local database server (installed on first
# use) with its data in .data/, builds the web app when its sources changed, then serves the app on
# http://127.0.0.1:8080/ (the API at /graphql, GraphiQL at /graphiql).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datatracker-target}"
export PATH="$HOME/.cargo/bin:$PATH"
scripts/install-secantus.sh
PORT="${DATATRACKER_LOCAL_DB_PORT:-27217}"
mkdir -p .data/db
if ! (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then
  secantusd-rs --port "$PORT" --storage-path .data/db --log-file-max 16MB --cache-size 512M --sync-on-commit >.data/db.log 2>&1 &
  DB_PID=$!
  trap 'kill $DB_PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.1; done
fi
export DATATRACKER_LOCAL=1
export DATATRACKER_MONGODB_URI="${DATATRACKER_MONGODB_URI:-mongodb://127.0.0.1:$PORT/?directConnection=true}"
export DATATRACKER_STATE_DIR="${DATATRACKER_STATE_DIR:-$PWD/.data}"
# Build the binary exactly as scripts/test.sh does (`cargo test` unifies dev-dependency features, so a
# plain `cargo build` would compile polars, mongodb and most dependencies a second time): after
# scripts/test.sh this is a no-op, and its target/debug/datatracker is the binary served here.
cargo test --no-run --lib --bins --tests --quiet
scripts/web-build.sh
"$CARGO_TARGET_DIR/debug/datatracker" serve "$@"
