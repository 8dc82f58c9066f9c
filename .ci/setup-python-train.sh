#!/usr/bin/env bash
# Creates .venv/train (Debian's python3 + python3-torch visible through --system-site-packages) and
# installs the pinned training packages. Idempotent: a second run only checks. Run as root on Debian 12
# or as a user who may apt-get through sudo. Issue #5.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need=()
/usr/bin/python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || need+=(python3-numpy)
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch)
# Reference BLAS makes training ~18x slower (ARCHITECTURE.md, "Models").
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup-python-train: installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

venv=.venv/train
req=firmware-models/requirements-train.txt
if [ ! -x "$venv/bin/python" ]; then
  echo "setup-python-train: creating $venv"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup-python-train: pip install -r $req"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi
# The recipes need Debian's NumPy 1.x (torch 1.13/2.x from Debian is built against it).
"$venv/bin/python" - <<'PY'
import numpy, torch, hassil, home_assistant_intents, safetensors, tqdm, sentencepiece
assert numpy.__version__.startswith("1."), f"NumPy {numpy.__version__} in the venv; Debian's 1.x expected"
print(f"setup-python-train: ok (torch {torch.__version__}, numpy {numpy.__version__})")
PY
