#!/usr/bin/env bash
# Build a Wulf release tarball for a board: the compiled daemon and workstation tools, the shipped
# models, the unit and the installer, and the production node_modules (arch-independent: LiteRT.js is
# WebAssembly and koffi carries prebuilt binaries for x86-64, arm64 and armhf).
#   provisioning/make-release.sh [OUT_DIR]   → OUT_DIR/wulf-<version>.tar.gz (default: var/release)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-var/release}"
version="$(node -p 'require("./package.json").version')"
[ -f dist/src/cli/main.js ] || npm run build >/dev/null
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
root="$stage/wulf-$version"
mkdir -p "$root/dist" "$root/firmware-models"
cp package.json package-lock.json README.md "$root/"
cp -a dist/src dist/ota "$root/dist/"
cp -a firmware-models/dist "$root/firmware-models/dist"
cp -a device provisioning "$root/"
# Production dependencies only, from the lock file, without touching this checkout's node_modules.
cp -a node_modules "$root/node_modules"
(cd "$root" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
find "$root/dist" -name '*.bench.js' -delete
mkdir -p "$out"
tarball="$(cd "$out" && pwd)/wulf-$version.tar.gz"
tar -C "$stage" --owner=0 --group=0 --sort=name -czf "$tarball" "wulf-$version"
echo "$tarball"
