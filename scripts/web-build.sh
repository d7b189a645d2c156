#!/usr/bin/env bash
# Builds the web app into web/dist when its sources changed since the last build (npm ci on first use).
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=dist/.build-stamp
if [ -f "$stamp" ] && [ -z "$(find src index.html graphiql.html vite.config.ts package-lock.json ../schema.graphql -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
if [ ! -x node_modules/.bin/vite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing the web app's packages (npm ci, about a minute, once)" >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
echo "building the web app" >&2
node_modules/.bin/vite build --logLevel warn
touch "$stamp"
