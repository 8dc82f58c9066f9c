#!/usr/bin/env bash
# Installs the Debian packages the voice tests use (#12): espeak-ng (speech out), alsa-utils (aplay),
# pocketsphinx with its US English model (closed-grammar recognition), and the real English recordings
# the recognition figures are measured on (pocketsphinx-testdata, asterisk-core-sounds-en-wav).
# Idempotent: when everything is there it only checks (dpkg-query, no network).
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

packages=(espeak-ng alsa-utils pocketsphinx pocketsphinx-en-us pocketsphinx-testdata asterisk-core-sounds-en-wav)
need=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup-speech: installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${need[@]}"
fi
# What the code spawns, checked by name so a broken install is caught here and not mid-test.
for cmd in espeak-ng aplay pocketsphinx_batch; do
  command -v "$cmd" >/dev/null || { echo "setup-speech: $cmd missing after install" >&2; exit 1; }
done
[ -f /usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict ] || { echo "setup-speech: pocketsphinx-en-us model missing" >&2; exit 1; }
echo "setup-speech: ok"
