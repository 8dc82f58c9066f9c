#!/usr/bin/env bash
# Voice: the Debian programs (espeak-ng for speech and test audio, alsa-utils for arecord/aplay) and
# the microWakeWord v2 models, taken from the pinned PyPI package pymicro-wakeword (its model files
# are byte-identical to the reference ones) into var/voice-models/ (or $WULF_VOICE_MODELS_DIR).
# The wheel is verified against a pinned sha256 before anything is extracted. Nothing is downloaded
# at run time: the daemon reads the models from audio.modelsDir. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

PKG=pymicro-wakeword
VERSION=2.4.1 # the last release whose okay_nabu is the v2 reference model (2.5.0 ships a new one)
# The x86-64 wheel is pinned whatever the host: only its model files are used, and they are the
# same in every platform's wheel.
PLATFORM=manylinux_2_35_x86_64
WHEEL=pymicro_wakeword-2.4.1-py3-none-manylinux_2_35_x86_64.whl
SHA256=34af98434434e8601d521aeddda01aca105f22191431f9eb13001d5e23b4e295
MODELS=(okay_nabu hey_jarvis alexa hey_mycroft)
dest="${WULF_VOICE_MODELS_DIR:-var/voice-models}"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
need=()
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v arecord >/dev/null 2>&1 && command -v aplay >/dev/null 2>&1 || need+=(alsa-utils)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip) # only to download the pinned wheel
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup-voice: installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

have_all() {
  [ -f "$dest/SOURCE" ] && [ "$(cat "$dest/SOURCE")" = "$PKG==$VERSION $SHA256" ] || return 1
  for m in "${MODELS[@]}"; do [ -s "$dest/$m.tflite" ] && [ -s "$dest/$m.json" ] || return 1; done
}
if have_all; then
  echo "setup-voice: $PKG $VERSION models present in $dest"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "setup-voice: downloading $PKG==$VERSION ($PLATFORM wheel)"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --platform "$PLATFORM" --python-version 3.11 --implementation py \
  "$PKG==$VERSION" -d "$tmp"
[ -f "$tmp/$WHEEL" ] || { echo "setup-voice: expected $WHEEL, got: $(ls "$tmp")" >&2; exit 1; }
echo "$SHA256  $tmp/$WHEEL" | sha256sum -c --quiet - || { echo "setup-voice: $WHEEL does not match the pinned sha256" >&2; exit 1; }

files=()
for m in "${MODELS[@]}"; do files+=("pymicro_wakeword/models/$m.tflite" "pymicro_wakeword/models/$m.json"); done
unzip -q -o -j "$tmp/$WHEEL" "${files[@]}" -d "$tmp/models"
mkdir -p "$dest"
# Files are moved in whole (rename within the destination), SOURCE last: an interrupted run is redone.
for f in "$tmp"/models/*; do
  cp "$f" "$dest/.$(basename "$f").tmp"
  mv -f "$dest/.$(basename "$f").tmp" "$dest/$(basename "$f")"
done
echo "$PKG==$VERSION $SHA256" > "$dest/.SOURCE.tmp" && mv -f "$dest/.SOURCE.tmp" "$dest/SOURCE"
echo "setup-voice: installed ${MODELS[*]} into $dest"
