#!/usr/bin/env bash
# Installs LocalStack (PyPI `localstack-core`, no Docker) into a virtualenv, used by the tests as a real
# S3-compatible server that verifies presigned signatures and expiry. Only when missing (about 2 minutes, once).
# The pins each fix a start-up crash seen with Python 3.11 (see the README, "Data files").
set -euo pipefail
VENV="${DATATRACKER_LOCALSTACK_VENV:-$HOME/.cache/datatracker-localstack}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import localstack.runtime.main' >/dev/null 2>&1; then
  exit 0
fi
PY="$(command -v python3.11 || command -v python3)"
echo "installing LocalStack (localstack-core 4.13.1) into $VENV (about 2 minutes, once)" >&2
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  'localstack-core[runtime]==4.13.1' 'cbor2<6' 'cryptography<44' 'pyopenssl<24.3' service_identity
