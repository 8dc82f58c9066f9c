#!/usr/bin/env bash
# Build a Wulf release tarball for a board: the daemon and workstation tools bundled into a few ES
# modules, the shipped models, the unit and the installer, and the two packages that cannot be
# bundled (arch-independent: LiteRT.js is WebAssembly and koffi carries prebuilt binaries for
# x86-64, arm64 and armhf).
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
cp package.json README.md "$root/"
cp -a firmware-models/dist "$root/firmware-models/dist"
cp -a device provisioning "$root/"
# The code: one ES module per entry point (the wulf command, the config module that
# provisioning/settings.mjs loads, wulf-ota), bundled by esbuild with every pure-JS dependency;
# code they share goes to dist/src/chunks/, at the same depth as the modules it came from, so the
# paths they find from import.meta.url (package.json, firmware-models/) hold. A start then reads
# a handful of files instead of ~400: on a slow board (or the test VM) that halves the cold start.
# `require` is given to the bundled CommonJS dependencies through the banner.
node_modules/.bin/esbuild dist/src/cli/main.js dist/src/config/index.js dist/ota/cli.js \
  --bundle --splitting --format=esm --platform=node --target=node20.8 \
  --outbase=dist --outdir="$root/dist" --chunk-names='src/chunks/[name]-[hash]' \
  --external:koffi --external:@litertjs/core \
  --banner:js="import { createRequire as __wulfCreateRequire } from 'node:module'; const require = __wulfCreateRequire(import.meta.url);" \
  --log-level=warning
# The web console's built page (index.html, app.js, app.css), served from memory when web.enabled.
mkdir -p "$root/dist/src/web"
cp -a dist/src/web/public "$root/dist/src/web/public"
# What stays a package: LiteRT.js (its WebAssembly files are loaded from its folder, with the
# int8 patch that `npm ci` applied) and koffi (a native addon; only the Linux builds a board runs).
for pkg in @litertjs/core @litertjs/wasm-utils koffi; do
  mkdir -p "$root/node_modules/$(dirname "$pkg")"
  cp -a "node_modules/$pkg" "$root/node_modules/$pkg"
done
find "$root/node_modules/koffi/build/koffi" -mindepth 1 -maxdepth 1 -type d ! -name linux_x64 ! -name linux_arm64 ! -name linux_armhf -exec rm -rf {} +
# The licences of everything bundled or shipped (production dependencies only).
node provisioning/licenses.mjs > "$root/THIRD_PARTY_LICENSES"
mkdir -p "$out"
tarball="$(cd "$out" && pwd)/wulf-$version.tar.gz"
tar -C "$stage" --owner=0 --group=0 --sort=name -czf "$tarball" "wulf-$version"
echo "$tarball"
