#!/usr/bin/env bash
# Creates the Wyoming client venv (.venv/wyoming) with the pinned `wyoming` PyPI package (pure
# Python, no dependencies): the tests drive Wulf's Wyoming server (src/voice/wyoming.ts) with the
# protocol's own reference client (test/fixtures/wyoming/client.py), not with a re-implementation.
# Test-only: the product never imports Python. Idempotent: does nothing when the pinned version is there.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/wyoming
WYOMING_VERSION=1.10.2
# sha256 of wyoming-1.10.2-py3-none-any.whl: pip refuses anything else.
WYOMING_SHA256=08aec17ccad4d72fc3f919ab741beacf3f23a1df24c8b9a317ebc6e02d2b227c
PY=/usr/bin/python3

if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  # Debian splits venv/ensurepip into python3-venv; CI runs as root.
  apt-get update -qq && apt-get install -y -qq python3-venv
fi
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "
import importlib.metadata as m, sys
sys.exit(0 if m.version('wyoming') == '$WYOMING_VERSION' else 1)" >/dev/null 2>&1; then
  exit 0
fi
"$PY" -m venv "$VENV"
req="$(mktemp)"
trap 'rm -f "$req"' EXIT
echo "wyoming==$WYOMING_VERSION --hash=sha256:$WYOMING_SHA256" > "$req"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps --only-binary=:all: --require-hashes -r "$req"
"$VENV/bin/python" -c "import wyoming.client, wyoming.asr, wyoming.tts, wyoming.wake; print('setup-wyoming: wyoming $WYOMING_VERSION in $VENV')"
