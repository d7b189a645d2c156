#!/usr/bin/env bash
# Regenerates the web app's typed GraphQL documents (web/src/gql/) from schema.graphql and the operations
# in web/src. Run it after changing schema.graphql and commit its output. `--check` only verifies that
# web/src/gql/ is up to date (exit 1 and the stale files listed otherwise). Installs web/node_modules with
# `npm ci` on first use.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -x node_modules/.bin/graphql-codegen ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
if [ "${1:-}" = "--check" ]; then
  exec node_modules/.bin/graphql-codegen --config codegen.ts --check
fi
exec node_modules/.bin/graphql-codegen --config codegen.ts
