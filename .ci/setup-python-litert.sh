#!/usr/bin/env bash
# Creates the reference-runtime venv (.venv/litert) with native LiteRT (ai-edge-litert, pinned) and
# NumPy. Idempotent: does nothing when the venv already has the pinned versions. Tests and the
# runtime benchmark run firmware-models/tflite/run_litert.py with its python.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/litert
LITERT_VERSION=2.3.0
NUMPY_VERSION=2.3.5
PY=/usr/bin/python3

if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  # Debian splits venv/ensurepip into python3-venv; CI runs as root.
  apt-get update -qq && apt-get install -y -qq python3-venv
fi
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "
import importlib.metadata as m, sys
ok = m.version('ai-edge-litert') == '$LITERT_VERSION' and m.version('numpy') == '$NUMPY_VERSION'
sys.exit(0 if ok else 1)" >/dev/null 2>&1; then
  exit 0
fi
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  "ai-edge-litert==$LITERT_VERSION" "numpy==$NUMPY_VERSION"
