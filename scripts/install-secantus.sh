#!/usr/bin/env bash
# Installs the local MongoDB-wire-compatible server used by the tests and by scripts/run-local.sh:
# SecantusDB (GPL-2.0, run as a separate process; never linked into datatracker).
set -euo pipefail
VERSION="0.5.3-beta.196"
if command -v secantusd-rs >/dev/null 2>&1 || [ -x "$HOME/.cargo/bin/secantusd-rs" ]; then
  exit 0
fi
if ! command -v cmake >/dev/null 2>&1; then
  echo "installing cmake (needed to build the local database server)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  $SUDO apt-get install -y -qq cmake >/dev/null
fi
echo "installing the local database server secantus-mdb $VERSION (about 5 minutes, once)" >&2
cargo install secantus-mdb --version "$VERSION" --ignore-rust-version --quiet
