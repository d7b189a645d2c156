#!/usr/bin/env bash
# The web app's checks: generated types up to date, type check, unit tests, the build (with its sizes),
# and the end-to-end tests in Chromium against the real service. Needs the datatracker binary built by
# `cargo test` (scripts/test.sh runs this after the Rust tests) or DATATRACKER_BIN. Installs what is
# missing: web/node_modules (npm ci) and Debian's chromium (apt) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datatracker-target}"
export PATH="$HOME/.cargo/bin:$PATH"
started=$(date +%s)
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "installing chromium for the end-to-end tests (about a minute, once)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
scripts/web-gen.sh --check   # installs node_modules on first use; fails when src/gql is stale
cd web
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CI=1
step() { echo "web: $1" >&2; }
step "type check";  node_modules/.bin/svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --output machine | tail -1
step "unit tests";  node_modules/.bin/vitest run --reporter=dot
step "build";       node_modules/.bin/vite build --logLevel warn
node scripts/sizes.mjs
step "end-to-end";  node_modules/.bin/playwright test
echo "web checks passed in $(( $(date +%s) - started ))s"
